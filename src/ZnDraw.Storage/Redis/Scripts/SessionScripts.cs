namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.SessionRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class SessionScripts
{
    // KEYS: sid, role. Returns 1 when the sid key existed. (One multi-key DEL would not tell which key existed.)
    public static readonly RedisScript Delete = new("session.delete", """
        local existed = redis.call('DEL', KEYS[1])
        redis.call('DEL', KEYS[2])
        return existed
        """, historyWhen: HistoryWhen.EqualTo(1));
}
