using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>A database that cannot be reached: every SQL contract call fails with <see cref="StorageUnavailableException"/>, naming the call and the key.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlStorageFaultTests(RedisFixture redis)
{
    [Fact]
    public async Task A_sqlite_file_that_cannot_be_opened_makes_calls_unavailable()
    {
        var missing = Path.Combine(Path.GetTempPath(), "zndraw-missing-" + Guid.NewGuid().ToString("N"), "zndraw.db");
        await using var services = Build(sql => sql.UseSqlite($"Data Source={missing};Mode=ReadWrite"));

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(
            () => services.GetRequiredService<IRoomRepository>().ExistsAsync("lobby").AsTask());
        Assert.Contains("rooms", error.Message, StringComparison.Ordinal);
        Assert.Contains("lobby", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageUnavailableException>(
            () => services.GetRequiredService<IUserRepository>().CreateAsync(new Models.User("alice")).AsTask());
        Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));
    }

    [Fact]
    public async Task A_postgres_server_that_does_not_answer_makes_calls_unavailable()
    {
        // A loopback port nobody listens on (bound, then released).
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var connectionString = string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={port};Database=zndraw;Username=zndraw;Timeout=2");
        await using var services = Build(sql => sql.UseNpgsql(connectionString));

        var error = await Assert.ThrowsAsync<StorageUnavailableException>(
            () => services.GetRequiredService<IGeometryRepository>().GetAsync("lobby", "particles").AsTask());
        Assert.IsAssignableFrom<NpgsqlException>(error.InnerException);
        await Assert.ThrowsAsync<StorageUnavailableException>(
            () => services.GetRequiredService<IChatRepository>().PostAsync("lobby", "alice", "hi").AsTask());
    }

    private ServiceProvider Build(Action<SqlDatabaseBuilder> database)
    {
        var services = new ServiceCollection();
        services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(redis.Connection);
        services.AddZnDrawStorage(o => o.KeyPrefix = "fault-" + Guid.NewGuid().ToString("N") + ":")
            .AddSqlStorage(database, o => o.ReconcileOnStart = false);
        return services.BuildServiceProvider();
    }
}

