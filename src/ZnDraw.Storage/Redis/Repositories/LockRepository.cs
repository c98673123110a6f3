using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="ILockRepository"/>.</summary>
internal sealed class LockRepository(RedisStoreContext context) : ILockRepository
{
    // Scripts are not rolled back on error: every type check (GET, SCARD raise WRONGTYPE) comes before any write.

    // KEYS: lock, metadata, registry. ARGV: holder, seconds, '1' when metadata is given, metadata JSON.
    private static readonly RedisScript AcquireScript = new("lock.acquire", """
        local cur = redis.call('GET', KEYS[1])
        redis.call('SCARD', KEYS[3])
        if cur and cur ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        if ARGV[3] == '1' then
          redis.call('SET', KEYS[2], ARGV[4], 'EX', ARGV[2])
        elseif cur then
          redis.call('EXPIRE', KEYS[2], ARGV[2])
        else
          redis.call('DEL', KEYS[2])
        end
        redis.call('SADD', KEYS[3], KEYS[1], KEYS[2])
        return 1
        """);

    // KEYS: lock, metadata. ARGV: holder, seconds.
    private static readonly RedisScript RefreshScript = new("lock.refresh", """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return 1
        """);

    // KEYS: lock, metadata, registry. ARGV: holder.
    private static readonly RedisScript ReleaseScript = new("lock.release", """
        local cur = redis.call('GET', KEYS[1])
        redis.call('SCARD', KEYS[3])
        if cur ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('SREM', KEYS[3], KEYS[1], KEYS[2])
        return 1
        """);

    // KEYS: lock, metadata, registry. ARGV: holder, metadata JSON. The metadata gets the lock's remaining TTL in the SET,
    // less one millisecond: PTTL and SET PX read the server clock at different moments, so the full PTTL could let the
    // metadata outlive its lock by a millisecond.
    private static readonly RedisScript SetMetadataScript = new("lock.set-metadata", """
        local cur = redis.call('GET', KEYS[1])
        redis.call('SCARD', KEYS[3])
        if cur ~= ARGV[1] then return 0 end
        local pttl = redis.call('PTTL', KEYS[1])
        if pttl > 1 then
          redis.call('SET', KEYS[2], ARGV[2], 'PX', pttl - 1)
        elseif pttl > 0 then
          return 0
        else
          redis.call('SET', KEYS[2], ARGV[2])
        end
        redis.call('SADD', KEYS[3], KEYS[1], KEYS[2])
        return 1
        """);

    // KEYS: lock, metadata. Returns nil, or {holder, pttl, metadata or nil}.
    private static readonly RedisScript GetScript = new("lock.get", """
        local holder = redis.call('GET', KEYS[1])
        if not holder then return false end
        return {holder, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[2])}
        """);

    // KEYS: presenter_lock. ARGV: sid, seconds.
    private static readonly RedisScript AcquirePresenterScript = new("presenter.acquire", """
        local cur = redis.call('GET', KEYS[1])
        if cur and cur ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        return 1
        """);

    // KEYS: presenter_lock. ARGV: sid.
    private static readonly RedisScript ReleasePresenterScript = new("presenter.release", """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """);

    /// <inheritdoc/>
    public ValueTask<bool> AcquireAsync(string roomId, string target, string holder, TimeSpan timeToLive, LockMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        long seconds = LockLimits.ToSeconds(timeToLive, nameof(timeToLive));
        RedisValue json = metadata is null ? RedisValue.EmptyString : FormatMetadata(metadata, holder);
        return AcquireScript.EvaluateAsync(
            context.Database,
            [lockKey, metadataKey, room.KeyRegistry()],
            [holder, seconds, metadata is null ? RedisText.Zero : RedisText.One, json],
            0,
            static (result, _) => (long)result == 1,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> RefreshAsync(string roomId, string target, string holder, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        long seconds = LockLimits.ToSeconds(timeToLive, nameof(timeToLive));
        return RefreshScript.EvaluateAsync(context.Database, [lockKey, metadataKey], [holder, seconds], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReleaseAsync(string roomId, string target, string holder, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        return ReleaseScript.EvaluateAsync(context.Database, [lockKey, metadataKey, room.KeyRegistry()], [holder], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetMetadataAsync(string roomId, string target, string holder, LockMetadata metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        ArgumentNullException.ThrowIfNull(metadata);
        RedisValue json = FormatMetadata(metadata, holder);
        return SetMetadataScript.EvaluateAsync(context.Database, [lockKey, metadataKey, room.KeyRegistry()], [holder, json], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LockInfo?> GetAsync(string roomId, string target, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        return GetScript.EvaluateAsync(
            context.Database,
            [lockKey, metadataKey],
            [],
            (metadataKey, target),
            static (result, s) =>
            {
                if (result.IsNull || result.Resp2Type != ResultType.Array)
                {
                    return null;
                }

                RedisResult[] parts = (RedisResult[])result!;
                long pttl = (long)parts[1];
                TimeSpan? timeToLive = pttl >= 0 ? TimeSpan.FromMilliseconds(pttl) : null;
                return LockMapping.FromValues((string)s.metadataKey!, s.target, (RedisValue)parts[0], timeToLive, (RedisValue)parts[2]);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> AcquirePresenterAsync(string roomId, string sid, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).PresenterLock();
        KeyValidation.ValidateSessionId(sid, context.Keys.Layout);
        long seconds = LockLimits.ToSeconds(timeToLive ?? LockLimits.DefaultPresenterTimeToLive, nameof(timeToLive));
        return AcquirePresenterScript.EvaluateAsync(context.Database, [key], [sid, seconds], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReleasePresenterAsync(string roomId, string sid, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).PresenterLock();
        KeyValidation.ValidateSessionId(sid, context.Keys.Layout);
        return ReleasePresenterScript.EvaluateAsync(context.Database, [key], [sid], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetPresenterAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).PresenterLock();
        return RedisReply.Map(context.Database.StringGetAsync(key), 0, static (value, _) => value.IsNull ? null : (string?)value, key, cancellationToken);
    }

    private void ValidateHolder(string holder) => KeyValidation.ValidateUserName(holder, context.Keys.Layout);

    private static RedisValue FormatMetadata(LockMetadata metadata, string holder)
    {
        if (!string.Equals(metadata.UserName, holder, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The lock metadata names user '{metadata.UserName}', not the holder '{holder}'.", nameof(metadata));
        }

        return LockMapping.FormatMetadata(metadata);
    }
}
