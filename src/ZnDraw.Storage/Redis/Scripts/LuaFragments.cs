namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>Lua functions that several scripts of the catalogue start with (prepended to their text).</summary>
internal static class LuaFragments
{
    /// <summary>
    /// <c>check(key, type)</c>: fails the script with a WRONGTYPE error naming the key, before anything is written,
    /// when the key exists with another type (Redis has no rollback: a script must refuse before its first write).
    /// </summary>
    public const string CheckType = """
        local function check(key, t)
          local ty = redis.call('TYPE', key)['ok']
          if ty ~= 'none' and ty ~= t then
            error({err = 'WRONGTYPE key ' .. key .. ' holds a ' .. ty .. ', expected a ' .. t})
          end
        end

        """;

    /// <summary>
    /// <c>iso_ms(text)</c>: ZnDraw's naive-UTC ISO timestamp (<c>2025-10-31T12:00:00.123456</c>) as epoch
    /// milliseconds (microseconds truncated), or nil for <c>""</c>, nil or unreadable text.
    /// </summary>
    public const string IsoToMilliseconds = """
        local function iso_ms(s)
          if not s or s == '' then return nil end
          local y, mo, d, h, mi, se, frac = string.match(s, '^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)%.?(%d*)')
          if not y then return nil end
          y = tonumber(y); mo = tonumber(mo); d = tonumber(d)
          if mo <= 2 then y = y - 1 end
          local era = math.floor(y / 400)
          local yoe = y - era * 400
          local mp = (mo + 9) % 12
          local doy = math.floor((153 * mp + 2) / 5) + d - 1
          local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
          local days = era * 146097 + doe - 719468
          local ms = (((days * 24 + tonumber(h)) * 60 + tonumber(mi)) * 60 + tonumber(se)) * 1000
          if frac ~= '' then ms = ms + tonumber(string.sub(frac .. '000', 1, 3)) end
          return ms
        end

        """;

    /// <summary>
    /// Lua helper prepended to scripts that write many arguments: calls <c>cmd key ARGV[first..first+count-1]</c> in
    /// chunks of at most 1000 arguments (an even number, so field/value and score/member pairs stay together), because
    /// Lua's <c>unpack</c> has a stack limit.
    /// </summary>
    public const string ChunkedCall = """
        local function chunked(cmd, key, first, count)
          local last = first + count - 1
          local i = first
          while i <= last do
            local j = math.min(i + 999, last)
            redis.call(cmd, key, unpack(ARGV, i, j))
            i = j + 1
          end
        end

        """;
}
