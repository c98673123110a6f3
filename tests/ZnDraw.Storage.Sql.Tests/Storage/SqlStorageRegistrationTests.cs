using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>AddSqlStorage: the groups choose which contracts resolve to SQL; the migrations create the tables.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlStorageRegistrationTests(RedisFixture redis)
{
    [Theory]
    [InlineData(SqlStorageGroups.All, true, true)]
    [InlineData(SqlStorageGroups.Users, true, false)]
    [InlineData(SqlStorageGroups.Rooms, false, true)]
    public async Task Groups_choose_the_implementation_of_every_persistent_contract(SqlStorageGroups groups, bool usersInSql, bool roomsInSql)
    {
        await using var store = await SqlStores.Sqlite(redis, groups).CreateAsync();

        Assert.Equal(usersInSql, store.Get<IUserRepository>() is SqlUserRepository);
        Assert.Equal(roomsInSql, store.Get<IRoomRepository>() is SqlRoomRepository);
        Assert.Equal(roomsInSql, store.Get<IFrameRepository>() is SqlFrameRepository);
        Assert.Equal(roomsInSql, store.Get<IBookmarkRepository>() is SqlBookmarkRepository);
        Assert.Equal(roomsInSql, store.Get<IGeometryRepository>() is SqlGeometryRepository);
        Assert.Equal(roomsInSql, store.Get<IChatRepository>() is SqlChatRepository);
        Assert.Equal(roomsInSql, store.Get<ISettingsRepository>() is SqlSettingsRepository);

        // Ephemeral state stays in Redis whatever the groups.
        Assert.DoesNotContain(".Sql.", store.Get<ISessionRepository>().GetType().FullName, StringComparison.Ordinal);
        Assert.DoesNotContain(".Sql.", store.Get<ILockRepository>().GetType().FullName, StringComparison.Ordinal);
        Assert.DoesNotContain(".Sql.", store.Get<IJobRepository>().GetType().FullName, StringComparison.Ordinal);
        Assert.DoesNotContain(".Sql.", store.Get<IRoomEphemeralState>().GetType().FullName, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Telemetry_names_the_backend_of_each_contract_sqlite_in_sql_and_redis_for_the_rest()
    {
        await using var store = await SqlStores.Sqlite(redis, SqlStorageGroups.Rooms).CreateAsync();

        Assert.Equal("sqlite", DbSystem.Of(store.Get<IRoomRepository>()));
        Assert.Equal("sqlite", DbSystem.Of(store.Get<IFrameRepository>()));
        Assert.Equal("sqlite", DbSystem.Of(store.Get<IBookmarkRepository>()));
        Assert.Equal("sqlite", DbSystem.Of(store.Get<IGeometryRepository>()));
        Assert.Equal("sqlite", DbSystem.Of(store.Get<IChatRepository>()));
        Assert.Equal("sqlite", DbSystem.Of(store.Get<ISettingsRepository>()));
        Assert.Equal("redis", DbSystem.Of(store.Get<IUserRepository>()));
        Assert.Equal("redis", DbSystem.Of(store.Get<ILockRepository>()));
    }

    [Fact]
    public async Task The_migrations_create_the_storage_tables()
    {
        await using var store = await SqlStores.Sqlite(redis).CreateAsync();
        var context = store.Get<SqlStoreContext>();
        await using var connection = await context.OpenAsync("test", null, default);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("users", tables);
        Assert.Contains("rooms", tables);
        Assert.Contains("room_members", tables);
        Assert.Contains("server_settings", tables);
        Assert.IsType<SqliteConnection>(connection);
    }
}
