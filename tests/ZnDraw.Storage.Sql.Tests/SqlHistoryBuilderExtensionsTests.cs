using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Sql.PostgreSql;
using ZnDraw.Storage.Sql.Sqlite;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests;

/// <summary>The DI wiring a host uses: <c>AddSqlHistory(...)</c> on a storage builder.</summary>
[Collection(RedisCollection.Name)]
public sealed class SqlHistoryBuilderExtensionsTests(RedisFixture redis) : IAsyncLifetime
{
    private readonly SqliteTestDatabase _sqlite = new();

    public Task InitializeAsync() => _sqlite.InitializeAsync();

    public Task DisposeAsync() => _sqlite.DisposeAsync();

    [Fact]
    public async Task DurableHostOnSqlite_MigratesAtStart_DeliversThroughTheOutbox_AndAnswersQueries()
    {
        var stream = RedisFixture.NewId("outbox");
        var room = RedisFixture.NewId("room");
        using var host = TestHost.Build(b =>
        {
            b.Services.AddSingleton<IConnectionMultiplexer>(redis.Connection);
            // What AddZnDrawStorage registers: the Redis backend's outbox on the same stream.
            b.Services.AddSingleton<IHistoryOutbox>(new RedisHistoryOutbox(redis.Database, new HistoryOutbox(stream), KeyLayout.ZnDraw));
            b.AddSqlHistory(_sqlite.Configure, o => o.MigrateOnStart = true)
                .AddHistory(o =>
                {
                    o.Mode = HistoryMode.Durable;
                    o.StreamKey = stream;
                    o.PollInterval = TimeSpan.FromMilliseconds(20);
                });
        });
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<HistoryRecorder>();
        var query = host.Services.GetRequiredService<IHistoryQuery>();
        Assert.Equal(HistoryMode.Durable, recorder.Mode);

        var created = new RoomHistoryEvent(recorder.NewEventId(), recorder.Now, room, RoomEventTypes.Created, "alice", null);
        await recorder.RecordAsync(null, created, CancellationToken.None); // the outbox append the DI path registered

        var events = await Eventually.WaitForAsync(async () => (await query.GetRoomEventsAsync(room)).Items, l => l.Count > 0, TimeSpan.FromSeconds(30), "the event in SQLite");
        HistoryOutboxTests.AssertSameEvent(created, Assert.Single(events));
        await host.StopAsync();
        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task DirectHostOnSqlite_StoresOnCommit()
    {
        using var host = TestHost.Build(b => b.AddSqlHistory(_sqlite.Configure, o => o.MigrateOnStart = true));
        await host.StartAsync();
        var recorder = host.Services.GetRequiredService<HistoryRecorder>();
        Assert.Equal(HistoryMode.Direct, recorder.Mode);
        var login = new UserLoginEvent(recorder.NewEventId(), recorder.Now, "bob", "sid-1", "127.0.0.1");

        await recorder.RecordAsync(null, login, CancellationToken.None);

        var session = Assert.Single((await host.Services.GetRequiredService<IHistoryQuery>().GetUserSessionsAsync("bob")).Items);
        Assert.Equal("sid-1", session.SessionId);
        await host.StopAsync();
    }

    [Fact]
    public void ContextFactory_IsASingleton_AndCreatesTheProviderSpecificContext()
    {
        var services = new ServiceCollection();
        new TestStorageBuilder(services).AddSqlHistory(_sqlite.Configure);
        using var provider = services.BuildServiceProvider();

        var factory = provider.GetRequiredService<IDbContextFactory<HistoryDbContext>>();
        Assert.Same(factory, provider.GetRequiredService<IDbContextFactory<HistoryDbContext>>());
        using var sqlite = factory.CreateDbContext();
        Assert.IsType<SqliteHistoryDbContext>(sqlite);

        var npgsql = new ServiceCollection();
        new TestStorageBuilder(npgsql).AddSqlHistory(sql => sql.UseNpgsql("Host=localhost"));
        using var npgsqlProvider = npgsql.BuildServiceProvider();
        using var postgres = npgsqlProvider.GetRequiredService<IDbContextFactory<HistoryDbContext>>().CreateDbContext();
        Assert.IsType<PostgresHistoryDbContext>(postgres);
    }

    [Fact]
    public void WithoutAProvider_RegistrationFails_NamingBothProviderPackages()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<InvalidOperationException>(() => new TestStorageBuilder(services).AddSqlHistory(_ => { }));

        Assert.Contains("ZnDraw.Storage.Sql.Sqlite", error.Message, StringComparison.Ordinal);
        Assert.Contains("ZnDraw.Storage.Sql.PostgreSql", error.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void TwoProviders_RegistrationFails()
    {
        var services = new ServiceCollection();

        Assert.Throws<InvalidOperationException>(() => new TestStorageBuilder(services)
            .AddSqlHistory(sql => sql.UseNpgsql("Host=localhost").UseSqlite("Data Source=history.db")));
    }

    [Fact]
    public void EfCoreTweak_IsApplied_AfterTheProvider()
    {
        var services = new ServiceCollection();
        var applied = 0;
        new TestStorageBuilder(services).AddSqlHistory(sql => sql.UseSqlite(_sqlite.ConnectionString, ef =>
        {
            applied++;
            ef.EnableSensitiveDataLogging();
        }));
        using var provider = services.BuildServiceProvider();

        using var db = provider.GetRequiredService<IDbContextFactory<HistoryDbContext>>().CreateDbContext();

        Assert.Equal(1, applied);
        Assert.True(db.Database.IsSqlite());
    }
}
