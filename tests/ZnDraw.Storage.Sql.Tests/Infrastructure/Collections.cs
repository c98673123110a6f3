namespace ZnDraw.Storage.Sql.Tests.Infrastructure;

// xUnit finds collection definitions only in the test assembly; the fixtures live in the shared test kit.

/// <summary>Tests that need Redis only; they run in parallel with the PostgreSQL collection.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Redis";
}

/// <summary>
/// The tests on the shared PostgreSQL (each class its own database). A test that stops PostgreSQL stops a private server
/// of its own (<see cref="PrivatePostgres"/>), so the shared one is never stopped and other collections may use it too.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>
/// The SQL storage on SQLite files (each store its own file, its ephemeral state under its own Redis prefix); runs in
/// parallel with the other collections.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SqliteCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "SQLite";
}

/// <summary>
/// The cross-store crash tests of both dialects (child processes killed mid-write, 16 per dialect): a collection of their
/// own, so they run beside the other tests instead of after those of their dialect, and one after the other, because
/// each worker start is about 2 s of CPU and two of them at once on 2 cores ran into the tests' time bound.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CrashCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Cross-store crash";
}

/// <summary>The sharded outbox on the test Redis Cluster, with SQLite sinks; runs in parallel with the other collections.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterOutboxCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "ClusterOutbox";
}

/// <summary>
/// The outbox fault tests with servers of their own (a private PostgreSQL that is stopped, a Redis that is killed): a
/// collection of their own, so their long waits hold up no other collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OutboxFaultCollection : ICollectionFixture<RedisClusterFixture>
{
    public const string Name = "OutboxFaults";
}
