namespace ZnDraw.Storage.Redis.Scripts;

/// <summary>The Lua scripts of <see cref="Repositories.UserRepository"/> (catalogue: docs/scripts.md).</summary>
internal static class UserScripts
{
    // Scripts are not rolled back on error: every type check (HLEN, SCARD, GET raise WRONGTYPE) comes before any write.

    // KEYS: user hash, [users:index]. ARGV: name, then field/value pairs.
    public static readonly RedisScript Create = new("user.create", """
        local len = redis.call('HLEN', KEYS[1])
        if KEYS[2] then redis.call('SCARD', KEYS[2]) end
        local created = 0
        if len == 0 then
          redis.call('HSET', KEYS[1], unpack(ARGV, 2))
          created = 1
        end
        if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[1]) end
        return created
        """);

    // KEYS: user hash, [users:index]. ARGV: name, n, n field names to delete, then field/value pairs.
    public static readonly RedisScript Save = new("user.save", """
        redis.call('HLEN', KEYS[1])
        if KEYS[2] then redis.call('SCARD', KEYS[2]) end
        local n = tonumber(ARGV[2])
        if n > 0 then redis.call('HDEL', KEYS[1], unpack(ARGV, 3, 2 + n)) end
        redis.call('HSET', KEYS[1], unpack(ARGV, 3 + n))
        if KEYS[2] then redis.call('SADD', KEYS[2], ARGV[1]) end
        return 1
        """);

    // KEYS: user hash, admin flag, [users:index, admins:index]. ARGV: name. Returns 1 when the hash existed.
    public static readonly RedisScript Delete = new("user.delete", """
        if KEYS[3] then
          redis.call('SCARD', KEYS[3])
          redis.call('SCARD', KEYS[4])
        end
        local existed = redis.call('DEL', KEYS[1])
        redis.call('DEL', KEYS[2])
        if KEYS[3] then
          redis.call('SREM', KEYS[3], ARGV[1])
          redis.call('SREM', KEYS[4], ARGV[1])
        end
        return existed
        """);

    // KEYS: user hash. ARGV: field/value pairs. Writes only into an existing hash.
    public static readonly RedisScript SetFields = new("user.set-fields", """
        if redis.call('HLEN', KEYS[1]) == 0 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV))
        return 1
        """, historyWhen: HistoryWhen.EqualTo(1));

    // KEYS: user hash. ARGV: hash, salt. The first password of an existing user: 1 written, 0 no user, -1 already registered.
    public static readonly RedisScript RegisterPassword = new("user.register-password", """
        if redis.call('HLEN', KEYS[1]) == 0 then return 0 end
        if redis.call('HEXISTS', KEYS[1], 'passwordHash') == 1 then return -1 end
        redis.call('HSET', KEYS[1], 'passwordHash', ARGV[1], 'passwordSalt', ARGV[2])
        return 1
        """);

    // KEYS: admin flag, admins:index. ARGV: name, '1' (grant) or '0' (revoke).
    public static readonly RedisScript SetAdmin = new("user.set-admin", """
        redis.call('SCARD', KEYS[2])
        if ARGV[2] == '1' then
          redis.call('SET', KEYS[1], '1')
          redis.call('SADD', KEYS[2], ARGV[1])
        else
          redis.call('DEL', KEYS[1])
          redis.call('SREM', KEYS[2], ARGV[1])
        end
        return 1
        """);

    // ZnDraw layout. KEYS: old hash, new hash, old flag, new flag, users:index, admins:index.
    // ARGV: old name, new name, now, '1' when a new password is given, hash, salt.
    // Returns 1 renamed, 0 old missing, -1 new exists. Field order as ZnDraw's register_user writes them.
    public static readonly RedisScript Rename = new("user.rename", """
        local oldLen = redis.call('HLEN', KEYS[1])
        local newLen = redis.call('HLEN', KEYS[2])
        local admin = redis.call('GET', KEYS[3])
        redis.call('SCARD', KEYS[5])
        redis.call('SCARD', KEYS[6])
        if oldLen == 0 then return 0 end
        if newLen > 0 then return -1 end
        local hash, salt = ARGV[5], ARGV[6]
        if ARGV[4] ~= '1' then
          hash = redis.call('HGET', KEYS[1], 'passwordHash')
          salt = redis.call('HGET', KEYS[1], 'passwordSalt')
        end
        local created = redis.call('HGET', KEYS[1], 'createdAt') or ARGV[3]
        local f = {'userName', ARGV[2]}
        if hash then f[#f + 1] = 'passwordHash'; f[#f + 1] = hash end
        if salt then f[#f + 1] = 'passwordSalt'; f[#f + 1] = salt end
        f[#f + 1] = 'createdAt'; f[#f + 1] = created
        f[#f + 1] = 'lastLogin'; f[#f + 1] = ARGV[3]
        redis.call('HSET', KEYS[2], unpack(f))
        redis.call('DEL', KEYS[1], KEYS[3])
        redis.call('SREM', KEYS[5], ARGV[1])
        redis.call('SADD', KEYS[5], ARGV[2])
        redis.call('SREM', KEYS[6], ARGV[1])
        if admin == '1' then
          redis.call('SET', KEYS[4], '1')
          redis.call('SADD', KEYS[6], ARGV[2])
        end
        return 1
        """);

    // Cluster-safe rename, step 2 (new user's slot). KEYS: new hash, new flag. ARGV: '1' when admin, then field/value pairs.
    public static readonly RedisScript RenameCreate = new("user.rename-create", """
        if redis.call('HLEN', KEYS[1]) > 0 then return 0 end
        redis.call('HSET', KEYS[1], unpack(ARGV, 2))
        if ARGV[1] == '1' then redis.call('SET', KEYS[2], '1') end
        return 1
        """);

    // Cluster-safe rename, step 3 (old user's slot). KEYS: old hash, old flag. Returns 0 when the old hash is gone.
    public static readonly RedisScript RenameDeleteOld = new("user.rename-delete-old", """
        if redis.call('HLEN', KEYS[1]) == 0 then return 0 end
        redis.call('DEL', KEYS[1], KEYS[2])
        return 1
        """);
}
