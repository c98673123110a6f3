using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>The three key spaces every main behaviour runs under.</summary>
public static class Layouts
{
    public const string ZnDraw = "zndraw";
    public const string Prefixed = "prefixed";
    public const string Cluster = "cluster";

    public static TheoryData<string> All => new() { ZnDraw, Prefixed, Cluster };

    /// <summary>ZnDraw's own keys (no prefix), a fresh prefix, or a fresh prefix with cluster hash tags.</summary>
    public static KeySpace Space(string name) => name switch
    {
        ZnDraw => KeySpace.Default,
        Prefixed => new KeySpace(RedisFixture.NewId("p") + ":"),
        Cluster => new KeySpace(RedisFixture.NewId("c") + ":", KeyLayout.ClusterSafe),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static bool IsCluster(KeySpace space) => space.Layout == KeyLayout.ClusterSafe;
}

internal static class RoomTestSupport
{
    public static RedisStoreContext Context(RedisFixture redis, KeySpace space, TimeProvider? time = null) =>
        new(redis.Connection, space, time);

    /// <summary>Every key of the database under <paramref name="pattern"/> (test-only SCAN).</summary>
    public static async Task<List<string>> ScanAsync(RedisFixture redis, string pattern)
    {
        var keys = new List<string>();
        foreach (IServer server in redis.Connection.GetServers())
        {
            await foreach (RedisKey key in server.KeysAsync(redis.Database.Database, pattern, 1000))
            {
                keys.Add(key.ToString());
            }
        }

        keys.Sort(StringComparer.Ordinal);
        return keys;
    }

    public static string RoomBase(KeySpace space, string roomId) =>
        space.Layout == KeyLayout.ClusterSafe ? $"{space.Prefix}room:{{{roomId}}}:" : $"{space.Prefix}room:{roomId}:";

    public static string Glob(string text) => text.Replace("{", "\\{", StringComparison.Ordinal).Replace("}", "\\}", StringComparison.Ordinal);
}
