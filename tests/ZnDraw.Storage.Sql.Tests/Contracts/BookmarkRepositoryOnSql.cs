using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

/// <summary>The bookmark contract on the SQL storage in a SQLite file.</summary>
[Collection(SqliteCollection.Name)]
public sealed class BookmarkRepositoryOnSqlite(RedisFixture redis) : BookmarkRepositoryContract(SqlStores.Sqlite(redis));

/// <summary>The bookmark contract on the SQL storage in PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class BookmarkRepositoryOnPostgres(RedisFixture redis) : BookmarkRepositoryContract(SqlStores.Postgres(redis));
