namespace ZnDraw.Storage.Tool.Tests.Infrastructure;

// xUnit finds collection definitions only in the test assembly; the fixtures live in the shared test kit.

/// <summary>Tool runs against the test Redis (each test its own key prefix).</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Redis";
}

/// <summary>More tool runs against the test Redis, beside <see cref="RedisCollection"/> (its own connection; each test its own key prefix).</summary>
[CollectionDefinition(Name)]
public sealed class RedisMoreCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "RedisMore";
}

/// <summary>
/// Tool runs on a terminal (<see cref="ToolProcess.RunInTerminalAsync"/>), alone, after the parallel collections: util-linux
/// <c>script</c> starts its child in a session of its own, and the coverage collector's instrumented libraries then write
/// their hit files at exit without the lock they share with the tool processes of this session (a named mutex is
/// session-local), so a tool process of another test exiting at the same moment failed with an IOException.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TerminalCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Terminal";
}

/// <summary>Tool runs against the test Redis Cluster (cluster-safe layout, each test its own key prefix).</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "RedisCluster";
}
