using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>A row of <c>users</c>: one user (it exists while the row does), registered when it has a password hash.</summary>
internal sealed class UserEntity
{
    public string UserName { get; set; } = string.Empty;

    public string? PasswordHash { get; set; }

    public string? PasswordSalt { get; set; }

    public DateTime? CreatedAt { get; set; }

    public DateTime? LastLogin { get; set; }

    public DateTime? LastActivity { get; set; }

    public string? CurrentRoom { get; set; }

    public string? CurrentSid { get; set; }
}

/// <summary>
/// A row of <c>user_admins</c>: the admin flag of one name. Its own table, not a column of <c>users</c>: as in ZnDraw
/// (<c>admin:user:{user}</c>) the flag does not need the user to exist (the configured admin is flagged at first login).
/// </summary>
internal sealed class UserAdminEntity
{
    public string UserName { get; set; } = string.Empty;
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
            e.Property(x => x.PasswordHash).HasColumnName("password_hash");
            e.Property(x => x.PasswordSalt).HasColumnName("password_salt");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.LastLogin).HasColumnName("last_login");
            e.Property(x => x.LastActivity).HasColumnName("last_activity");
            e.Property(x => x.CurrentRoom).HasColumnName("current_room");
            e.Property(x => x.CurrentSid).HasColumnName("current_sid");
        });

        modelBuilder.Entity<UserAdminEntity>(e =>
        {
            e.ToTable("user_admins");
            e.HasKey(x => x.UserName).HasName("pk_user_admins");
            e.Property(x => x.UserName).HasColumnName("user_name");
        });
    }
}
