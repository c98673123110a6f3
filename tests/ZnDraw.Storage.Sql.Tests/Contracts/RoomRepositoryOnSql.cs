using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Sql.Tests.Contracts;

// Users and rooms in SQL: a join writes the user and the membership in one transaction.

[Collection(SqliteCollection.Name)]
public sealed class RoomRepositoryOnSqlite(RedisFixture redis) : RoomRepositoryContract(SqlStores.Sqlite(redis));

[Collection(PostgresCollection.Name)]
public sealed class RoomRepositoryOnPostgres(RedisFixture redis) : RoomRepositoryContract(SqlStores.Postgres(redis));

// Rooms in SQL, users in Redis: a join writes the user there first, then the membership.

[Collection(SqliteCollection.Name)]
public sealed class RoomRepositoryOnSqliteWithUsersInRedis(RedisFixture redis) : RoomRepositoryContract(SqlStores.Sqlite(redis, SqlStorageGroups.Rooms));

[Collection(PostgresCollection.Name)]
public sealed class RoomRepositoryOnPostgresWithUsersInRedis(RedisFixture redis) : RoomRepositoryContract(SqlStores.Postgres(redis, SqlStorageGroups.Rooms));

// Users in SQL, rooms in Redis (the Redis room repository joins through the SQL user repository).
[Collection(SqliteCollection.Name)]
public sealed class RoomRepositoryOnRedisWithUsersInSqlite(RedisFixture redis) : RoomRepositoryContract(SqlStores.Sqlite(redis, SqlStorageGroups.Users));

[Collection(SqliteCollection.Name)]
public sealed class RoomsAsRepositoryOnSqlite(RedisFixture redis) : RoomsAsRepositoryContract(SqlStores.Sqlite(redis));

[Collection(PostgresCollection.Name)]
public sealed class RoomsAsRepositoryOnPostgres(RedisFixture redis) : RoomsAsRepositoryContract(SqlStores.Postgres(redis));
