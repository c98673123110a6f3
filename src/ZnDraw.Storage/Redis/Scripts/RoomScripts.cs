namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.RoomRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class RoomScripts
{
    // KEYS: current_frame, locked, hidden, description, geometries, [rooms:index]
    // ARGV: room id, has description ("1"/"0"), description, then geometry name/value pairs in order.
    // Scripts are not rolled back on error, so every type check (HLEN/SCARD raise WRONGTYPE) comes before any write.
    public static readonly RedisScript Create = new("room.create", """
        redis.call('HLEN', KEYS[5])
        if KEYS[6] then redis.call('SCARD', KEYS[6]) end
        local created = 0
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('SET', KEYS[1], '0')
          redis.call('SET', KEYS[2], '0')
          redis.call('SET', KEYS[3], '0')
          if ARGV[2] == '1' then redis.call('SET', KEYS[4], ARGV[3]) end
          redis.call('HSET', KEYS[5], unpack(ARGV, 4))
          created = 1
        end
        if KEYS[6] then redis.call('SADD', KEYS[6], ARGV[1]) end
        return created
        """, historyWhen: HistoryWhen.EqualTo(1));

    // ZnDraw layout only (one node). KEYS: source trajectory, geometries, bookmarks; target current_frame, locked,
    // hidden, description, trajectory, geometries, bookmarks; rooms:index.
    // ARGV: target id, has description, description. Returns a RoomCopyResult.
    public static readonly RedisScript Copy = new("room.copy", """
        if redis.call('ZCARD', KEYS[1]) == 0 then return 1 end
        redis.call('HLEN', KEYS[2])
        redis.call('HLEN', KEYS[3])
        redis.call('SCARD', KEYS[11])
        if redis.call('EXISTS', KEYS[4]) == 1 then return 2 end
        redis.call('COPY', KEYS[1], KEYS[8], 'REPLACE')
        redis.call('DEL', KEYS[9], KEYS[10])
        redis.call('COPY', KEYS[2], KEYS[9])
        redis.call('COPY', KEYS[3], KEYS[10])
        if ARGV[2] == '1' then redis.call('SET', KEYS[7], ARGV[3]) end
        redis.call('SET', KEYS[4], '0')
        redis.call('SET', KEYS[5], '0')
        redis.call('SET', KEYS[6], '0')
        redis.call('SADD', KEYS[11], ARGV[1])
        return 0
        """, historyWhen: HistoryWhen.EqualTo(0));

    // Cluster-safe layout: writes the target from a source read earlier, all keys in the target's slot (the decisive step
    // of a copy, so it carries the copied event).
    // KEYS: current_frame, locked, hidden, description, trajectory, geometries, bookmarks.
    // ARGV: has description, description, #trajectory args, #geometry args, #bookmark args, then
    // score/member pairs, geometry field/value pairs, bookmark field/value pairs.
    public static readonly RedisScript CopyWrite = new("room.copy-write", LuaFragments.ChunkedCall + """
        if redis.call('EXISTS', KEYS[1]) == 1 then return 2 end
        redis.call('DEL', KEYS[5], KEYS[6], KEYS[7])
        local nt, ng, nb = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        chunked('ZADD', KEYS[5], 6, nt)
        chunked('HSET', KEYS[6], 6 + nt, ng)
        chunked('HSET', KEYS[7], 6 + nt + ng, nb)
        if ARGV[1] == '1' then redis.call('SET', KEYS[4], ARGV[2]) end
        redis.call('SET', KEYS[1], '0')
        redis.call('SET', KEYS[2], '0')
        redis.call('SET', KEYS[3], '0')
        return 0
        """, historyWhen: HistoryWhen.EqualTo(0));

    // KEYS: the RoomFixedKeys (registry, jobs:active, jobs:inactive, jobs:by_time, the rest), [rooms:index].
    // ARGV: room id, job hash head, room key base, number of room keys in KEYS.
    // Deletes the job hashes named in the job sets and the keys named in the registry (only names under the room's
    // base or the job head, so a damaged registry cannot reach other data), then the fixed keys, then SREM.
    public static readonly RedisScript Delete = new("room.delete", """
        local removed = 0
        local jobHead, base = ARGV[2], ARGV[3]
        local n = tonumber(ARGV[4])
        if KEYS[n + 1] then redis.call('SCARD', KEYS[n + 1]) end
        local function del(list)
          for i = 1, #list, 500 do
            removed = removed + redis.call('DEL', unpack(list, i, math.min(i + 499, #list)))
          end
        end
        local names = {}
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do names[#names + 1] = jobHead .. id end
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do names[#names + 1] = jobHead .. id end
        for _, id in ipairs(redis.call('ZRANGE', KEYS[4], 0, -1)) do names[#names + 1] = jobHead .. id end
        for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if string.sub(k, 1, #base) == base or string.sub(k, 1, #jobHead) == jobHead then names[#names + 1] = k end
        end
        del(names)
        removed = removed + redis.call('DEL', unpack(KEYS, 1, n))
        if KEYS[n + 1] then redis.call('SREM', KEYS[n + 1], ARGV[1]) end
        return removed
        """, historyWhen: HistoryWhen.GreaterThan(0));

    // KEYS: description, locked, hidden, current_frame, [rooms:index].
    // ARGV: has description, description, locked, hidden, current frame, room id.
    public static readonly RedisScript Save = new("room.save", """
        if KEYS[5] then redis.call('SCARD', KEYS[5]) end
        if ARGV[1] == '1' then redis.call('SET', KEYS[1], ARGV[2]) else redis.call('DEL', KEYS[1]) end
        redis.call('SET', KEYS[2], ARGV[3])
        redis.call('SET', KEYS[3], ARGV[4])
        redis.call('SET', KEYS[4], ARGV[5])
        if KEYS[5] then redis.call('SADD', KEYS[5], ARGV[6]) end
        return 1
        """);

    // KEYS: current_frame, target key. ARGV: "1" to SET ARGV[2], "0" to DEL. Returns 1 when the room exists.
    public static readonly RedisScript SetIfExists = new("room.set-if-exists", """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if ARGV[1] == '1' then redis.call('SET', KEYS[2], ARGV[2]) else redis.call('DEL', KEYS[2]) end
        return 1
        """, historyWhen: HistoryWhen.EqualTo(1));

    // KEYS: current_frame, metadata. ARGV: field/value pairs. Returns 1 when the room exists.
    public static readonly RedisScript SetMetadata = new("room.set-metadata", LuaFragments.ChunkedCall + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        chunked('HSET', KEYS[2], 1, #ARGV)
        return 1
        """);

    // KEYS: user hash, [room users]. ARGV: user name, room id. Returns 0 (nothing written) when the user hash is absent:
    // the check and the writes are one step, so a join racing the user's deletion never leaves a hash with only
    // currentRoom. Type checks come before any write (scripts are not rolled back).
    public static readonly RedisScript AddUser = new("room.add-user", """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        redis.call('HLEN', KEYS[1])
        if KEYS[2] then
          redis.call('SCARD', KEYS[2])
          redis.call('SADD', KEYS[2], ARGV[1])
        end
        redis.call('HSET', KEYS[1], 'currentRoom', ARGV[2])
        return 1
        """);
}
