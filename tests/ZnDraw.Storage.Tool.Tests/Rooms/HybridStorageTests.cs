using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Rooms;

/// <summary>--sql-storage: a hybrid deployment's users and rooms are read from its SQL database (a SQLite file here).</summary>
[Collection(RedisMoreCollection.Name)]
public sealed class HybridStorageTests(RedisFixture redis, SqliteTestDatabase database) : IClassFixture<SqliteTestDatabase>
{
    [Fact]
    public async Task With_sql_storage_rooms_and_users_come_from_the_sql_database()
    {
        string prefix = string.Create(CultureInfo.InvariantCulture, $"t{Guid.NewGuid():N}:");
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(redis.Connection);
        services.AddZnDrawStorage(o =>
            {
                o.KeyPrefix = prefix;
                o.IndexReconciliation.Enabled = false;
            })
            .AddSqlStorage(database.Configure, o =>
            {
                o.Groups = SqlStorageGroups.All;
                o.ReconcileOnStart = false;
            });
        await using (var provider = services.BuildServiceProvider())
        {
            await provider.MigrateStorageDatabaseAsync();
            await provider.GetRequiredService<RoomService>().CreateAsync("hybrid-room", "kept in SQL");
            await provider.GetRequiredService<IUserRepository>().CreateAsync(new User("carol"));
        }

        string[] hybrid(params string[] command) =>
            ["--redis", redis.Address, "--prefix", prefix, "--sql-provider", "sqlite", "--sql", database.ConnectionString, "--sql-storage", "all", .. command];

        var rooms = (await ToolProcess.RunAsync(hybrid("rooms", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        var room = Assert.Single(rooms.EnumerateArray());
        Assert.Equal("hybrid-room", room.GetProperty("id").GetString());
        Assert.Equal("kept in SQL", room.GetProperty("description").GetString());

        var carol = (await ToolProcess.RunAsync(hybrid("users", "show", "carol", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal("guest", carol.GetProperty("role").GetString());

        // Without --sql-storage the same prefix in Redis holds no rooms: the listing above came from SQL.
        var redisOnly = (await ToolProcess.RunAsync("--redis", redis.Address, "--prefix", prefix, "rooms", "list", "--json")).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(0, redisOnly.GetArrayLength());
    }
}
