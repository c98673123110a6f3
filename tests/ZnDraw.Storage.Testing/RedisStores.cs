using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace ZnDraw.Storage.Testing;

/// <summary>The Redis backends under test: ZnDraw's own layout, a prefixed key space, and the cluster-safe layout on the real cluster.</summary>
public static class RedisStores
{
    /// <summary>ZnDraw's exact keys (no prefix) on one server: the layout a ZnDraw server shares.</summary>
    public static IStoreFactory ZnDraw(RedisFixture redis) =>
        new RedisStoreFactory("redis-zndraw", () => redis.Connection, KeyLayout.ZnDraw, prefixed: false);

    /// <summary>A fresh prefix per store on one server (ZnDraw's key shapes under a prefix).</summary>
    public static IStoreFactory Prefixed(RedisFixture redis) =>
        new RedisStoreFactory("redis-prefixed", () => redis.Connection, KeyLayout.ZnDraw, prefixed: true);

    /// <summary>The cluster-safe layout with a fresh prefix per store, on the real Redis Cluster.</summary>
    public static IStoreFactory ClusterSafe(RedisClusterFixture cluster) =>
        new RedisStoreFactory("redis-cluster-safe", () => cluster.Connection, KeyLayout.ClusterSafe, prefixed: true);

    private sealed class RedisStoreFactory(string name, Func<IConnectionMultiplexer> connection, KeyLayout layout, bool prefixed) : IStoreFactory
    {
        public string Name { get; } = name;

        public StoreCapabilities Capabilities { get; } = new(SharesKeySpaceWithOtherTests: !prefixed, ListingsAtomicWithWrites: layout == KeyLayout.ZnDraw);

        public Task<TestStore> CreateAsync(FakeTimeProvider? time = null, Action<ZnDrawStorageOptions>? configure = null)
        {
            time ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var services = new ServiceCollection();
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddSingleton(connection());
            services.AddSingleton<TimeProvider>(time);
            services.AddZnDrawStorage(o =>
            {
                o.Layout = layout;
                o.KeyPrefix = prefixed ? string.Create(CultureInfo.InvariantCulture, $"t{Guid.NewGuid():N}:") : null;
                o.IndexReconciliation.Enabled = false; // a store under test never reconciles behind the test's back
                configure?.Invoke(o);
            });
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            return Task.FromResult(new TestStore(provider, time, Name));
        }

        public override string ToString() => Name;
    }
}
