using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

/// <summary>The settings contract on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SettingsRepositoryOnSqlite(RedisFixture redis) : SettingsRepositoryContract(SqlStores.Sqlite(redis));

/// <summary>The settings contract on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SettingsRepositoryOnPostgres(RedisFixture redis) : SettingsRepositoryContract(SqlStores.Postgres(redis));
