namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.FilesystemRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class FilesystemScripts
{
    // KEYS: metadata, worker, reverse index, index, [registry], [registrations]
    // ARGV: name, sid, has registry, has registrations, entry, metadata name, worker name, reverse name, field/value pairs...
    // KEYS: the scope's filesystem index. ARGV: the metadata key head. Returns name, HGETALL pairs, name, ...
    // A metadata key of the wrong type yields its error text instead of its fields: the listing reports that entry and
    // goes on (redis.pcall), where a plain call would fail the whole listing.
    public static readonly RedisScript List = new("filesystem.list", """
        local out = {}
        for _, name in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          out[#out + 1] = name
          local fields = redis.pcall('HGETALL', ARGV[1] .. name)
          if fields.err then fields = fields.err end
          out[#out + 1] = fields
        end
        return out
        """);

    public static readonly RedisScript Register = new("filesystem.register", LuaFragments.CheckType + """
        local k = 5
        local registry, registrations
        if ARGV[3] == '1' then registry = KEYS[k]; k = k + 1 end
        if ARGV[4] == '1' then registrations = KEYS[k] end
        check(KEYS[1], 'hash'); check(KEYS[2], 'string'); check(KEYS[3], 'set'); check(KEYS[4], 'set')
        if registry then check(registry, 'set') end
        if registrations then check(registrations, 'set') end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 9))
        redis.call('SET', KEYS[2], ARGV[2])
        redis.call('SADD', KEYS[3], ARGV[1])
        redis.call('SADD', KEYS[4], ARGV[1])
        if registry then redis.call('SADD', registry, ARGV[6], ARGV[7], ARGV[8]) end
        if registrations then redis.call('SADD', registrations, ARGV[5]) end
        return 1
        """);

    // KEYS: metadata, worker, index, [registry]. ARGV: name, has registry, metadata key name, worker key name, the
    // metadata key head ("...filesystems:"), which is also the head of the provider's reverse index (ZnDraw's layout).
    // The provider is read here, so the removal is one step; its reverse index must be a set (or absent).
    public static readonly RedisScript Unregister = new("filesystem.unregister", LuaFragments.CheckType + """
        local registry
        if ARGV[2] == '1' then registry = KEYS[4] end
        check(KEYS[1], 'hash'); check(KEYS[2], 'string'); check(KEYS[3], 'set')
        if registry then check(registry, 'set') end
        local owner = redis.call('GET', KEYS[2]) or ''
        local reverse
        if owner ~= '' then reverse = ARGV[5] .. owner; check(reverse, 'set') end
        local existed = redis.call('EXISTS', KEYS[1])
        redis.call('DEL', KEYS[1], KEYS[2])
        redis.call('SREM', KEYS[3], ARGV[1])
        if registry then redis.call('SREM', registry, ARGV[3], ARGV[4]) end
        if reverse then redis.call('SREM', reverse, ARGV[1]) end
        return existed
        """);

    // KEYS: [registrations], then per group: reverse index, index, [registry], then per name: metadata, worker
    // ARGV: sid, has registrations, group count, then per group: entry, has registry, n, n names
    // Returns -1 when a reverse index changed since it was read, else the number of filesystems removed.
    public static readonly RedisScript UnregisterWorker = new("filesystem.unregister-worker", LuaFragments.CheckType + """
        local sid = ARGV[1]
        local k = 1
        local registrations
        if ARGV[2] == '1' then registrations = KEYS[1]; k = 2; check(registrations, 'set') end
        local a = 4
        local groups = {}
        for g = 1, tonumber(ARGV[3]) do
          local grp = { entry = ARGV[a], rev = KEYS[k], index = KEYS[k + 1], items = {} }
          local hasRegistry = ARGV[a + 1] == '1'
          local n = tonumber(ARGV[a + 2])
          a = a + 3
          k = k + 2
          if hasRegistry then grp.registry = KEYS[k]; k = k + 1; check(grp.registry, 'set') end
          check(grp.rev, 'set'); check(grp.index, 'set')
          if redis.call('SCARD', grp.rev) ~= n then return -1 end
          for i = 1, n do
            local name = ARGV[a]
            a = a + 1
            if redis.call('SISMEMBER', grp.rev, name) == 0 then return -1 end
            check(KEYS[k], 'hash'); check(KEYS[k + 1], 'string')
            grp.items[i] = { name = name, meta = KEYS[k], worker = KEYS[k + 1] }
            k = k + 2
          end
          groups[g] = grp
        end
        local removed = 0
        for _, grp in ipairs(groups) do
          for _, it in ipairs(grp.items) do
            if redis.call('GET', it.worker) == sid then
              redis.call('DEL', it.meta, it.worker)
              redis.call('SREM', grp.index, it.name)
              if grp.registry then redis.call('SREM', grp.registry, it.meta, it.worker) end
              removed = removed + 1
            end
          end
          redis.call('DEL', grp.rev)
          if grp.registry then redis.call('SREM', grp.registry, grp.rev) end
          if registrations then redis.call('SREM', registrations, grp.entry) end
        end
        return removed
        """);
}
