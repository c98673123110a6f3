namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.ChatRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class ChatScripts
{
    // KEYS: counter, data, index. ARGV: id prefix (msg_{room}_), JSON before the number, JSON after it, createdAt ms.
    public static readonly RedisScript Post = new("chat.post", """
        redis.call('HLEN', KEYS[2])
        redis.call('ZCARD', KEYS[3])
        local n = redis.pcall('INCR', KEYS[1])
        if type(n) == 'table' then
          if n.err and string.find(n.err, 'not an integer', 1, true) then return 'counter-not-an-integer' end
          return n
        end
        local digits = string.format('%d', n)
        local id = ARGV[1] .. digits
        redis.call('HSET', KEYS[2], id, ARGV[2] .. digits .. ARGV[3])
        redis.call('ZADD', KEYS[3], ARGV[4], id)
        return n
        """);

    // KEYS: data. ARGV: message id, author, JSON before createdAt's value, JSON after it.
    // Returns {1, createdAt} edited, {0} missing, {-1} other author, {-2, reason} unreadable.
    public static readonly RedisScript Edit = new("chat.edit", """
        local raw = redis.call('HGET', KEYS[1], ARGV[1])
        if not raw then return {0} end
        local ok, doc = pcall(cjson.decode, raw)
        if not ok or type(doc) ~= 'table' then return {-2, 'broken chat message JSON'} end
        local author = doc['author']
        if type(author) ~= 'table' or type(author['id']) ~= 'string' then return {-2, "chat message has no 'author.id'"} end
        if author['id'] ~= ARGV[2] then return {-1} end
        local created = doc['createdAt']
        if type(created) ~= 'number' or created ~= math.floor(created) or math.abs(created) > 9007199254740991 then
          return {-2, "chat message has no integer 'createdAt'"}
        end
        local text = string.format('%d', created)
        redis.call('HSET', KEYS[1], ARGV[1], ARGV[3] .. text .. ARGV[4])
        return {1, text}
        """);

    // KEYS: index, data. ARGV: 'rev' or 'fwd', first bound, second bound, count. Returns {ids, values}.
    public static readonly RedisScript Page = new("chat.page", """
        local ids
        if ARGV[1] == 'rev' then
          ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'LIMIT', 0, ARGV[4])
        else
          ids = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], ARGV[3], 'LIMIT', 0, ARGV[4])
        end
        if #ids == 0 then return {ids, {}} end
        return {ids, redis.call('HMGET', KEYS[2], unpack(ids))}
        """);
}
