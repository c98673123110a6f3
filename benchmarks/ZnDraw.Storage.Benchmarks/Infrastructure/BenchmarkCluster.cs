using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// The Redis Cluster scripts/bench.sh starts (3 primaries, one replica each; <c>ZNDRAW_REDIS_CLUSTER</c>), and the
/// switch that points the twin classes at it: while <see cref="Active"/> is set, <see cref="RedisBenchmark"/>'s
/// database, <see cref="BenchmarkRedis.Context(int)"/>, <see cref="RawScript"/> and the round-trip counter use the
/// cluster and the cluster-safe layout (<see cref="RedisBenchmark.Room(string)"/> builds the hash-tagged key names).
/// </summary>
public static class BenchmarkCluster
{
    /// <summary>The environment variable naming the cluster's nodes.</summary>
    public const string EnvironmentVariable = "ZNDRAW_REDIS_CLUSTER";

    /// <summary>The parameter text of a twin measured on the cluster (rows "… (cluster)" in the summary).</summary>
    public const string Parameter = "cluster";

    private static readonly Lazy<ConnectionMultiplexer> Shared = new(() => Connect(Environment.GetEnvironmentVariable(EnvironmentVariable)));

    /// <summary>The cluster-safe key space without prefix (the library's and the raw twins' keys on the cluster).</summary>
    public static KeySpace Space { get; } = new(null, KeyLayout.ClusterSafe);

    /// <summary>Whether <c>ZNDRAW_REDIS_CLUSTER</c> is set.</summary>
    public static bool Available => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>The process-wide multiplexer to the cluster.</summary>
    public static ConnectionMultiplexer Connection => Shared.Value;

    /// <summary>Whether the twin classes being set up and measured now run on the cluster (set by the paired comparison).</summary>
    public static bool Active { get; set; }

    /// <summary>The connection the twins use now: the cluster while <see cref="Active"/>, else the one server.</summary>
    public static ConnectionMultiplexer Current => Active ? Connection : BenchmarkRedis.Connection;

    /// <summary>A repository context on the cluster (cluster-safe layout, database 0), optionally with replica waits.</summary>
    internal static RedisStoreContext Context(ZnDrawReplicationOptions? replication = null) =>
        new(Connection, Space, replication: replication);

    /// <summary>The cluster's primaries (connected).</summary>
    public static IEnumerable<IServer> Primaries(IConnectionMultiplexer connection) =>
        connection.GetServers().Where(s => s.IsConnected && !s.IsReplica);

    /// <summary>Connects to <paramref name="nodes"/> (host:port,…), admin commands allowed (SCRIPT LOAD, INFO).</summary>
    public static ConnectionMultiplexer Connect(string? nodes, Action<ConfigurationOptions>? configure = null)
    {
        if (string.IsNullOrWhiteSpace(nodes))
        {
            throw new InvalidOperationException($"{EnvironmentVariable} is not set: run ./scripts/bench.sh, which starts a throwaway cluster.");
        }

        var options = ConfigurationOptions.Parse(nodes);
        options.AllowAdmin = true;
        configure?.Invoke(options);
        return ConnectionMultiplexer.Connect(options);
    }
}
