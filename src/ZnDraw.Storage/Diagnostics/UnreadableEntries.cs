using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Diagnostics;

/// <summary>
/// How a listing reports an entry it cannot read: it skips the entry, logs one warning naming the key (and field), and
/// counts it on <see cref="ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged with the aggregate
/// (<c>zndraw.storage.aggregate</c>: one of the constants below, each listed in that instrument's doc and in
/// <c>docs/telemetry.md</c>). A single read of
/// the same entry throws the <see cref="StorageDataException"/> instead.
/// </summary>
internal static partial class UnreadableEntries
{
    /// <summary>The <c>zndraw.storage.aggregate</c> tag of rooms.</summary>
    public const string Room = "room";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of filesystems.</summary>
    public const string Filesystem = "filesystem";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of extensions.</summary>
    public const string Extension = "extension";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of chat messages.</summary>
    public const string ChatMessage = "chat_message";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of geometries (fields of <c>room:{room}:geometries</c>).</summary>
    public const string Geometry = "geometry";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of selections (fields of <c>room:{room}:selections</c>).</summary>
    public const string Selection = "selection";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of selection groups (fields of <c>room:{room}:selection_groups</c>).</summary>
    public const string SelectionGroup = "selection_group";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of jobs (a room's job sets, read by the id listing).</summary>
    public const string Job = "job";

    /// <summary>The <c>zndraw.storage.aggregate</c> tag of bookmarks (fields of <c>room:{room}:bookmarks</c>).</summary>
    public const string Bookmark = "bookmark";

    /// <summary>Logs and counts one unreadable entry of <paramref name="aggregate"/> that a listing skipped.</summary>
    public static void Report(ILogger logger, string aggregate, StorageDataException exception)
    {
        Skipped(logger, aggregate, exception.Key, exception.Field, exception.Message);
        if (ZnDrawStorageDiagnostics.Unreadable.Enabled)
        {
            ZnDrawStorageDiagnostics.Unreadable.Add(1, new KeyValuePair<string, object?>(ZnDrawStorageDiagnostics.AggregateTag, aggregate));
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> entries of <paramref name="entries"/>, an array filled from the front by a
    /// listing that skipped <c>entries.Length - count</c> unreadable ones; the array itself when none was skipped.
    /// </summary>
    public static T[] Trim<T>(T[] entries, int count) => count == entries.Length ? entries : entries[..count];

    [LoggerMessage(EventId = ZnDrawEventIds.UnreadableEntrySkipped, Level = LogLevel.Warning, Message = "Listing skipped an unreadable {Aggregate} at key '{Key}' (field {Field}): {Reason}")]
    private static partial void Skipped(ILogger logger, string aggregate, string key, string? field, string reason);
}
