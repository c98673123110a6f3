using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

// The user contracts on the SQL backend: users in a SQLite file, or in a PostgreSQL database (ZNDRAW_POSTGRES).

[Collection(SqliteCollection.Name)]
public sealed class UserRepositoryOnSqlite(RedisFixture redis) : UserRepositoryContract(SqlStores.Sqlite(redis));

[Collection(PostgresCollection.Name)]
public sealed class UserRepositoryOnPostgres(RedisFixture redis) : UserRepositoryContract(SqlStores.Postgres(redis));

[Collection(SqliteCollection.Name)]
public sealed class UsersAsRepositoryOnSqlite(RedisFixture redis) : UsersAsRepositoryContract(SqlStores.Sqlite(redis));

[Collection(PostgresCollection.Name)]
public sealed class UsersAsRepositoryOnPostgres(RedisFixture redis) : UsersAsRepositoryContract(SqlStores.Postgres(redis));
