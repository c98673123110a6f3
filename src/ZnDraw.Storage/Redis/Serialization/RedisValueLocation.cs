using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Serialization;

/// <summary>A Redis key and hash field, for the neutral readers' errors; the key becomes text only when one is thrown.</summary>
internal readonly struct RedisValueLocation(RedisKey key, string? field) : IStoredValueLocation
{
    /// <inheritdoc/>
    public StorageDataException Unreadable(string message, Exception? innerException = null) =>
        new(JsonParsing.KeyText(key), field, message, innerException);
}
