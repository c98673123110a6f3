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

/// <summary>Tool runs against the test Redis Cluster (cluster-safe layout, each test its own key prefix).</summary>
[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "RedisCluster";
}
