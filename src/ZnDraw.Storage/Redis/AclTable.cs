using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Redis;

/// <summary>A command a feature set issues: its ACL name (<c>xgroup|create</c>) and the arguments of its dry probe.</summary>
/// <param name="Feature">The feature set that needs it first (the others build on <see cref="ZnDrawAclFeatures.Core"/>).</param>
/// <param name="Name">The ACL name, lower case, <c>command|subcommand</c> for a subcommand.</param>
/// <param name="Probe">Arguments after the command (and subcommand) for <c>redis.acl_check_cmd</c>: <c>K</c> is a key in
/// the prefix, <c>S</c> the outbox stream, <c>C</c> a notification channel pattern; <see langword="null"/>: not probed
/// (the handshake, which has already run, and commands that a missing permission degrades instead of failing).</param>
internal readonly record struct AclCommand(ZnDrawAclFeatures Feature, string Name, string[]? Probe);

/// <summary>
/// Every command each feature set issues, derived from the code (repositories, Lua scripts, the history outbox and
/// dispatcher, the index maintenance and reconciler, StackExchange.Redis's handshake); <c>docs/acl.md</c> says why each
/// is there. <see cref="ZnDrawRedisAcl.For"/> builds rules from it, the start check probes it.
/// </summary>
internal static class AclTable
{
    private const ZnDrawAclFeatures Core = ZnDrawAclFeatures.Core;
    private const ZnDrawAclFeatures History = ZnDrawAclFeatures.DurableHistory;
    private const ZnDrawAclFeatures Notify = ZnDrawAclFeatures.KeyspaceNotifications;
    private const ZnDrawAclFeatures Reindex = ZnDrawAclFeatures.Reindex;
    private const ZnDrawAclFeatures Cluster = ZnDrawAclFeatures.Cluster;
    private const ZnDrawAclFeatures Check = ZnDrawAclFeatures.Check;

    /// <summary>The probe key's name after the prefix (never written: the probe only asks the ACL).</summary>
    public const string ProbeKey = "zndraw-storage:acl-probe";

    public static readonly AclCommand[] Commands =
    [
        // StackExchange.Redis's handshake and heartbeat, and the health check (PING). Without ECHO the 3.x client does
        // not connect; without INFO it guesses the server's version and role; SELECT serves a database other than 0.
        // HELLO (RESP3 only), CLIENT SETNAME/ID/SETINFO, CONFIG GET, CLUSTER on one node: tolerated, left out.
        new(Core, "ping", []),
        new(Core, "echo", null),
        new(Core, "info", null),
        new(Core, "select", null),

        // Scripts and transactions (every multi-key write is one of them).
        new(Core, "evalsha", ["0000000000000000000000000000000000000000", "1", "K"]),
        new(Core, "eval", ["return 0", "1", "K"]),
        new(Core, "multi", []),
        new(Core, "exec", []),

        // Strings and keys.
        new(Core, "get", ["K"]),
        new(Core, "mget", ["K"]),
        new(Core, "set", ["K", "v"]),
        new(Core, "setex", ["K", "1", "v"]),
        new(Core, "del", ["K"]),
        new(Core, "exists", ["K"]),
        new(Core, "type", ["K"]),
        new(Core, "incr", ["K"]),
        new(Core, "expire", ["K", "1"]),
        new(Core, "pttl", ["K"]),
        new(Core, "copy", ["K", "K"]),

        // Hashes.
        new(Core, "hget", ["K", "f"]),
        new(Core, "hmget", ["K", "f"]),
        new(Core, "hgetall", ["K"]),
        new(Core, "hset", ["K", "f", "v"]),
        new(Core, "hmset", ["K", "f", "v"]),
        new(Core, "hdel", ["K", "f"]),
        new(Core, "hkeys", ["K"]),
        new(Core, "hlen", ["K"]),
        new(Core, "hexists", ["K", "f"]),

        // Sets.
        new(Core, "sadd", ["K", "m"]),
        new(Core, "srem", ["K", "m"]),
        new(Core, "smembers", ["K"]),
        new(Core, "scard", ["K"]),
        new(Core, "sismember", ["K", "m"]),
        new(Core, "spop", ["K"]),
        new(Core, "smove", ["K", "K", "m"]),
        new(Core, "sunion", ["K"]),

        // Sorted sets.
        new(Core, "zadd", ["K", "1", "m"]),
        new(Core, "zrem", ["K", "m"]),
        new(Core, "zrange", ["K", "0", "-1"]),
        new(Core, "zrangebyscore", ["K", "0", "1"]),
        new(Core, "zrevrangebyscore", ["K", "1", "0"]),
        new(Core, "zcard", ["K"]),
        new(Core, "zscore", ["K", "m"]),

        // Lists.
        new(Core, "rpush", ["K", "v"]),
        new(Core, "lpop", ["K"]),
        new(Core, "lindex", ["K", "0"]),
        new(Core, "llen", ["K"]),

        // Replication.WaitForReplicas > 0 only.
        new(Core, "wait", null),

        // Durable history: the outbox (appended in the repositories' scripts and transactions) and its dispatcher.
        new(History, "xadd", ["S", "*", "f", "v"]),
        new(History, "xgroup|create", ["S", "g", "0", "MKSTREAM"]),
        new(History, "xgroup|delconsumer", ["S", "g", "c"]),
        new(History, "xreadgroup", ["GROUP", "g", "c", "STREAMS", "S", ">"]),
        new(History, "xautoclaim", ["S", "g", "c", "0", "0"]),
        new(History, "xack", ["S", "g", "0-1"]),
        new(History, "xtrim", ["S", "MINID", "0"]),
        new(History, "xinfo|consumers", ["S", "g"]),
        new(History, "xinfo|groups", ["S"]),
        new(History, "xpending", ["S", "g"]),

        // The reconciler's keyspace notifications (the pattern is checked against the channel rule).
        new(Notify, "psubscribe", ["C"]),
        new(Notify, "punsubscribe", null),

        // The reindex and the periodic reconcile pass: SCAN every primary for the prefix's keys.
        new(Reindex, "scan", ["0"]),

        // The operator tool's check: DBSIZE of each primary for its progress estimate (and the reindex's SCAN).
        new(Check, "dbsize", []),

        // Redis Cluster: StackExchange.Redis's slot discovery and redirects.
        new(Cluster, "cluster|slots", null),
        new(Cluster, "cluster|nodes", null),
        new(Cluster, "asking", null),
    ];

    /// <summary>The feature set that needs <paramref name="command"/> (an ACL name, any case), or <see langword="null"/>.</summary>
    public static ZnDrawAclFeatures? FeatureOf(string command)
    {
        foreach (AclCommand entry in Commands)
        {
            if (string.Equals(entry.Name, command, StringComparison.OrdinalIgnoreCase)
                || (!command.Contains('|', StringComparison.Ordinal) && entry.Name.StartsWith(command + "|", StringComparison.OrdinalIgnoreCase)))
            {
                return entry.Feature;
            }
        }

        return null;
    }

    /// <summary>The key patterns of <paramref name="features"/>: the prefix, and the outbox stream with its shards.</summary>
    public static IEnumerable<string> KeyPatterns(ZnDrawStorageOptions options, ZnDrawAclFeatures features, string streamKey)
    {
        string prefix = IndexMaintenance.EscapeGlob(options.KeyPrefix ?? string.Empty);
        yield return "~" + prefix + "*";
        string stream = IndexMaintenance.EscapeGlob(streamKey);
        if ((features & History) != 0 && !(stream + ":").StartsWith(prefix, StringComparison.Ordinal))
        {
            yield return "~" + stream;
            yield return "~" + stream + ":*";
        }
    }

    /// <summary>The channel patterns of <paramref name="features"/>: the key-space channels the reconciler subscribes.</summary>
    public static IEnumerable<string> ChannelPatterns(ZnDrawStorageOptions options, ZnDrawAclFeatures features)
    {
        if ((features & Notify) == 0)
        {
            yield break;
        }

        foreach (string pattern in NotificationPatterns(options))
        {
            yield return "&" + pattern;
        }
    }

    /// <summary>The key-space channel patterns the index reconciler subscribes (as <c>IndexReconciler</c> builds them).</summary>
    public static string[] NotificationPatterns(ZnDrawStorageOptions options)
    {
        string head = $"__keyspace@{Math.Max(options.Database, 0)}__:";
        string prefix = IndexMaintenance.EscapeGlob(options.KeyPrefix ?? string.Empty);
        return [head + prefix + "room:*:current_frame", head + prefix + "user:*", head + prefix + "admin:user:*"];
    }
}
