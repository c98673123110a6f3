using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Serialization;

/// <summary>Turns Redis server errors that mean "the stored data is not what ZnDraw writes" into <see cref="StorageDataException"/>.</summary>
/// <example>
/// <code>
/// try { entries = await db.HashGetAllAsync(key); }
/// catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex)) { throw RedisErrors.WrongType(key, ex); }
/// </code>
/// </example>
internal static class RedisErrors
{
    /// <summary>True when Redis refused the command because the key holds another type (<c>WRONGTYPE ...</c>).</summary>
    public static bool IsWrongType(RedisServerException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.Kind == RedisErrorKind.WrongType
            || exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal);
    }

    /// <summary>A <see cref="StorageDataException"/> naming <paramref name="key"/>, with the Redis error as inner exception.</summary>
    public static StorageDataException WrongType(string key, RedisServerException exception) =>
        new(key, null, "the key holds a value of the wrong Redis type.", exception);

    /// <summary>
    /// A <see cref="StorageDataException"/> for a multi-key step (script or transaction) that hit
    /// WRONGTYPE on one of <paramref name="keys"/>; Redis does not say which key, so all are named.
    /// </summary>
    public static StorageDataException WrongType(ReadOnlySpan<RedisKey> keys, RedisServerException exception)
    {
        var names = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            names[i] = keys[i].ToString() ?? string.Empty;
        }

        return new StorageDataException(string.Join(", ", names), null, "one of these keys holds a value of the wrong Redis type.", exception);
    }
}
