using Microsoft.Extensions.Logging;

namespace ZnDraw.Storage.Diagnostics;

/// <summary>
/// How a listing reports an entry it cannot read: it skips the entry, logs one warning naming the key (and field), and
/// counts it on <see cref="ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged with the aggregate. A single read of
/// the same entry throws the <see cref="StorageDataException"/> instead.
/// </summary>
internal static partial class UnreadableEntries
{
    /// <summary>The <c>aggregate</c> tag of rooms.</summary>
    public const string Room = "room";

    /// <summary>The <c>aggregate</c> tag of filesystems.</summary>
    public const string Filesystem = "filesystem";

    /// <summary>The <c>aggregate</c> tag of extensions.</summary>
    public const string Extension = "extension";

    /// <summary>The <c>aggregate</c> tag of chat messages.</summary>
    public const string ChatMessage = "chat_message";

    /// <summary>Logs and counts one unreadable entry of <paramref name="aggregate"/> that a listing skipped.</summary>
    public static void Report(ILogger logger, string aggregate, StorageDataException exception)
    {
        Skipped(logger, aggregate, exception.Key, exception.Field, exception.Message);
        if (ZnDrawStorageDiagnostics.Unreadable.Enabled)
        {
            ZnDrawStorageDiagnostics.Unreadable.Add(1, new KeyValuePair<string, object?>("aggregate", aggregate));
        }
    }

    [LoggerMessage(EventId = ZnDrawEventIds.UnreadableEntrySkipped, Level = LogLevel.Warning, Message = "Listing skipped an unreadable {Aggregate} at key '{Key}' (field {Field}): {Reason}")]
    private static partial void Skipped(ILogger logger, string aggregate, string key, string? field, string reason);
}
