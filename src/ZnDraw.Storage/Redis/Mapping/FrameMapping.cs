using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps trajectory members and bookmarks.</summary>
internal static class FrameMapping
{
    /// <summary>The member text <c>"{sourceRoom}:{physicalIndex}"</c>.</summary>
    /// <exception cref="ArgumentException">The source room is empty or contains <c>:</c>, or the index is negative.</exception>
    public static RedisValue FormatMember(FrameIndex frame) => FrameArguments.FormatMember(frame);

    /// <summary>
    /// Parses a member, splitting at the last <c>:</c>; a member without <c>:</c> is a legacy bare index
    /// of <paramref name="owningRoom"/>.
    /// </summary>
    /// <remarks>The key becomes text only for an error message.</remarks>
    /// <exception cref="StorageDataException">The index part is not a non-negative decimal int, or the room part is empty.</exception>
    public static FrameIndex ParseMember(in RedisKey key, string owningRoom, in RedisValue member)
    {
        string? text = member;
        if (string.IsNullOrEmpty(text))
        {
            throw new StorageDataException(JsonParsing.KeyText(key), null, "empty trajectory member.");
        }

        int colon = text.LastIndexOf(':');
        string room = colon < 0 ? owningRoom : text[..colon];
        ReadOnlySpan<char> index = colon < 0 ? text : text.AsSpan(colon + 1);
        if (room.Length == 0
            || !int.TryParse(index, NumberStyles.None, CultureInfo.InvariantCulture, out int physical))
        {
            throw new StorageDataException(JsonParsing.KeyText(key), null, $"bad trajectory member {RedisText.Describe(member)}; expected \"{{room}}:{{index}}\".");
        }

        return new FrameIndex(room, physical);
    }

    /// <summary>Parses ZRANGE … WITHSCORES results in rank order.</summary>
    public static TrajectoryEntry[] ParseEntries(in RedisKey key, string owningRoom, SortedSetEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = new TrajectoryEntry[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            result[i] = new TrajectoryEntry(ParseMember(key, owningRoom, entries[i].Element), entries[i].Score);
        }

        return result;
    }

    /// <summary>The script arguments <c>"{frame}", label</c> of a bookmark (no <see cref="Bookmark"/> built).</summary>
    /// <exception cref="ArgumentException">Negative frame or empty label (ZnDraw refuses both).</exception>
    public static RedisValue[] BookmarkArgs(int frame, string label)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentException.ThrowIfNullOrEmpty(label);
        return [RedisText.Integer(frame), label];
    }

    /// <summary>The hash entry <c>"{frame}" → label</c>.</summary>
    /// <exception cref="ArgumentException">Negative frame or empty label (ZnDraw refuses both).</exception>
    public static HashEntry ToHashEntry(Bookmark bookmark)
    {
        ArgumentNullException.ThrowIfNull(bookmark);
        ArgumentOutOfRangeException.ThrowIfNegative(bookmark.Frame, nameof(bookmark));
        ArgumentException.ThrowIfNullOrEmpty(bookmark.Label, nameof(bookmark));
        return new HashEntry(RedisText.Integer(bookmark.Frame), bookmark.Label);
    }

    /// <summary>The bookmark field for <paramref name="frame"/> (for HGET/HDEL).</summary>
    public static RedisValue BookmarkField(int frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        return RedisText.Integer(frame);
    }

    /// <summary>
    /// Reads HGETALL of <c>room:{room}:bookmarks</c>, sorted by frame. A field that is not a non-negative decimal int, or
    /// a label that is not UTF-8 text (see <see cref="ParseLabel"/>), is left out and handed to
    /// <paramref name="unreadable"/> (a listing reports it and goes on).
    /// </summary>
    /// <remarks>The key and the field become text only for the error message.</remarks>
    public static Bookmark[] BookmarksFromHash(in RedisKey key, HashEntry[] entries, Action<StorageDataException> unreadable)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(unreadable);
        var result = new Bookmark[entries.Length];
        int count = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            try
            {
                if (!RedisText.TryParseInt64(entries[i].Name, NumberStyles.None, out long frame) || frame > int.MaxValue)
                {
                    RedisText.ParseIndex(key.ToString(), entries[i].Name, entries[i].Name); // throws the StorageDataException
                }

                result[count] = new Bookmark((int)frame, ParseLabel(key, entries[i].Name, entries[i].Value));
                count++;
            }
            catch (StorageDataException ex)
            {
                unreadable(ex);
            }
        }

        result = UnreadableEntries.Trim(result, count);
        Array.Sort(result, static (a, b) => a.Frame.CompareTo(b.Frame));
        return result;
    }

    /// <summary>
    /// A bookmark label as stored: plain UTF-8 text. Bytes that are not UTF-8 would decode to replacement characters (a
    /// label that is not the stored one), so they are refused.
    /// </summary>
    /// <exception cref="StorageDataException">The label is not valid UTF-8.</exception>
    public static string ParseLabel(in RedisKey key, in RedisValue field, in RedisValue label)
    {
        if (!System.Text.Unicode.Utf8.IsValid(((ReadOnlyMemory<byte>)label).Span))
        {
            throw new StorageDataException(JsonParsing.KeyText(key), (string?)field, "bookmark label is not UTF-8 text.");
        }

        return (string?)label ?? string.Empty;
    }
}
