namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.GeometryRepository"/>. None re-encodes JSON (cjson's output is not Python's).</summary>
internal static class GeometryScripts
{
    /// <summary>
    /// Compare-and-set of one hash field. KEYS: hash. ARGV: field, "1" when a value is expected ("0": the field must be
    /// missing), the expected value, the new value. Returns {1} when written, {0} when the field is now missing, {0, current}
    /// otherwise.
    /// </summary>
    public static readonly RedisScript CompareAndSet = new("geometry.compare-and-set", """
        local cur = redis.call('HGET', KEYS[1], ARGV[1])
        local ok
        if ARGV[2] == '1' then ok = (cur == ARGV[3]) else ok = (cur == false) end
        if ok then
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
          return {1}
        end
        if cur == false then return {0} end
        return {0, cur}
        """);

    /// <summary>
    /// KEYS: selection_groups, active_selection_group. ARGV: group. HDEL the group; DEL the active group when it names this
    /// group. Returns the number of fields removed.
    /// </summary>
    public static readonly RedisScript DeleteGroup = new("geometry.delete-group", """
        local removed = redis.call('HDEL', KEYS[1], ARGV[1])
        if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
        return removed
        """);

    /// <summary>
    /// KEYS: selection_groups, selections, active_selection_group. ARGV: group. Copies every selection of the group into the
    /// selections hash and makes the group active. Returns 1 when loaded, 0 when the group is missing (nothing changed), -1
    /// when the stored group is not a JSON object of index arrays (nothing changed).
    /// </summary>
    /// <remarks>
    /// The group JSON is only decoded (cjson.decode); each selection is written in Python's json.dumps form (<c>[0, 1]</c>)
    /// by string concatenation, so values are byte-identical to what ZnDraw writes. Everything is validated before the first
    /// write.
    /// </remarks>
    public static readonly RedisScript LoadGroup = new("geometry.load-group", """
        local raw = redis.call('HGET', KEYS[1], ARGV[1])
        if not raw then return 0 end
        if not string.match(raw, '^%s*{') then return -1 end
        local ok, group = pcall(cjson.decode, raw)
        if not ok or type(group) ~= 'table' then return -1 end
        local out = {}
        for geometry, indices in pairs(group) do
          if type(geometry) ~= 'string' or type(indices) ~= 'table' then return -1 end
          local count = 0
          for _ in pairs(indices) do count = count + 1 end
          local parts = {}
          for i = 1, count do
            local v = indices[i]
            if type(v) ~= 'number' or v < 0 or v > 2147483647 or v ~= math.floor(v) then return -1 end
            parts[i] = string.format('%d', v)
          end
          out[#out + 1] = geometry
          out[#out + 1] = '[' .. table.concat(parts, ', ') .. ']'
        end
        for i = 1, #out, 2 do redis.call('HSET', KEYS[2], out[i], out[i + 1]) end
        redis.call('SET', KEYS[3], ARGV[1])
        return 1
        """);
}
