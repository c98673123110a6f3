using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Sql.PostgreSql;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests;

/// <summary>Durable mode against real Redis and real PostgreSQL, including outages and crashes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class HistoryDispatcherTests(RedisFixture redis, PostgresTestDatabase database)
    : IClassFixture<PostgresTestDatabase>, IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);
    private HistoryDbContextFactory _factory = null!;

    public async Task InitializeAsync()
    {
        _factory = new HistoryDbContextFactory(new PostgresDialect(database.ConnectionString, null));
        await using var db = await _factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
    }

    [Fact]
    public async Task DeliversEveryEventOnce_AndTrimsTheAcknowledgedEntries()
    {
        var stream = RedisFixture.NewId("outbox");
        var room = RedisFixture.NewId("room");
        var probe = new ProbeSink(new SqlHistorySink(_factory));
        using var host = StartDispatcher(stream, probe);
        await host.StartAsync();

        var produced = await ProduceAsync(stream, room, 300);

        await WaitForRowsAsync(room, produced.Count);
        await AssertExactlyOnceAsync(room, produced);
        await Eventually.WaitForAsync(() => redis.Database.StreamLengthAsync(stream), n => n == 0, Deadline, "the outbox to be trimmed");
        await host.StopAsync();
        Assert.Empty(await redis.Database.StreamConsumerInfoAsync(stream, HistoryOptions.DefaultConsumerGroup)); // left the group cleanly
        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task PostgresStoppedWhile5000EventsAreProduced_EveryEventArrivesExactlyOnceAfterItStarts()
    {
        // A PostgreSQL of this test's own: stopping the shared server would fail the PostgreSQL tests beside this one.
        await using var server = await PrivatePostgres.StartAsync();
        await using var factory = new HistoryDbContextFactory(new PostgresDialect(server.ConnectionString, null));
        await using (var db = await factory.CreateDbContextAsync())
        {
            await db.Database.MigrateAsync();
        }

        var stream = RedisFixture.NewId("outbox");
        var room = RedisFixture.NewId("room");
        var probe = new ProbeSink(new SqlHistorySink(factory));
        using var host = StartDispatcher(stream, probe, o => o.BatchSize = 500);
        await host.StartAsync();

        await server.StopAsync();
        List<HistoryEvent> produced;
        try
        {
            produced = await ProduceAsync(stream, room, 5000);
            await Eventually.WaitForAsync(() => Task.FromResult(probe.Failures), f => f >= 2, Deadline, "the sink to fail while PostgreSQL is down");
            Assert.Equal(5000, await redis.Database.StreamLengthAsync(stream)); // nothing lost while the database is down
        }
        finally
        {
            await server.StartAgainAsync();
        }

        await WaitForRowsAsync(room, produced.Count, factory);
        await AssertExactlyOnceAsync(room, produced, factory);
        await Eventually.WaitForAsync(
            async () => (await redis.Database.StreamPendingAsync(stream, HistoryOptions.DefaultConsumerGroup)).PendingMessageCount,
            n => n == 0, Deadline, "every entry to be acknowledged");
        await host.StopAsync();
        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task DispatcherStoppedAfterTheSinkCommittedButBeforeAcknowledging_TheNextOneDeliversTheRest_WithoutDuplicates()
    {
        var stream = RedisFixture.NewId("outbox");
        var room = RedisFixture.NewId("room");
        var produced = await ProduceAsync(stream, room, 1000);

        var first = new ProbeSink(new SqlHistorySink(_factory)) { HangAfterStoringCall = 3 };
        using (var host = StartDispatcher(stream, first, o => o.BatchSize = 100))
        {
            await host.StartAsync();
            await first.Hanging.Task.WaitAsync(Deadline);
            await host.StopAsync(); // the third batch is stored but never acknowledged
        }

        Assert.Equal(300, await CountRowsAsync(room));
        var pending = await redis.Database.StreamPendingAsync(stream, HistoryOptions.DefaultConsumerGroup);
        // The stopped consumer keeps its unacknowledged batch, and at most one batch it read ahead.
        Assert.InRange(pending.PendingMessageCount, 100, 200);
        Assert.Single(pending.Consumers);
        var unacknowledged = first.Received.Skip(200).Select(e => e.EventId).ToHashSet();

        var second = new ProbeSink(new SqlHistorySink(_factory));
        using (var host = StartDispatcher(stream, second, o => o.BatchSize = 100))
        {
            await host.StartAsync();
            await WaitForRowsAsync(room, produced.Count);
            await Eventually.WaitForAsync(
                async () => (await redis.Database.StreamPendingAsync(stream, HistoryOptions.DefaultConsumerGroup)).PendingMessageCount,
                n => n == 0, Deadline, "every entry to be acknowledged");
            await host.StopAsync();
        }

        await AssertExactlyOnceAsync(room, produced);
        Assert.Superset(unacknowledged, second.Received.Select(e => e.EventId).ToHashSet()); // reclaimed and delivered again
        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task UnreadableEntry_IsDropped_AndTheOtherEventsAreDelivered()
    {
        var stream = RedisFixture.NewId("outbox");
        var room = RedisFixture.NewId("room");
        var before = await ProduceAsync(stream, room, 10);
        await redis.Database.StreamAddAsync(stream, [new NameValueEntry(HistoryOutbox.IdField, "bad"), new NameValueEntry(HistoryOutbox.EventField, "{oops")]);
        var after = await ProduceAsync(stream, room, 10);
        var probe = new ProbeSink(new SqlHistorySink(_factory));
        using var host = StartDispatcher(stream, probe);
        await host.StartAsync();

        await WaitForRowsAsync(room, 20);
        await Eventually.WaitForAsync(
            async () => (await redis.Database.StreamPendingAsync(stream, HistoryOptions.DefaultConsumerGroup)).PendingMessageCount,
            n => n == 0, Deadline, "every entry, the unreadable one included, to be acknowledged");
        await AssertExactlyOnceAsync(room, [.. before, .. after]);
        await host.StopAsync();
        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task ReadingAhead_StillHandsBatchesToTheSinkOneAtATime_InStreamOrder()
    {
        var stream = RedisFixture.NewId("outbox");
        var room = RedisFixture.NewId("room");
        var produced = await ProduceAsync(stream, room, 1000);
        var streamOrder = (await redis.Database.StreamRangeAsync(stream)).Select(e => (string)e[HistoryOutbox.IdField]!).ToList();

        var sink = new SerialProbeSink(new SqlHistorySink(_factory));
        using (var host = StartDispatcher(stream, sink, o => o.BatchSize = 50))
        {
            await host.StartAsync();
            await WaitForRowsAsync(room, produced.Count);
            await host.StopAsync();
        }

        Assert.Equal(1, sink.MaxConcurrent);
        Assert.Equal(streamOrder, sink.Received);
        await AssertExactlyOnceAsync(room, produced);
        await redis.Database.KeyDeleteAsync(stream);
    }

    /// <summary>Records the event ids in arrival order and the most writes that ever overlapped.</summary>
    private sealed class SerialProbeSink(IHistorySink inner) : IHistorySink
    {
        private readonly Lock _gate = new();
        private int _active;

        public int MaxConcurrent { get; private set; }

        public List<string> Received { get; } = [];

        public async ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                MaxConcurrent = Math.Max(MaxConcurrent, ++_active);
                Received.AddRange(events.Select(e => e.EventId));
            }

            try
            {
                await Task.Delay(2, cancellationToken); // widen the window in which a second write could overlap
                await inner.WriteAsync(events, cancellationToken);
            }
            finally
            {
                lock (_gate)
                {
                    _active--;
                }
            }
        }
    }

    private IHost StartDispatcher(string stream, IHistorySink sink, Action<HistoryOptions>? configure = null) =>
        TestHost.Build(b =>
        {
            b.Services.AddSingleton<IConnectionMultiplexer>(redis.Connection);
            b.Services.AddSingleton(sink);
            b.AddHistory(o =>
            {
                o.Mode = HistoryMode.Durable;
                o.StreamKey = stream;
                o.PollInterval = TimeSpan.FromMilliseconds(50);
                o.ClaimIdleTime = TimeSpan.FromMilliseconds(300);
                o.RetryInitialDelay = TimeSpan.FromMilliseconds(50);
                o.RetryMaxDelay = TimeSpan.FromMilliseconds(500);
                o.TrimInterval = TimeSpan.Zero;
                configure?.Invoke(o);
            });
        });

    /// <summary>Writes <paramref name="count"/> state changes, each with its event in the same MULTI/EXEC (pipelined).</summary>
    private async Task<List<HistoryEvent>> ProduceAsync(string stream, string room, int count)
    {
        var db = redis.Database;
        var outbox = new HistoryOutbox(stream);
        var recorder = new HistoryRecorder(Options.Create(new HistoryOptions { Mode = HistoryMode.Durable, StreamKey = stream }), sink: new ProbeSink(),
            outbox: new RedisHistoryOutbox(db, outbox, KeyLayout.ZnDraw));
        var state = (RedisKey)("test:" + room + ":description");
        var events = new List<HistoryEvent>(count);
        var commits = new List<Task<bool>>(count);
        for (var i = 0; i < count; i++)
        {
            var e = new RoomHistoryEvent(recorder.NewEventId(), recorder.Now, room, RoomEventTypes.DescriptionChanged, "alice",
                new Dictionary<string, string> { ["description"] = "d" + i });
            var tx = db.CreateTransaction();
            _ = tx.StringSetAsync(state, "d" + i);
            outbox.Enlist(tx, e);
            commits.Add(tx.ExecuteAsync());
            events.Add(e);
        }

        Assert.All(await Task.WhenAll(commits), Assert.True);
        await db.KeyDeleteAsync(state);
        return events;
    }

    private async Task<int> CountRowsAsync(string room, HistoryDbContextFactory? factory = null)
    {
        await using var db = await (factory ?? _factory).CreateDbContextAsync();
        return await db.RoomEvents.CountAsync(r => r.RoomId == room);
    }

    private Task WaitForRowsAsync(string room, int expected, HistoryDbContextFactory? factory = null) =>
        Eventually.WaitForAsync(() => CountRowsAsync(room, factory), n => n >= expected, Deadline, $"{expected} rows of room {room}");

    private async Task AssertExactlyOnceAsync(string room, IReadOnlyList<HistoryEvent> produced, HistoryDbContextFactory? factory = null)
    {
        await using var db = await (factory ?? _factory).CreateDbContextAsync();
        var ids = await db.RoomEvents.Where(r => r.RoomId == room).Select(r => r.EventId).ToListAsync();
        Assert.Equal(produced.Count, ids.Count);
        Assert.Equal(produced.Select(e => e.EventId).Order(StringComparer.Ordinal), ids.Order(StringComparer.Ordinal));
    }
}
