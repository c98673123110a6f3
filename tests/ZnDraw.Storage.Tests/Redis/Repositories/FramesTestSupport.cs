using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Key spaces the main behaviours run under, and helpers shared by the frame-area tests.</summary>
internal static class FramesTestSupport
{
    public const string Default = "default";
    public const string Prefixed = "prefixed";
    public const string Cluster = "cluster";
    public const string ClusterPrefixed = "cluster-prefixed";

    public static TheoryData<string> Spaces => new() { Default, Prefixed, Cluster, ClusterPrefixed };

    public static KeySpace Space(string kind) => kind switch
    {
        Default => KeySpace.Default,
        Prefixed => new KeySpace(RedisFixture.NewId("pfx") + ":"),
        Cluster => new KeySpace(null, KeyLayout.ClusterSafe),
        ClusterPrefixed => new KeySpace(RedisFixture.NewId("pfx") + ":", KeyLayout.ClusterSafe),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static RedisStoreContext Context(RedisFixture redis, KeySpace? space = null) => new(redis.Connection, space ?? KeySpace.Default);

    public static async Task<(string Member, double Score)[]> RawEntriesAsync(IDatabase db, RedisKey key)
    {
        SortedSetEntry[] entries = await db.SortedSetRangeByRankWithScoresAsync(key);
        return [.. entries.Select(e => ((string)e.Element!, e.Score))];
    }

    public static async Task<string[]> RawMembersAsync(IDatabase db, RedisKey key) =>
        [.. (await db.SortedSetRangeByRankAsync(key)).Select(v => (string)v!)];

    public static async Task<Dictionary<string, string>> RawHashAsync(IDatabase db, RedisKey key) =>
        (await db.HashGetAllAsync(key)).ToDictionary(e => (string)e.Name!, e => (string)e.Value!, StringComparer.Ordinal);

    /// <summary>A trajectory written the way ZnDraw writes it: members <c>{room}:{i}</c>, scores 1.0, 2.0, ….</summary>
    public static async Task SeedAsync(IDatabase db, RedisKey key, string room, int count)
    {
        if (count == 0)
        {
            return;
        }

        await db.SortedSetAddAsync(key, [.. Enumerable.Range(0, count).Select(i => new SortedSetEntry(Member(room, i), i + 1.0))]);
    }

    /// <summary>
    /// Loads every script of the frame area into the server's script cache, so that a measured call is its warm EVALSHA
    /// (the very first call of a script after a server start is EVALSHA, NOSCRIPT, EVAL: two round trips).
    /// </summary>
    public static async Task LoadScriptsAsync(RedisFixture redis)
    {
        IServer server = redis.Connection.GetServers()[0];
        foreach (var script in new[]
        {
            FrameScripts.Append, FrameScripts.Insert, FrameScripts.Delete, FrameScripts.Replace, FrameScripts.Renormalize,
            FrameScripts.SetBookmark, GeometryScripts.CompareAndSet, GeometryScripts.DeleteGroup, GeometryScripts.LoadGroup,
        })
        {
            await server.ScriptLoadAsync(script.Text);
        }
    }

    public static string Member(string room, int index) => string.Create(CultureInfo.InvariantCulture, $"{room}:{index}");
}
