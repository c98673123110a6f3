namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>
/// The Lua scripts of the trajectory and bookmark repositories. Each returns an array whose first element is a status:
/// non-negative = success, <see cref="OutOfRange"/> (second element: the frame count), <see cref="Template"/> (index, member),
/// <see cref="Duplicate"/> (the member already in the set). A refused call changes nothing (checks run before any write).
/// </summary>
internal static class FrameScripts
{
    public const long OutOfRange = -1;
    public const long Template = -2;
    public const long Duplicate = -3;

    // renormalize(key): scores 0, 1, 2, ... in rank order, ZADD in chunks (Lua's unpack has a stack limit).
    // rekey_bookmarks(key, map): map(frame) returns the new frame or nil to drop it; only fields that change are
    // touched (all HDELs first, then the HSETs, so shifted fields never overwrite each other). Fields that are not
    // decimal indices are left alone (the readers report them as bad data).
    private const string Helpers = """
        local function renormalize(key)
          local all = redis.call('ZRANGE', key, 0, -1)
          local args = {}
          for i = 1, #all do
            args[#args + 1] = i - 1
            args[#args + 1] = all[i]
            if #args >= 1000 then
              redis.call('ZADD', key, unpack(args))
              args = {}
            end
          end
          if #args > 0 then redis.call('ZADD', key, unpack(args)) end
          return #all
        end

        local function rekey_bookmarks(key, map)
          local flat = redis.call('HGETALL', key)
          local dels, sets = {}, {}
          for i = 1, #flat, 2 do
            local f = flat[i]
            if #f <= 10 and string.match(f, '^%d+$') then
              local n = map(tonumber(f))
              local nf = n and string.format('%d', n)
              if nf ~= f then
                dels[#dels + 1] = f
                if nf then
                  sets[#sets + 1] = nf
                  sets[#sets + 1] = flat[i + 1]
                end
              end
            end
          end
          for i = 1, #dels do redis.call('HDEL', key, dels[i]) end
          for i = 1, #sets, 2 do redis.call('HSET', key, sets[i], sets[i + 1]) end
        end

        """;

    /// <summary>KEYS: trajectory. ARGV: members. Returns {first new index}.</summary>
    public static readonly RedisScript Append = new("frame.append", Helpers + """
        local key = KEYS[1]
        for i = 1, #ARGV do
          if redis.call('ZSCORE', key, ARGV[i]) then return {-3, ARGV[i]} end
        end
        local n = redis.call('ZCARD', key)
        local base = 0
        if n > 0 then
          base = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
          if not (base + 1 > base) then
            renormalize(key)
            base = n - 1
          end
        end
        local args = {}
        for i = 1, #ARGV do
          args[#args + 1] = base + i
          args[#args + 1] = ARGV[i]
          if #args >= 1000 then
            redis.call('ZADD', key, unpack(args))
            args = {}
          end
        end
        if #args > 0 then redis.call('ZADD', key, unpack(args)) end
        return {n}
        """);

    /// <summary>KEYS: trajectory, bookmarks. ARGV: position, member. Returns {new count}.</summary>
    public static readonly RedisScript Insert = new("frame.insert", Helpers + """
        local key = KEYS[1]
        local pos = tonumber(ARGV[1])
        local n = redis.call('ZCARD', key)
        if pos > n then return {-1, n} end
        if redis.call('ZSCORE', key, ARGV[2]) then return {-3, ARGV[2]} end
        local score
        if n == 0 then
          score = 1.0
        elseif pos == n then
          local last = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
          score = last + 1.0
          if not (score > last) then
            renormalize(key)
            score = n
          end
        elseif pos == 0 then
          local first = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2])
          score = first - 1.0
          if not (score < first) then
            renormalize(key)
            score = -1.0
          end
        else
          local r = redis.call('ZRANGE', key, pos - 1, pos, 'WITHSCORES')
          local a, b = tonumber(r[2]), tonumber(r[4])
          score = (a + b) / 2
          if not (score > a and score < b) then
            renormalize(key)
            score = pos - 0.5
          end
        end
        redis.call('ZADD', key, score, ARGV[2])
        rekey_bookmarks(KEYS[2], function(f)
          if f >= pos then return f + 1 end
          return f
        end)
        return {n + 1}
        """);

    /// <summary>
    /// KEYS: trajectory, bookmarks. ARGV: room id, "1" to allow template frames, then the indices (ascending, distinct).
    /// Returns {deleted count}.
    /// </summary>
    public static readonly RedisScript Delete = new("frame.delete", Helpers + """
        local key = KEYS[1]
        local k = #ARGV - 2
        if k == 0 then return {0} end
        local n = redis.call('ZCARD', key)
        local idx = {}
        for i = 1, k do idx[i] = tonumber(ARGV[i + 2]) end
        if idx[k] >= n then return {-1, n} end
        local members = {}
        for i = 1, k do
          local m = redis.call('ZRANGE', key, idx[i], idx[i])[1]
          if ARGV[2] ~= '1' then
            local src = string.match(m, '^(.*):[^:]*$')
            if src and src ~= ARGV[1] then return {-2, idx[i], m} end
          end
          members[i] = m
        end
        for i = 1, k, 500 do
          redis.call('ZREM', key, unpack(members, i, math.min(i + 499, k)))
        end
        local gone = {}
        for i = 1, k do gone[idx[i]] = true end
        rekey_bookmarks(KEYS[2], function(f)
          if gone[f] then return nil end
          local lo, hi = 1, k
          while lo <= hi do
            local mid = math.floor((lo + hi) / 2)
            if idx[mid] < f then lo = mid + 1 else hi = mid - 1 end
          end
          return f - (lo - 1)
        end)
        return {k}
        """);

    /// <summary>KEYS: trajectory, bookmarks. ARGV: index (decimal text), member. Returns {0, old member}.</summary>
    public static readonly RedisScript Replace = new("frame.replace", Helpers + """
        local key = KEYS[1]
        local i = tonumber(ARGV[1])
        local n = redis.call('ZCARD', key)
        if i >= n then return {-1, n} end
        local lo = 0
        if i > 0 then lo = i - 1 end
        local r = redis.call('ZRANGE', key, lo, i + 1, 'WITHSCORES')
        local at = (i - lo) * 2 + 1
        local old, score = r[at], r[at + 1]
        if old ~= ARGV[2] then
          if redis.call('ZSCORE', key, ARGV[2]) then return {-3, ARGV[2]} end
          local s = tonumber(score)
          local tied = (at > 1 and tonumber(r[at - 1]) == s) or (r[at + 3] ~= nil and tonumber(r[at + 3]) == s)
          if tied then
            renormalize(key)
            score = i
          end
          redis.call('ZREM', key, old)
          redis.call('ZADD', key, score, ARGV[2])
        end
        redis.call('HDEL', KEYS[2], ARGV[1])
        return {0, old}
        """);

    /// <summary>KEYS: trajectory. Returns {count}.</summary>
    public static readonly RedisScript Renormalize = new("frame.renormalize", Helpers + """
        return {renormalize(KEYS[1])}
        """);

    /// <summary>KEYS: trajectory, bookmarks. ARGV: frame (decimal text), label. Returns {0}.</summary>
    public static readonly RedisScript SetBookmark = new("frame.set-bookmark", """
        local n = redis.call('ZCARD', KEYS[1])
        if tonumber(ARGV[1]) >= n then return {-1, n} end
        redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
        return {0}
        """);
}
