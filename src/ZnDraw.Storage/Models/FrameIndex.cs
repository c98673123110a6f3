using System.Globalization;

namespace ZnDraw.Storage.Models;

/// <summary>
/// A physical frame: a member of the sorted set <c>room:{room}:trajectory:indices</c>, written
/// <c>"{sourceRoom}:{physicalIndex}"</c> (e.g. <c>r1:0</c>).
/// </summary>
/// <remarks>
/// Members of a copied room keep the source room's prefix ("template frames"). A legacy member
/// without <c>:</c> is a bare physical index of the room that owns the set.
/// </remarks>
/// <param name="SourceRoom">The room whose frame storage holds the frame (never contains <c>:</c>).</param>
/// <param name="PhysicalIndex">The index in that room's frame storage (non-negative).</param>
public readonly record struct FrameIndex(string SourceRoom, int PhysicalIndex)
{
    /// <summary>The sorted-set member text, <c>"{SourceRoom}:{PhysicalIndex}"</c>.</summary>
    /// <returns>The member.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{SourceRoom}:{PhysicalIndex}");

    /// <summary>Whether the frame belongs to another room (a template frame of a copy).</summary>
    /// <param name="roomId">The room that owns the trajectory.</param>
    /// <returns><see langword="true"/> when <see cref="SourceRoom"/> differs from <paramref name="roomId"/>.</returns>
    public bool IsTemplateFor(string roomId) => !string.Equals(SourceRoom, roomId, StringComparison.Ordinal);
}

/// <summary>One entry of a room's trajectory: a frame and its ordering score.</summary>
/// <remarks>Logical frame n is the entry of rank n. ZnDraw appends with last score + 1.0 and inserts with the mean of the neighbours.</remarks>
/// <param name="Frame">The physical frame.</param>
/// <param name="Score">The sorted-set score.</param>
public readonly record struct TrajectoryEntry(FrameIndex Frame, double Score);

/// <summary>A bookmark: one field of <c>room:{room}:bookmarks</c> (field = logical frame index as decimal text, value = plain-text label).</summary>
/// <param name="Frame">The logical frame index (non-negative).</param>
/// <param name="Label">The label (ZnDraw requires it to be non-empty when written).</param>
public sealed record Bookmark(int Frame, string Label);
