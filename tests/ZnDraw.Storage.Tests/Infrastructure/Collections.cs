using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Infrastructure;

// xUnit finds collection definitions only in the test assembly; the fixtures live in the shared test kit.

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Redis";
}

[CollectionDefinition(Name)]
public sealed class RedisClusterCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "RedisCluster";
}

[CollectionDefinition(Name)]
public sealed class RedisNotifyCollection : ICollectionFixture<RedisNotifyFixture>
{
    public const string Name = "RedisNotify";
}
