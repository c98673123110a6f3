using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

/// <summary>The geometry contract on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class GeometryRepositoryOnSqlite(RedisFixture redis) : GeometryRepositoryContract(SqlStores.Sqlite(redis));

/// <summary>The geometry contract on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class GeometryRepositoryOnPostgres(RedisFixture redis) : GeometryRepositoryContract(SqlStores.Postgres(redis));
