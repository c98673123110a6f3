using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>A row of <c>users</c>: one user, registered when it has a password hash.</summary>
internal sealed class UserEntity
{
    public string UserName { get; set; } = string.Empty;

    public bool IsAdmin { get; set; }

    public string? PasswordHash { get; set; }

    public string? PasswordSalt { get; set; }

    public DateTime? CreatedAt { get; set; }

    public DateTime? LastLogin { get; set; }

    public DateTime? LastActivity { get; set; }

    public string? CurrentRoom { get; set; }

    public string? CurrentSid { get; set; }
}

/// <summary>The users group's tables.</summary>
internal static class UserModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<UserEntity>(e =>
        {
            e.ToTable("users");
            e.HasKey(x => x.UserName).HasName("pk_users");
            e.Property(x => x.UserName).HasColumnName("user_name");
            e.Property(x => x.IsAdmin).HasColumnName("is_admin");
            e.Property(x => x.PasswordHash).HasColumnName("password_hash");
            e.Property(x => x.PasswordSalt).HasColumnName("password_salt");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.LastLogin).HasColumnName("last_login");
            e.Property(x => x.LastActivity).HasColumnName("last_activity");
            e.Property(x => x.CurrentRoom).HasColumnName("current_room");
            e.Property(x => x.CurrentSid).HasColumnName("current_sid");
            e.HasIndex(x => x.IsAdmin).HasDatabaseName("ix_users_is_admin");
        });
    }
}
