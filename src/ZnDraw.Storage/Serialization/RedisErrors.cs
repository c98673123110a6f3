using StackExchange.Redis;

namespace ZnDraw.Storage.Serialization;

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

    /// <summary>Rethrows <paramref name="exception"/> as <see cref="StorageDataException"/> when it is a WRONGTYPE error; otherwise returns.</summary>
    public static void ThrowIfWrongType(string key, RedisServerException exception)
    {
        if (IsWrongType(exception))
        {
            throw WrongType(key, exception);
        }
    }
}
