using StackExchange.Redis;

namespace ZnDraw.Storage.Redis;

/// <summary>Turns Redis server errors about stored data into <see cref="StorageDataException"/>.</summary>
internal static class RedisErrors
{
    /// <summary>True when Redis refused a command because a key holds another type (WRONGTYPE).</summary>
    public static bool IsWrongType(RedisServerException exception) =>
        exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal);

    /// <summary>The exception to throw when <paramref name="key"/> holds the wrong Redis type.</summary>
    public static StorageDataException WrongType(RedisKey key, string expectedType, RedisServerException exception) =>
        new(key.ToString() ?? string.Empty, null, $"the key does not hold a {expectedType} (WRONGTYPE).", exception);

    /// <summary>
    /// The exception to throw when a multi-key operation (script or transaction) hits WRONGTYPE on
    /// one of <paramref name="keys"/>; Redis does not say which key, so all are named.
    /// </summary>
    public static StorageDataException WrongType(ReadOnlySpan<RedisKey> keys, RedisServerException exception)
    {
        var names = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            names[i] = keys[i].ToString() ?? string.Empty;
        }

        return new StorageDataException(string.Join(", ", names), null, "one of these keys holds the wrong Redis type (WRONGTYPE).", exception);
    }
}
