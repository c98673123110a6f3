using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

/// <summary>The frame contract on the SQL storage in a SQLite file.</summary>
[Collection(SqliteCollection.Name)]
public sealed class FrameRepositoryOnSqlite(RedisFixture redis) : FrameRepositoryContract(SqlStores.Sqlite(redis));

/// <summary>The frame contract on the SQL storage in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class FrameRepositoryOnPostgres(RedisFixture redis) : FrameRepositoryContract(SqlStores.Postgres(redis));
