using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>A row of <c>rooms</c>: the room's own settings; its existence is the room's existence.</summary>
internal sealed class RoomEntity
{
    public string Id { get; set; } = string.Empty;

    public string? Description { get; set; }

    public bool Locked { get; set; }

    public bool Hidden { get; set; }

    public int CurrentFrame { get; set; }

    public DateTime CreatedAt { get; set; }

    public string? CreatedBy { get; set; }
}

/// <summary>A row of <c>room_members</c>: a user who joined the room.</summary>
internal sealed class RoomMemberEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string UserName { get; set; } = string.Empty;
}

/// <summary>A row of <c>room_metadata</c>: one metadata field, in the order written.</summary>
internal sealed class RoomMetadataEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Field { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;

    public int Position { get; set; }
}

/// <summary>A row of <c>server_settings</c>: one server-wide setting (e.g. <c>default_room</c>).</summary>
internal sealed class ServerSettingEntity
{
    public string Key { get; set; } = string.Empty;

    public string Value { get; set; } = string.Empty;
}

/// <summary>
/// A row of <c>room_cleanups</c>: a room deleted in SQL whose ephemeral state in Redis may still exist. Written in the
/// delete's transaction, removed once Redis is clean; reconcile finishes what a crash left.
/// </summary>
internal sealed class RoomCleanupEntity
{
    public string RoomId { get; set; } = string.Empty;

    public DateTime DeletedAt { get; set; }
}

/// <summary>The rooms group's own tables, and the room id column every room-scoped table shares.</summary>
internal static class RoomModel
{
    /// <summary>
    /// Adds the <c>room_id</c> column of a room-scoped entity with a <c>RoomId</c> property. There is no foreign key to
    /// <c>rooms</c>: as in Redis (and ZnDraw), room-scoped data may be written for a room that was never created, and it
    /// does not make the room exist. Deleting a room deletes from every table with a <c>room_id</c> in one transaction.
    /// </summary>
    public static void BelongsToRoom<T>(EntityTypeBuilder<T> entity, string table)
        where T : class
    {
        _ = table;
        entity.Property<string>("RoomId").HasColumnName("room_id");
    }

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RoomEntity>(e =>
        {
            e.ToTable("rooms");
            e.HasKey(x => x.Id).HasName("pk_rooms");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Description).HasColumnName("description");
            e.Property(x => x.Locked).HasColumnName("locked");
            e.Property(x => x.Hidden).HasColumnName("hidden");
            e.Property(x => x.CurrentFrame).HasColumnName("current_frame");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.CreatedBy).HasColumnName("created_by");
        });

        modelBuilder.Entity<RoomMemberEntity>(e =>
        {
            e.ToTable("room_members");
            e.HasKey(x => new { x.RoomId, x.UserName }).HasName("pk_room_members");
            BelongsToRoom(e, "room_members");
            e.Property(x => x.UserName).HasColumnName("user_name");
            e.HasIndex(x => x.UserName).HasDatabaseName("ix_room_members_user_name");
        });

        modelBuilder.Entity<RoomMetadataEntity>(e =>
        {
            e.ToTable("room_metadata");
            e.HasKey(x => new { x.RoomId, x.Field }).HasName("pk_room_metadata");
            BelongsToRoom(e, "room_metadata");
            e.Property(x => x.Field).HasColumnName("field");
            e.Property(x => x.Value).HasColumnName("value");
            e.Property(x => x.Position).HasColumnName("position");
        });

        modelBuilder.Entity<ServerSettingEntity>(e =>
        {
            e.ToTable("server_settings");
            e.HasKey(x => x.Key).HasName("pk_server_settings");
            e.Property(x => x.Key).HasColumnName("key");
            e.Property(x => x.Value).HasColumnName("value");
        });

        modelBuilder.Entity<RoomCleanupEntity>(e =>
        {
            e.ToTable("room_cleanups");
            e.HasKey(x => x.RoomId).HasName("pk_room_cleanups");
            e.Property(x => x.RoomId).HasColumnName("room_id");
            e.Property(x => x.DeletedAt).HasColumnName("deleted_at");
        });
    }
}
