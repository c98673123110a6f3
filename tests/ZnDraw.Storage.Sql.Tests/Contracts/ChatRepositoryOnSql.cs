using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

/// <summary>The chat contract on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class ChatRepositoryOnSqlite(RedisFixture redis) : ChatRepositoryContract(SqlStores.Sqlite(redis));

/// <summary>The chat contract on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class ChatRepositoryOnPostgres(RedisFixture redis) : ChatRepositoryContract(SqlStores.Postgres(redis));
