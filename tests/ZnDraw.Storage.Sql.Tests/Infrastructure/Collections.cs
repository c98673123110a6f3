namespace ZnDraw.Storage.Sql.Tests.Infrastructure;

// xUnit finds collection definitions only in the test assembly; the fixtures live in the shared test kit.

/// <summary>Tests that need Redis only; they run in parallel with the PostgreSQL collection.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "Redis";
}

/// <summary>
/// Every test that touches PostgreSQL: one collection, so the test that stops and restarts the
/// server never runs beside another PostgreSQL test.
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
/// The cross-store crash tests on SQLite (child processes killed mid-write, about 100 s): a collection of their own, so
/// they run beside the other SQLite tests instead of after them (their files and Redis prefixes are their own).
/// </summary>
[CollectionDefinition(Name)]
public sealed class SqliteCrashCollection : ICollectionFixture<RedisFixture>
{
    public const string Name = "SQLite crash";
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
