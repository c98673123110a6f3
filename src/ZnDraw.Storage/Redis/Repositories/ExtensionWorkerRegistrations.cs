using StackExchange.Redis;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>
/// The members of <c>WorkerKeys.Registrations()</c>: one entry per scope a worker registered extensions or filesystems
/// in, so that cleaning up a worker finds every room and every category (ZnDraw only cleans the worker's current room
/// and three categories).
/// </summary>
/// <remarks>
/// Entries are logical, not key names (so they survive a change of prefix or layout): <c>extensions:room:{room}:{category}</c>,
/// <c>extensions:global:{category}</c>, <c>filesystems:room:{room}</c>, <c>filesystems:global</c>. Room ids and categories
/// contain no <c>:</c>, so an entry splits unambiguously.
/// </remarks>
internal static class ExtensionWorkerRegistrations
{
    private const string ExtensionsRoom = "extensions:room:";
    private const string ExtensionsGlobal = "extensions:global:";
    private const string FilesystemsRoom = "filesystems:room:";
    public const string FilesystemsGlobal = "filesystems:global";

    // Direct-mapped caches of recently built entries (a worker registers many extensions in few scopes, and every
    // registration sends its scope's entry): a slot holds one immutable entry; racing writers replace each other.
    private const int EntrySlots = 64;
    private static readonly Entry?[] ExtensionEntries = new Entry?[EntrySlots];
    private static readonly Entry?[] FilesystemEntries = new Entry?[EntrySlots];

    public static string ForExtensions(ExtensionScope scope, string? roomId, string category)
    {
        string? room = scope == ExtensionScope.Room ? roomId ?? string.Empty : null;
        ref Entry? slot = ref ExtensionEntries[(uint)HashCode.Combine(room?.GetHashCode() ?? 0, category.GetHashCode()) & (EntrySlots - 1)];
        Entry? entry = Volatile.Read(ref slot);
        if (entry is null || !string.Equals(entry.RoomId, room, StringComparison.Ordinal) || !string.Equals(entry.Category, category, StringComparison.Ordinal))
        {
            entry = new Entry(room, category, room is null ? ExtensionsGlobal + category : string.Concat(ExtensionsRoom, room, ":", category));
            Volatile.Write(ref slot, entry);
        }

        return entry.Text;
    }

    public static string ForFilesystems(string? roomId)
    {
        if (roomId is null)
        {
            return FilesystemsGlobal;
        }

        ref Entry? slot = ref FilesystemEntries[(uint)roomId.GetHashCode() & (EntrySlots - 1)];
        Entry? entry = Volatile.Read(ref slot);
        if (entry is null || !string.Equals(entry.RoomId, roomId, StringComparison.Ordinal))
        {
            entry = new Entry(roomId, string.Empty, FilesystemsRoom + roomId);
            Volatile.Write(ref slot, entry);
        }

        return entry.Text;
    }

    /// <summary>Reads an extension entry; <see langword="false"/> for filesystem entries and unknown text (left alone).</summary>
    public static bool TryParseExtensions(string entry, out ExtensionScope scope, out string? roomId, out string category)
    {
        scope = ExtensionScope.Room;
        roomId = null;
        category = string.Empty;
        if (entry.StartsWith(ExtensionsRoom, StringComparison.Ordinal))
        {
            var rest = entry.AsSpan(ExtensionsRoom.Length);
            int colon = rest.IndexOf(':');
            if (colon <= 0 || colon == rest.Length - 1 || rest[(colon + 1)..].Contains(':'))
            {
                return false;
            }

            roomId = rest[..colon].ToString();
            category = rest[(colon + 1)..].ToString();
            return true;
        }

        if (entry.StartsWith(ExtensionsGlobal, StringComparison.Ordinal) && entry.Length > ExtensionsGlobal.Length
            && !entry.AsSpan(ExtensionsGlobal.Length).Contains(':'))
        {
            scope = ExtensionScope.Global;
            category = entry[ExtensionsGlobal.Length..];
            return true;
        }

        return false;
    }

    /// <summary>Reads a filesystem entry: <see langword="true"/> with <paramref name="roomId"/> null for the global scope.</summary>
    public static bool TryParseFilesystems(string entry, out string? roomId)
    {
        roomId = null;
        if (entry == FilesystemsGlobal)
        {
            return true;
        }

        if (entry.StartsWith(FilesystemsRoom, StringComparison.Ordinal) && entry.Length > FilesystemsRoom.Length
            && !entry.AsSpan(FilesystemsRoom.Length).Contains(':'))
        {
            roomId = entry[FilesystemsRoom.Length..];
            return true;
        }

        return false;
    }

    /// <summary>Members of a set as strings (SMEMBERS reply).</summary>
    public static string[] ToStrings(RedisValue[] values)
    {
        var result = new string[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = (string)values[i]!;
        }

        return result;
    }

    private sealed class Entry(string? roomId, string category, string text)
    {
        public string? RoomId { get; } = roomId;

        public string Category { get; } = category;

        public string Text { get; } = text;
    }
}
