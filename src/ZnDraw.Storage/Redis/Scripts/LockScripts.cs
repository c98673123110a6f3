namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.LockRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class LockScripts
{
    // Scripts are not rolled back on error: every type check (GET, SCARD raise WRONGTYPE) comes before any write.

    // KEYS: lock, metadata, registry. ARGV: holder, seconds, '1' when metadata is given, metadata JSON.
    public static readonly RedisScript Acquire = new("lock.acquire", """
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
    public static readonly RedisScript Refresh = new("lock.refresh", """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        redis.call('EXPIRE', KEYS[2], ARGV[2])
        return 1
        """);

    // KEYS: lock, metadata, registry. ARGV: holder.
    public static readonly RedisScript Release = new("lock.release", """
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
    public static readonly RedisScript SetMetadata = new("lock.set-metadata", """
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
    public static readonly RedisScript Get = new("lock.get", """
        local holder = redis.call('GET', KEYS[1])
        if not holder then return false end
        return {holder, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[2])}
        """);

    // KEYS: presenter_lock. ARGV: sid, seconds.
    public static readonly RedisScript AcquirePresenter = new("lock.acquire-presenter", """
        local cur = redis.call('GET', KEYS[1])
        if cur and cur ~= ARGV[1] then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
        return 1
        """);

    // KEYS: presenter_lock. ARGV: sid.
    public static readonly RedisScript ReleasePresenter = new("lock.release-presenter", """
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        return 1
        """);
}
