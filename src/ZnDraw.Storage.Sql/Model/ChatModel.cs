using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>A row of <c>room_chat_messages</c>: one chat message of a room.</summary>
/// <remarks>
/// <c>number</c> comes from <c>room_chat_counters</c> (incremented in the post's transaction) and <c>id</c> is ZnDraw's
/// <c>msg_{room}_{number}</c>. Times are the repository clock's, truncated to milliseconds (ZnDraw's epoch-millisecond
/// precision), so they round-trip exactly and bound pages as the Redis index scores do.
/// </remarks>
internal sealed class ChatMessageEntity
{
    public string RoomId { get; set; } = string.Empty;

    public long Number { get; set; }

    public string Id { get; set; } = string.Empty;

    public string Author { get; set; } = string.Empty;

    public string Content { get; set; } = string.Empty;

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public bool IsEdited { get; set; }
}

/// <summary>
/// A row of <c>room_chat_counters</c>: the last message number of a room's chat (Redis: <c>room:{room}:chat:counter</c>).
/// </summary>
/// <remarks>
/// Its own table rather than a column of <c>rooms</c>: as in Redis, a chat may be written for a room that was never
/// created, and posting does not create the room.
/// </remarks>
internal sealed class ChatCounterEntity
{
    public string RoomId { get; set; } = string.Empty;

    public long LastNumber { get; set; }
}

/// <summary>The chat tables.</summary>
internal static class ChatModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.Entity<ChatMessageEntity>(e =>
        {
            e.ToTable("room_chat_messages");

            // Every lookup (get, edit) is by room and message id; the count is by room (the key's prefix).
            e.HasKey(x => new { x.RoomId, x.Id }).HasName("pk_room_chat_messages");
            RoomModel.BelongsToRoom(e, "room_chat_messages");
            e.Property(x => x.Number).HasColumnName("number");
            e.Property(x => x.Id).HasColumnName("id");
            e.Property(x => x.Author).HasColumnName("author");
            e.Property(x => x.Content).HasColumnName("content");
            e.Property(x => x.CreatedAt).HasColumnName("created_at");
            e.Property(x => x.UpdatedAt).HasColumnName("updated_at");
            e.Property(x => x.IsEdited).HasColumnName("is_edited");

            // Pages: a room's messages by creation time, ties by id (as Redis orders equal scores by member).
            e.HasIndex("RoomId", nameof(ChatMessageEntity.CreatedAt), nameof(ChatMessageEntity.Id))
                .HasDatabaseName("ix_room_chat_messages_room_id_created_at_id");
        });

        modelBuilder.Entity<ChatCounterEntity>(e =>
        {
            e.ToTable("room_chat_counters");
            e.HasKey(x => x.RoomId).HasName("pk_room_chat_counters");
            RoomModel.BelongsToRoom(e, "room_chat_counters");
            e.Property(x => x.LastNumber).HasColumnName("last_number");
        });
    }
}
