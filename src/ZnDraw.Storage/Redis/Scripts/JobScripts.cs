namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.JobRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class JobScripts
{
    // KEYS: hash, active, inactive, by_time, extension jobs, room registry, [queue]
    // ARGV: job id, ttl, score, active?, hash name, extension-jobs name, task JSON, queue name for the registry ('' for none), field/value pairs...
    // KEYS: job hash, jobs:active, jobs:inactive, jobs:by_time, room key registry.
    // ARGV: job id, job hash name, the room's extension-job-set head ("...room:{r}:extension:").
    // The extension's job set is named from the hash's category and extension (a category with ':' names none).
    // Every read that can raise WRONGTYPE runs before the first write. Returns 1 when the hash existed.
    public static readonly RedisScript Delete = new("job.delete", """
        local names = redis.call('HMGET', KEYS[1], 'category', 'extension')
        redis.call('SCARD', KEYS[2]); redis.call('SCARD', KEYS[3]); redis.call('ZCARD', KEYS[4]); redis.call('SCARD', KEYS[5])
        local extensionJobs = nil
        local cat, ext = names[1], names[2]
        if cat and ext and cat ~= '' and ext ~= '' and not string.find(cat, ':', 1, true) then
          extensionJobs = ARGV[3] .. cat .. ':' .. ext .. ':jobs'
          redis.call('SCARD', extensionJobs)
        end
        local deleted = redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[1])
        redis.call('SREM', KEYS[3], ARGV[1])
        redis.call('ZREM', KEYS[4], ARGV[1])
        if extensionJobs then redis.call('SREM', extensionJobs, ARGV[1]) end
        redis.call('SREM', KEYS[5], ARGV[2])
        return deleted
        """);

    public static readonly RedisScript Create = new("job.create", LuaFragments.CheckType + """
        check(KEYS[1], 'hash'); check(KEYS[2], 'set'); check(KEYS[3], 'set'); check(KEYS[4], 'zset')
        check(KEYS[5], 'set'); check(KEYS[6], 'set')
        local queue = KEYS[7]
        if queue then check(queue, 'list') end
        local id = ARGV[1]
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 9))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        if ARGV[4] == '1' then
          redis.call('SREM', KEYS[3], id); redis.call('SADD', KEYS[2], id)
        else
          redis.call('SREM', KEYS[2], id); redis.call('SADD', KEYS[3], id)
        end
        redis.call('ZADD', KEYS[4], ARGV[3], id)
        redis.call('SADD', KEYS[5], id)
        redis.call('SADD', KEYS[6], ARGV[5], ARGV[6])
        if queue then
          redis.call('RPUSH', queue, ARGV[7])
          if ARGV[8] ~= '' then redis.call('SADD', KEYS[6], ARGV[8]) end
        end
        return 1
        """);

    // KEYS: hash. ARGV: worker id, now ISO, now epoch ms. Returns 1 applied, 0 not found, 2 wrong status.
    public static readonly RedisScript Start = new("job.start", LuaFragments.CheckType + LuaFragments.IsoToMilliseconds + """
        check(KEYS[1], 'hash')
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 2 end
        local wait = ''
        local created = iso_ms(redis.call('HGET', KEYS[1], 'created_at'))
        if created then wait = string.format('%.0f', tonumber(ARGV[3]) - created) end
        redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[2], 'worker_id', ARGV[1], 'wait_time_ms', wait)
        return 1
        """);

    // KEYS: hash, active, inactive. ARGV: status, now ISO, now epoch ms, field (result/error), value, job id.
    // Returns 1 applied, 0 not found, 2 already finished.
    public static readonly RedisScript Finish = new("job.finish", LuaFragments.CheckType + LuaFragments.IsoToMilliseconds + """
        check(KEYS[1], 'hash'); check(KEYS[2], 'set'); check(KEYS[3], 'set')
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local status = redis.call('HGET', KEYS[1], 'status')
        if status ~= 'queued' and status ~= 'running' then return 2 end
        local exec = ''
        local started = iso_ms(redis.call('HGET', KEYS[1], 'started_at'))
        if started then exec = string.format('%.0f', tonumber(ARGV[3]) - started) end
        redis.call('HSET', KEYS[1], 'status', ARGV[1], 'completed_at', ARGV[2], 'execution_time_ms', exec, ARGV[4], ARGV[5])
        redis.call('SREM', KEYS[2], ARGV[6])
        redis.call('SADD', KEYS[3], ARGV[6])
        return 1
        """);
}
