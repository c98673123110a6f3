using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps <see cref="Room"/> and <see cref="RoomMetadata"/> to and from their Redis values.</summary>
internal static class RoomMapping
{
    /// <summary>
    /// Reads ZnDraw's <c>current_frame</c> the way <c>RoomService.get_current_frame</c> does: missing,
    /// negative or non-numeric values read as 0. Values beyond <see cref="int.MaxValue"/> also read as 0.
    /// Never throws.
    /// </summary>
    public static int ParseCurrentFrame(in RedisValue value)
    {
        if (RedisText.TryParseInt64(value, NumberStyles.Integer, out long frame) && frame >= 0 && frame <= int.MaxValue)
        {
            return (int)frame;
        }

        return 0;
    }

    /// <summary>Decimal text for <c>current_frame</c>.</summary>
    public static RedisValue FormatCurrentFrame(int frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        return RedisText.Integer(frame);
    }

    /// <summary>Reads <c>locked</c>/<c>hidden</c>: exactly <c>"1"</c> is true, as ZnDraw reads them.</summary>
    public static bool ParseFlag(in RedisValue value) => RedisText.IsOne(value);

    /// <summary>Writes <c>locked</c>/<c>hidden</c> as <c>"1"</c>/<c>"0"</c>.</summary>
    public static RedisValue FormatFlag(bool value) => RedisText.Flag(value);

    /// <summary>
    /// Builds a room from the values of its string keys (as returned by one MGET). Never throws:
    /// every one of these values is tolerated by ZnDraw. Whether the room exists is the caller's
    /// decision (ZnDraw: <c>current_frame</c> exists).
    /// </summary>
    public static Room FromValues(string roomId, in RedisValue description, in RedisValue locked, in RedisValue hidden, in RedisValue currentFrame, long? frameCount = null) =>
        new(
            roomId,
            description.IsNull ? null : (string?)description,
            ParseFlag(locked),
            ParseFlag(hidden),
            ParseCurrentFrame(currentFrame),
            frameCount);

    /// <summary>
    /// Reads <c>room:{room}:metadata</c> (HGETALL); <see langword="null"/> for an empty array.
    /// <c>file_size</c> must be a decimal integer and <c>file_modified_timestamp</c> an ISO timestamp when present.
    /// </summary>
    /// <exception cref="StorageDataException">A known field does not parse.</exception>
    public static RoomMetadata? MetadataFromHash(string key, HashEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = new KeyValuePair<string, string>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            RedisValue value = entries[i].Value;
            if (name == RoomMetadata.FileSizeField)
            {
                RedisText.ParseInt64(key, name, value);
            }
            else if (name == RoomMetadata.FileModifiedTimestampField
                && !ZnDrawTime.TryParseIsoWithOffset(((string?)value).AsSpan(), out _))
            {
                throw new StorageDataException(key, name, $"expected an ISO 8601 timestamp, found {RedisText.Describe(value)}.");
            }

            fields[i] = new KeyValuePair<string, string>(name, value!);
        }

        try
        {
            return new RoomMetadata(fields);
        }
        catch (ArgumentException ex)
        {
            // HGETALL never repeats a field; only a hand-made array can.
            throw new StorageDataException(key, null, ex.Message, ex);
        }
    }
}
