using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Sql.PostgreSql;
using ZnDraw.Storage.Sql.Sqlite;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Cluster;

/// <summary>
/// The durable outbox through outages, with servers of the tests' own: a PostgreSQL stopped for 30 s while the cluster
/// takes 10,000 events, and a Redis with AOF killed with SIGKILL and started again before any event was delivered.
/// </summary>
[Collection(OutboxFaultCollection.Name)]
public sealed class OutboxFaultTests(RedisClusterFixture cluster)
{
    private const int Events = 10_000;
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    [Fact(Timeout = 90_000)]
    public async Task PostgreSQL_stopped_for_30_s_while_10000_events_are_produced_on_the_cluster_stores_exactly_10000_rows()
    {
        var total = Stopwatch.StartNew();
        await using var postgres = await PrivatePostgres.StartAsync();
        await using var factory = new HistoryDbContextFactory(new PostgresDialect(postgres.ConnectionString, null));
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var stream = "outbox-" + Guid.NewGuid().ToString("N")[..12];
        var outbox = new HistoryOutbox(stream);
        var room = RedisFixture.NewId("room");
        var probe = new ProbeSink(new SqlHistorySink(factory));
        using var host = DispatcherHost(cluster.Connection, stream, probe, o => o.RetryMaxDelay = TimeSpan.FromSeconds(1));
        await host.StartAsync();

        await postgres.StopAsync();
        var stopped = Stopwatch.StartNew();
        List<int> slots;
        HashSet<string> produced;
        try
        {
            (produced, slots) = await ProduceAsync(cluster.Database, outbox, KeyLayout.ClusterSafe, room, rooms: 100, Events);
            await Eventually.WaitForAsync(() => Task.FromResult(probe.Failures), f => f >= 2, Outage, "the sink to fail while PostgreSQL is down");
            var lengths = await Task.WhenAll(slots.Select(s => cluster.Database.StreamLengthAsync(outbox.ShardKey(s))));
            Assert.Equal(Events, lengths.Sum()); // nothing lost, nothing trimmed while the database is down
            var rest = Outage - stopped.Elapsed;
            if (rest > TimeSpan.Zero)
            {
                await Task.Delay(rest);
            }
        }
        finally
        {
            await postgres.StartAgainAsync();
        }

        var restarted = Stopwatch.StartNew();
        await Eventually.WaitForAsync(() => CountRowsAsync(factory, room), n => n >= Events, TimeSpan.FromSeconds(30), $"{Events} rows");
        var drained = restarted.Elapsed;
        await host.StopAsync();

        await using (var db = await factory.CreateDbContextAsync())
        {
            var ids = await db.RoomEvents.Where(r => r.RoomId == room).Select(r => r.EventId).ToListAsync();
            Assert.Equal(Events, ids.Count);
            Assert.Equal(produced.Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal)); // each once, none other
        }

        foreach (var slot in slots)
        {
            await cluster.Database.KeyDeleteAsync(outbox.ShardKey(slot));
        }

        await cluster.Database.KeyDeleteAsync(outbox.RegistryKey);
        await cluster.Database.KeyDeleteAsync(outbox.StreamKey);
        Assert.True(total.Elapsed < TimeSpan.FromSeconds(90), $"the test took {total.Elapsed}; delivery after the restart took {drained}");
    }

    [Theory(Timeout = 60_000)]
    [InlineData("always", 2000)]
    [InlineData("no-aof", 0)]
    public async Task Undelivered_events_survive_a_SIGKILL_of_Redis_with_AOF_always_and_are_delivered_after_the_restart(string persistence, int survivors)
    {
        const int count = 2000;
        string[] args = persistence == "always" ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
        await using var redis = await OwnRedisServer.StartAsync(arguments: args); // its own --appendonly comes after the default "no"
        var stream = "outbox-durability";
        var outbox = new HistoryOutbox(stream);
        var room = RedisFixture.NewId("room");
        HashSet<string> produced;
        await using (var producer = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint))
        {
            // Cluster-safe layout on one server: the shards and their registry, with no dispatcher running.
            (produced, _) = await ProduceAsync(producer.GetDatabase(), outbox, KeyLayout.ClusterSafe, room, rooms: 20, count);
        }

        await redis.KillAsync(); // SIGKILL: no shutdown, no final write
        await redis.RestartAsync();

        var sqlite = new SqliteTestDatabase();
        await sqlite.InitializeAsync();
        try
        {
            await using var factory = new HistoryDbContextFactory(new SqliteDialect(sqlite.ConnectionString, null));
            await using (var db = await factory.CreateDbContextAsync())
            {
                await db.Database.MigrateAsync();
            }

            await using var consumer = await ConnectionMultiplexer.ConnectAsync(redis.Endpoint);
            using var host = DispatcherHost(consumer, stream, new SqlHistorySink(factory));
            await host.StartAsync();
            if (survivors > 0)
            {
                await Eventually.WaitForAsync(() => CountRowsAsync(factory, room), n => n >= survivors, TimeSpan.FromSeconds(30), $"{survivors} rows");
            }
            else
            {
                await Task.Delay(500); // the dispatcher's first polls: nothing to find
            }

            await host.StopAsync();
            await using var check = await factory.CreateDbContextAsync();
            var ids = await check.RoomEvents.Where(r => r.RoomId == room).Select(r => r.EventId).ToListAsync();
            Assert.Equal(survivors, ids.Count);
            Assert.Subset(produced, ids.ToHashSet());
        }
        finally
        {
            await sqlite.DisposeAsync();
        }
    }

    /// <summary>
    /// <paramref name="count"/> state changes spread over <paramref name="rooms"/> hash slots, each with its event in the
    /// same MULTI/EXEC in the shard of its slot (the repositories' path), pipelined in chunks.
    /// </summary>
    internal static async Task<(HashSet<string> EventIds, List<int> Slots)> ProduceAsync(
        IDatabase db, HistoryOutbox outbox, KeyLayout layout, string room, int rooms, int count)
    {
        var redisOutbox = new RedisHistoryOutbox(db, outbox, layout);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var slots = new HashSet<int>();
        var commits = new List<Task<bool>>(1024);
        for (var i = 0; i < count; i++)
        {
            RedisKey state = "test:{" + room + "-" + (i % rooms) + "}:description";
            RedisKey shard = redisOutbox.ShardFor(state, out var registration);
            if (registration is not null)
            {
                await registration;
            }

            slots.Add(OutboxSlots.Of((byte[])state!));
            var now = DateTimeOffset.UtcNow;
            var e = new RoomHistoryEvent(HistoryEvent.NewEventId(now), now, room, RoomEventTypes.DescriptionChanged, "alice", null);
            ids.Add(e.EventId);
            var tx = db.CreateTransaction();
            _ = tx.StringSetAsync(state, "d");
            HistoryOutbox.Enlist(tx, shard, e);
            commits.Add(tx.ExecuteAsync());
            if (commits.Count == 1024)
            {
                Assert.All(await Task.WhenAll(commits), Assert.True);
                commits.Clear();
            }
        }

        Assert.All(await Task.WhenAll(commits), Assert.True);
        Assert.Equal(count, ids.Count);
        return (ids, [.. slots]);
    }

    private static IHost DispatcherHost(IConnectionMultiplexer connection, string stream, IHistorySink sink, Action<HistoryOptions>? configure = null) =>
        TestHost.Build(b =>
        {
            b.Services.AddSingleton(connection);
            b.Services.AddSingleton(sink);
            b.AddHistory(o =>
            {
                o.Mode = HistoryMode.Durable;
                o.StreamKey = stream;
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.RetryInitialDelay = TimeSpan.FromMilliseconds(50);
                o.RetryMaxDelay = TimeSpan.FromMilliseconds(500);
                o.TrimInterval = TimeSpan.FromMilliseconds(200);
                configure?.Invoke(o);
            });
        });

    private static async Task<int> CountRowsAsync(HistoryDbContextFactory factory, string room)
    {
        await using var db = await factory.CreateDbContextAsync();
        return await db.RoomEvents.CountAsync(r => r.RoomId == room);
    }
}
