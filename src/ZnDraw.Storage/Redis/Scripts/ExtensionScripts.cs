namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.ExtensionRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class ExtensionScripts
{
    // KEYS: schema, idle, progressing, reverse index, [room registry], [worker registrations]
    // ARGV: name, schema JSON, sid, has registry, has registrations, registration entry, key names for the registry...
    // Returns 1 registered, 2 joined, 0 schema conflict, -2 stored schema is not JSON.
    public static readonly RedisScript Register = new("extension.register", LuaFragments.CheckType + """
        local function deq(a, b)
          if type(a) ~= type(b) then return false end
          if type(a) ~= 'table' then return a == b end
          for k, v in pairs(a) do
            if not deq(v, b[k]) then return false end
          end
          for k, _ in pairs(b) do
            if a[k] == nil then return false end
          end
          return true
        end
        local k = 5
        local registry, registrations
        if ARGV[4] == '1' then registry = KEYS[k]; k = k + 1 end
        if ARGV[5] == '1' then registrations = KEYS[k] end
        check(KEYS[1], 'hash'); check(KEYS[2], 'set'); check(KEYS[3], 'set'); check(KEYS[4], 'set')
        if registry then check(registry, 'set') end
        if registrations then check(registrations, 'set') end
        local existing = redis.call('HGET', KEYS[1], ARGV[1])
        local result = 1
        if existing then
          if existing ~= ARGV[2] then
            local ok, stored = pcall(cjson.decode, existing)
            if not ok then return -2 end
            if not deq(stored, cjson.decode(ARGV[2])) then return 0 end
          end
          result = 2
        else
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        end
        if redis.call('SISMEMBER', KEYS[3], ARGV[3]) == 0 then
          redis.call('SADD', KEYS[2], ARGV[3])
        end
        redis.call('SADD', KEYS[4], ARGV[1])
        if registry then
          for i = 7, #ARGV do redis.call('SADD', registry, ARGV[i]) end
        end
        if registrations then redis.call('SADD', registrations, ARGV[6]) end
        return result
        """, historyWhen: HistoryWhen.GreaterThan(0));

    // KEYS: [registrations], then per group: reverse index, schema, [registry], then per extension: idle, progressing, queue
    // ARGV: sid, has registrations, group count, then per group: entry ('' for a scope found through ZnDraw's keys, which
    //       has none), has registry, n, n extension names, then the n key-name triples are taken from KEYS (for the
    //       registry SREM).
    // Returns {-1} when a reverse index changed since it was read, else {registrations removed, extensions deleted}.
    public static readonly RedisScript Unregister = new("extension.unregister", LuaFragments.CheckType + """
        local sid = ARGV[1]
        local k = 1
        local registrations
        if ARGV[2] == '1' then registrations = KEYS[1]; k = 2; check(registrations, 'set') end
        local ngroups = tonumber(ARGV[3])
        local a = 4
        local groups = {}
        for g = 1, ngroups do
          local grp = { entry = ARGV[a], rev = KEYS[k], schema = KEYS[k + 1], exts = {} }
          local hasRegistry = ARGV[a + 1] == '1'
          local n = tonumber(ARGV[a + 2])
          a = a + 3
          k = k + 2
          if hasRegistry then grp.registry = KEYS[k]; k = k + 1 end
          check(grp.rev, 'set'); check(grp.schema, 'hash')
          if grp.registry then check(grp.registry, 'set') end
          if redis.call('SCARD', grp.rev) ~= n then return {-1} end
          for i = 1, n do
            local name = ARGV[a]
            a = a + 1
            if redis.call('SISMEMBER', grp.rev, name) == 0 then return {-1} end
            grp.exts[i] = { name = name, idle = KEYS[k], prog = KEYS[k + 1], queue = KEYS[k + 2] }
            check(KEYS[k], 'set'); check(KEYS[k + 1], 'set'); check(KEYS[k + 2], 'list')
            k = k + 3
          end
          groups[g] = grp
        end
        local removed, deleted = 0, 0
        for _, grp in ipairs(groups) do
          for _, e in ipairs(grp.exts) do
            redis.call('SREM', e.idle, sid)
            redis.call('SREM', e.prog, sid)
            removed = removed + 1
            if redis.call('SCARD', e.idle) == 0 and redis.call('SCARD', e.prog) == 0 and redis.call('LLEN', e.queue) == 0 then
              redis.call('DEL', e.idle, e.prog)
              if redis.call('HDEL', grp.schema, e.name) == 1 then deleted = deleted + 1 end
              if grp.registry then redis.call('SREM', grp.registry, e.idle, e.prog, e.queue) end
            end
          end
          redis.call('DEL', grp.rev)
          if grp.registry then
            redis.call('SREM', grp.registry, grp.rev)
            if redis.call('EXISTS', grp.schema) == 0 then redis.call('SREM', grp.registry, grp.schema) end
          end
          if registrations and grp.entry ~= '' then redis.call('SREM', registrations, grp.entry) end
        end
        return {removed, deleted}
        """);

    // KEYS: schema, [room registry]. ARGV: name, schema JSON, schema key name (for the registry).
    public static readonly RedisScript Save = new("extension.save", LuaFragments.CheckType + """
        check(KEYS[1], 'hash')
        if KEYS[2] then check(KEYS[2], 'set') end
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
        if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[3]) end
        return 1
        """);

    // KEYS: schema, idle, progressing, queue, [room registry]
    // ARGV: name, category head (a worker's reverse index is head .. sid), schema, idle, progressing and queue key names.
    // Every key is type-checked before the first write. Returns 1 when the schema field existed.
    public static readonly RedisScript Delete = new("extension.delete", LuaFragments.CheckType + """
        check(KEYS[1], 'hash'); check(KEYS[2], 'set'); check(KEYS[3], 'set'); check(KEYS[4], 'list')
        local registry = KEYS[5]
        if registry then check(registry, 'set') end
        local workers = redis.call('SUNION', KEYS[2], KEYS[3])
        for _, sid in ipairs(workers) do check(ARGV[2] .. sid, 'set') end
        local existed = redis.call('HDEL', KEYS[1], ARGV[1])
        for _, sid in ipairs(workers) do redis.call('SREM', ARGV[2] .. sid, ARGV[1]) end
        redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
        if registry then
          redis.call('SREM', registry, ARGV[4], ARGV[5], ARGV[6])
          if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', registry, ARGV[3]) end
        end
        return existed
        """);

    // KEYS: idle, progressing. Returns the worker id or nil.
    public static readonly RedisScript Acquire = new("extension.acquire", """
        local w = redis.call('SPOP', KEYS[1])
        if not w then return false end
        redis.call('SADD', KEYS[2], w)
        return w
        """);

    // KEYS: reverse index, idle, progressing. ARGV: sid, extension name, the category's key head ("...:extensions:{cat}:").
    // The other extensions the worker serves come from its reverse index; their sets are head .. name .. suffix.
    // Every type check runs before the first write (scripts are not rolled back). Returns 1/0: was the worker progressing.
    public static readonly RedisScript Release = new("extension.release", """
        local sid, name, head = ARGV[1], ARGV[2], ARGV[3]
        local served = redis.call('SMEMBERS', KEYS[1])
        redis.call('SCARD', KEYS[2])
        redis.call('SCARD', KEYS[3])
        local isMember = false
        local others = {}
        for _, other in ipairs(served) do
          if other == name then
            isMember = true
          else
            others[#others + 1] = other
            redis.call('SCARD', head .. other .. ':idle_workers')
            redis.call('SCARD', head .. other .. ':progressing_workers')
          end
        end
        local was = redis.call('SREM', KEYS[3], sid)
        if not isMember then return was end
        redis.call('SADD', KEYS[2], sid)
        for _, other in ipairs(others) do
          redis.call('SREM', head .. other .. ':progressing_workers', sid)
          redis.call('SADD', head .. other .. ':idle_workers', sid)
        end
        return was
        """);

    // KEYS: queue, idle, progressing, [job hash]
    // ARGV: expected head, sid, now ISO, now epoch ms, '1' to update the job hash (KEYS[4]) here
    // Returns {0} empty, {-1, head} head changed, {2, next head} stale task dropped, {3} worker not idle, {1} dequeued.
    public static readonly RedisScript Dequeue = new("extension.dequeue", LuaFragments.IsoToMilliseconds + """
        local head = redis.call('LINDEX', KEYS[1], 0)
        if not head then return {0} end
        if head ~= ARGV[1] then return {-1, head} end
        local withJob = ARGV[5] == '1'
        if withJob then
          local status = redis.call('HGET', KEYS[4], 'status')
          if not status or status == 'completed' or status == 'failed' then
            redis.call('LPOP', KEYS[1])
            local nxt = redis.call('LINDEX', KEYS[1], 0)
            if nxt then return {2, nxt} end
            return {2}
          end
        end
        if redis.call('SMOVE', KEYS[2], KEYS[3], ARGV[2]) == 0 then return {3} end
        redis.call('LPOP', KEYS[1])
        if withJob then
          local wait = ''
          local created = iso_ms(redis.call('HGET', KEYS[4], 'created_at'))
          if created then wait = string.format('%.0f', tonumber(ARGV[4]) - created) end
          redis.call('HSET', KEYS[4], 'status', 'running', 'started_at', ARGV[3], 'worker_id', ARGV[2], 'wait_time_ms', wait)
        end
        return {1}
        """);
}
