using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ZnDraw.Storage.Tool.Tests.Infrastructure;

/// <summary>
/// A store of the test's own (a fresh key prefix on the test Redis or the cluster), seeded through the library in this
/// process, and the tool's connection flags that open the same store.
/// </summary>
public sealed class SeededStore : IAsyncDisposable
{
    private readonly TestStore _store;

    private SeededStore(TestStore store, string address, KeyLayout layout)
    {
        _store = store;
        var options = store.Get<IOptions<ZnDrawStorageOptions>>().Value;
        Prefix = options.KeyPrefix ?? string.Empty;
        Address = address;
        Layout = layout;
    }

    /// <summary>The key prefix of this store (fresh per store).</summary>
    public string Prefix { get; }

    /// <summary>The Redis address (seed nodes on the cluster).</summary>
    public string Address { get; }

    /// <summary>The key layout.</summary>
    public KeyLayout Layout { get; }

    /// <summary>The library's services for seeding (e.g. <c>Get&lt;RoomService&gt;()</c>).</summary>
    public IServiceProvider Services => _store.Services;

    /// <summary>A fresh prefixed store on the test Redis (ZnDraw's layout).</summary>
    public static async Task<SeededStore> OnRedisAsync(RedisFixture redis)
    {
        ArgumentNullException.ThrowIfNull(redis);
        _ = redis.Connection; // fails with the explanation when ZNDRAW_REDIS is not set
        return new SeededStore(await RedisStores.Prefixed(redis).CreateAsync(), redis.Address, KeyLayout.ZnDraw);
    }

    /// <summary>A fresh prefixed store on the test Redis Cluster (cluster-safe layout).</summary>
    public static async Task<SeededStore> OnClusterAsync(RedisClusterFixture cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        _ = cluster.Connection;
        string address = Environment.GetEnvironmentVariable(RedisClusterFixture.EnvironmentVariable)!;
        return new SeededStore(await RedisStores.ClusterSafe(cluster).CreateAsync(), address, KeyLayout.ClusterSafe);
    }

    /// <summary>A library service or repository.</summary>
    public T Get<T>()
        where T : notnull => _store.Services.GetRequiredService<T>();

    /// <summary>The tool's flags for this store followed by <paramref name="command"/>.</summary>
    public string[] Args(params string[] command) =>
        [
            "--redis", Address,
            "--prefix", Prefix,
            "--layout", Layout == KeyLayout.ClusterSafe ? "cluster-safe" : "zndraw",
            .. command,
        ];

    public ValueTask DisposeAsync() => _store.DisposeAsync();
}
