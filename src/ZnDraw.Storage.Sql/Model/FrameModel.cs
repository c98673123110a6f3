using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql.Model;

/// <summary>
/// A row of <c>room_frames</c>: one frame of a room's trajectory, as a member of Redis's sorted set: the member text
/// <c>"{sourceRoom}:{physicalIndex}"</c> and its score. Logical frame <em>n</em> is the row of rank <em>n</em> in
/// <c>ORDER BY score, member</c> (member compared ordinally), the order Redis gives, ties included.
/// </summary>
internal sealed class FrameEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string Member { get; set; } = string.Empty;

    public double Score { get; set; }
}

/// <summary>A row of <c>room_frame_selections</c>: the selected frames of one selection group, a JSON array of indices.</summary>
internal sealed class FrameSelectionEntity
{
    public string RoomId { get; set; } = string.Empty;

    public string GroupName { get; set; } = string.Empty;

    /// <summary>The JSON array as written (<c>[0, 1]</c>, Python style).</summary>
    public string Frames { get; set; } = string.Empty;
}

/// <summary>A row of <c>room_bookmarks</c>: the label of one logical frame.</summary>
internal sealed class BookmarkEntity
{
    public string RoomId { get; set; } = string.Empty;

    public int Frame { get; set; }

    public string Label { get; set; } = string.Empty;
}

/// <summary>The trajectory tables: frames, frame selections and bookmarks.</summary>
internal static class FrameModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<FrameEntity>(e =>
        {
            e.ToTable("room_frames");
            e.HasKey(x => new { x.RoomId, x.Member }).HasName("pk_room_frames");
            RoomModel.BelongsToRoom(e, "room_frames");
            e.Property(x => x.Member).HasColumnName("member");
            e.Property(x => x.Score).HasColumnName("score");

            // Rank order (ranges, single reads, the last score) walks this index.
            e.HasIndex(x => new { x.RoomId, x.Score, x.Member }).HasDatabaseName("ix_room_frames_room_id_score_member");
        });

        modelBuilder.Entity<FrameSelectionEntity>(e =>
        {
            e.ToTable("room_frame_selections");
            e.HasKey(x => new { x.RoomId, x.GroupName }).HasName("pk_room_frame_selections");
            RoomModel.BelongsToRoom(e, "room_frame_selections");
            e.Property(x => x.GroupName).HasColumnName("group_name");
            e.Property(x => x.Frames).HasColumnName("frames");
        });

        modelBuilder.Entity<BookmarkEntity>(e =>
        {
            e.ToTable("room_bookmarks");
            e.HasKey(x => new { x.RoomId, x.Frame }).HasName("pk_room_bookmarks");
            RoomModel.BelongsToRoom(e, "room_bookmarks");
            e.Property(x => x.Frame).HasColumnName("frame");
            e.Property(x => x.Label).HasColumnName("label");
        });
    }
}
