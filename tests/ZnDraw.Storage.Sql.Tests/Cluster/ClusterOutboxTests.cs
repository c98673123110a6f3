using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql.Sqlite;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Cluster;

/// <summary>
/// The sharded transactional outbox on the real Redis Cluster (3 primaries, 3 replicas): the event is appended in the
/// same script or MULTI/EXEC as its state change, in a shard of the same slot, and the dispatcher consumes every shard.
/// </summary>
[Collection(ClusterOutboxCollection.Name)]
public sealed class ClusterOutboxTests(RedisClusterFixture cluster) : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly SqliteTestDatabase _sqlite = new();
    private HistoryDbContextFactory _factory = null!;

    public async Task InitializeAsync()
    {
        await _sqlite.InitializeAsync();
        _factory = new HistoryDbContextFactory(new SqliteDialect(_sqlite.ConnectionString, null));
        await using var db = await _factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _sqlite.DisposeAsync();
    }

    [Fact]
    public async Task Every_slot_tag_lands_in_its_slot_by_the_clusters_own_computation()
    {
        var server = cluster.Connection.GetServers().First(s => s.IsConnected);
        var outbox = new HistoryOutbox("outbox-tags");
        var slots = new List<int>(OutboxSlots.Count);
        for (var first = 0; first < OutboxSlots.Count; first += 512)
        {
            // In chunks: 16384 admin commands at once outrun the client's timeout on a loaded machine.
            slots.AddRange(await Task.WhenAll(Enumerable.Range(first, 512)
                .Select(async slot => (int)await server.ExecuteAsync("CLUSTER", "KEYSLOT", (string)outbox.ShardKey(slot)!))));
        }

        Assert.Equal(Enumerable.Range(0, OutboxSlots.Count), slots);
        Assert.All(Enumerable.Range(0, OutboxSlots.Count), s => Assert.InRange(OutboxSlots.Tag(s).Length, 1, 4));

        // The slot of a tagged state key, as the outbox computes it, is the cluster's.
        var space = new KeySpace("p:", KeyLayout.ClusterSafe);
        foreach (var key in new[] { space.Room("r1").CurrentFrame(), space.Session("abc").Username(), (RedisKey)"no-tag", (RedisKey)"{}x", (RedisKey)"a{b}{c}" })
        {
            Assert.Equal(await cluster.KeySlotAsync(key), OutboxSlots.Of((byte[])key!));
        }
    }

    [Fact]
    public async Task Each_repository_event_is_appended_iff_its_state_change_commits_in_the_same_slot_and_reaches_the_sink_once()
    {
        var stream = "outbox-" + Guid.NewGuid().ToString("N")[..12];
        var prefix = RedisFixture.NewId("co") + ":";
        var probe = new ProbeSink(new SqlHistorySink(_factory));
        using var host = BuildHost(stream, prefix, probe);
        var space = host.Services.GetRequiredService<KeySpace>();
        var rooms = host.Services.GetRequiredService<RoomService>();
        var sessions = host.Services.GetRequiredService<SessionService>();
        var extensions = host.Services.GetRequiredService<ExtensionService>();
        var frames = host.Services.GetRequiredService<IFrameRepository>();
        Assert.True(await host.Services.GetRequiredService<IUserRepository>().CreateAsync(new User("alice")));
        string a = RedisFixture.NewId("ra"), b = RedisFixture.NewId("rb"), missing = RedisFixture.NewId("rm"), sid = Guid.NewGuid().ToString("N");

        // Producing with no dispatcher running: every entry stays where the step put it.
        await rooms.CreateAsync(a, null, "alice");
        await Assert.ThrowsAsync<RoomAlreadyExistsException>(async () => await rooms.CreateAsync(a, null, "alice")); // condition false
        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await rooms.LockAsync(missing, "alice"));
        await rooms.LockAsync(a, "alice");
        await rooms.HideAsync(a, "alice");
        await rooms.SetDescriptionAsync(a, "described", "alice");
        await frames.AppendAsync(a, [new FrameIndex(a, 0)]);
        Assert.Equal(b, await rooms.CopyAsync(a, b, null, "alice"));
        await Assert.ThrowsAsync<RoomAlreadyExistsException>(async () => await rooms.CopyAsync(a, b, null, "alice"));
        await sessions.ConnectAsync(sid, "alice", ipAddress: "::1");
        using (var schema = JsonDocument.Parse("""{"a": 1}"""))
        using (var other = JsonDocument.Parse("""{"a": 2}"""))
        {
            await extensions.RegisterAsync(sid, ExtensionId.InRoom(a, "modifiers", "Rotate"), schema.RootElement);
            await Assert.ThrowsAnyAsync<Exception>(async () => await extensions.RegisterAsync(sid, ExtensionId.InRoom(a, "modifiers", "Rotate"), other.RootElement));
        }

        Assert.NotNull(await sessions.DisconnectAsync(sid));
        Assert.Null(await sessions.DisconnectAsync(sid)); // nothing removed: no second logout
        Assert.True(await rooms.DeleteAsync(b, "alice"));
        Assert.False(await rooms.DeleteAsync(missing, "alice"));

        var db = cluster.Database;
        var outbox = new HistoryOutbox(stream);
        var registered = (await db.SetMembersAsync(outbox.RegistryKey)).Select(v => (int)v).Order().ToList();
        var found = new List<(HistoryEvent Event, int Slot)>();
        foreach (var slot in registered)
        {
            RedisKey shard = outbox.ShardKey(slot);
            Assert.Equal(slot, await cluster.KeySlotAsync(shard));
            found.AddRange((await db.StreamRangeAsync(shard)).Select(e => (outbox.Parse(e), slot)));
        }

        Assert.Equal(0, await db.StreamLengthAsync(stream)); // nothing fell back to a separate append

        string StateKey(HistoryEvent e) => e switch
        {
            RoomHistoryEvent r => (string)space.Room(r.RoomId).CurrentFrame()!,
            UserLoginEvent l => (string)space.Session(l.SessionId).Username()!,
            UserLogoutEvent l => (string)space.Session(l.SessionId).Username()!,
            ExtensionRegisteredEvent => (string)space.Room(a).CurrentFrame()!,
            _ => throw new InvalidOperationException(e.GetType().Name),
        };

        string[] expected =
        [
            "room:" + RoomEventTypes.Created + ":" + a, "room:" + RoomEventTypes.Locked + ":" + a, "room:" + RoomEventTypes.Hidden + ":" + a,
            "room:" + RoomEventTypes.DescriptionChanged + ":" + a, "room:" + RoomEventTypes.Copied + ":" + b, "login:" + sid,
            "registered:" + sid, "logout:" + sid, "room:" + RoomEventTypes.Deleted + ":" + b,
        ];
        Assert.Equal(
            expected.Order(StringComparer.Ordinal),
            found.Select(f => f.Event switch
            {
                RoomHistoryEvent r => "room:" + r.EventType + ":" + r.RoomId,
                UserLoginEvent l => "login:" + l.SessionId,
                UserLogoutEvent l => "logout:" + l.SessionId,
                ExtensionRegisteredEvent x => "registered:" + x.WorkerId,
                _ => "?",
            }).Order(StringComparer.Ordinal));
        foreach (var (e, slot) in found)
        {
            Assert.Equal(await cluster.KeySlotAsync(StateKey(e)), slot); // the entry lives in the slot of its state keys
        }

        // The dispatcher consumes every shard and stores each event once.
        await host.StartAsync();
        await Eventually.WaitForAsync(CountRowsAsync, n => n == (6, 1, 1), Deadline, "6 room events, 1 login with its logout, 1 registration");
        await Eventually.WaitForAsync(
            async () => (await Task.WhenAll(registered.Select(s => db.StreamPendingAsync(outbox.ShardKey(s), HistoryOptions.DefaultConsumerGroup))))
                .Sum(p => p.PendingMessageCount),
            n => n == 0, Deadline, "every shard acknowledged");
        await host.StopAsync();
        Assert.Equal((6, 1, 1), await CountRowsAsync());
        Assert.Equal(found.Count, probe.Received.Select(e => e.EventId).Distinct().Count());
        await DeleteAsync(db, outbox, registered);
    }

    [Fact]
    public async Task A_dead_consumers_pending_entries_are_reclaimed_and_delivered_once_and_each_shard_is_trimmed()
    {
        var stream = "outbox-" + Guid.NewGuid().ToString("N")[..12];
        var outbox = new HistoryOutbox(stream);
        var db = cluster.Database;
        var room = RedisFixture.NewId("room");
        var produced = await ProduceAsync(outbox, room, shards: 12, perShard: 50);
        var slots = produced.Select(p => p.Slot).Distinct().ToList();
        Assert.Equal(12, slots.Count);

        // A consumer that read a part of every shard and died before acknowledging.
        foreach (var slot in slots)
        {
            await db.StreamCreateConsumerGroupAsync(outbox.ShardKey(slot), HistoryOptions.DefaultConsumerGroup, StreamPosition.Beginning);
            Assert.Equal(20, (await db.StreamReadGroupAsync(outbox.ShardKey(slot), HistoryOptions.DefaultConsumerGroup, "dead", StreamPosition.NewMessages, 20)).Length);
        }

        var probe = new ProbeSink(new SqlHistorySink(_factory));
        var started = Stopwatch.StartNew();
        using var host = DispatcherHost(stream, probe, o => o.ClaimIdleTime = TimeSpan.FromMilliseconds(300));
        await host.StartAsync();
        await Eventually.WaitForAsync(() => CountRoomRowsAsync(room), n => n == produced.Count, Deadline, $"{produced.Count} rows");
        await Eventually.WaitForAsync(
            async () => (await Task.WhenAll(slots.Select(s => db.StreamLengthAsync(outbox.ShardKey(s))))).Sum(),
            n => n == 0, Deadline, "every shard trimmed");
        await host.StopAsync();

        Assert.Equal(produced.Count, await CountRoomRowsAsync(room));
        Assert.Equal(produced.Select(p => p.Event.EventId).Order(StringComparer.Ordinal), (await RoomEventIdsAsync(room)).Order(StringComparer.Ordinal));
        foreach (var slot in slots)
        {
            var pending = await db.StreamPendingAsync(outbox.ShardKey(slot), HistoryOptions.DefaultConsumerGroup);
            Assert.Equal(0, pending.PendingMessageCount); // the dead consumer's 20 per shard were claimed and acknowledged
        }

        Assert.True(started.Elapsed < Deadline);
        await DeleteAsync(db, outbox, slots);
    }

    [Fact]
    public async Task A_shard_the_registry_lost_is_found_by_the_start_up_sweep()
    {
        var stream = "outbox-" + Guid.NewGuid().ToString("N")[..12];
        var outbox = new HistoryOutbox(stream);
        var db = cluster.Database;
        var room = RedisFixture.NewId("room");
        var produced = await ProduceAsync(outbox, room, shards: 3, perShard: 10);
        var slots = produced.Select(p => p.Slot).Distinct().ToList();
        await db.KeyDeleteAsync(outbox.RegistryKey); // as after a failover that lost the registry's latest writes

        var probe = new ProbeSink(new SqlHistorySink(_factory));
        using var host = DispatcherHost(stream, probe);
        var sweep = Stopwatch.StartNew();
        await host.StartAsync();
        await Eventually.WaitForAsync(() => CountRoomRowsAsync(room), n => n == produced.Count, Deadline, $"{produced.Count} rows");
        sweep.Stop();
        await host.StopAsync();
        Assert.Equal(slots.Order(), (await db.SetMembersAsync(outbox.RegistryKey)).Select(v => (int)v).Order()); // registered again
        Assert.True(sweep.Elapsed < TimeSpan.FromSeconds(10), $"sweep and delivery took {sweep.Elapsed}");
        await DeleteAsync(db, outbox, slots);
    }

    /// <summary>
    /// Writes <paramref name="perShard"/> state changes into each of <paramref name="shards"/> slots (a room key per slot),
    /// each with its event in the same MULTI/EXEC, exactly as the repositories do, registering the shards first.
    /// </summary>
    private async Task<List<(HistoryEvent Event, int Slot)>> ProduceAsync(HistoryOutbox outbox, string room, int shards, int perShard)
    {
        var db = cluster.Database;
        var redisOutbox = new RedisHistoryOutbox(db, outbox, KeyLayout.ClusterSafe);
        var produced = new List<(HistoryEvent, int)>();
        var commits = new List<Task<bool>>();
        var used = new HashSet<int>();
        for (var candidate = 0; used.Count < shards; candidate++)
        {
            // One hash tag per shard, each in a slot of its own (two random tags share a slot now and then).
            RedisKey state = "test:{" + room + "-" + candidate + "}:description";
            if (!used.Add(OutboxSlots.Of((byte[])state!)))
            {
                continue;
            }

            RedisKey shard = redisOutbox.ShardFor(state, out var registration);
            if (registration is not null)
            {
                await registration;
            }

            var slot = OutboxSlots.Of((byte[])state!);
            for (var i = 0; i < perShard; i++)
            {
                var e = new RoomHistoryEvent(HistoryEvent.NewEventId(DateTimeOffset.UtcNow), DateTimeOffset.UtcNow, room, RoomEventTypes.DescriptionChanged, "alice", null);
                var tx = db.CreateTransaction();
                _ = tx.StringSetAsync(state, "d" + i);
                HistoryOutbox.Enlist(tx, shard, e);
                commits.Add(tx.ExecuteAsync());
                produced.Add((e, slot));
            }

            await db.KeyDeleteAsync(state);
        }

        Assert.All(await Task.WhenAll(commits), Assert.True);
        return produced;
    }

    private IHost BuildHost(string stream, string prefix, IHistorySink sink) =>
        TestHost.Build(b =>
        {
            b.Services.AddSingleton<IConnectionMultiplexer>(cluster.Connection);
            b.Services.AddSingleton(sink);
            b.Services.AddZnDrawStorage(o =>
            {
                o.Layout = KeyLayout.ClusterSafe;
                o.KeyPrefix = prefix;
            }).AddHistory(Configure(stream, null));
        });

    private IHost DispatcherHost(string stream, IHistorySink sink, Action<HistoryOptions>? configure = null) =>
        TestHost.Build(b =>
        {
            b.Services.AddSingleton<IConnectionMultiplexer>(cluster.Connection);
            b.Services.AddSingleton(sink);
            b.AddHistory(Configure(stream, configure));
        });

    private static Action<HistoryOptions> Configure(string stream, Action<HistoryOptions>? configure) => o =>
    {
        o.Mode = HistoryMode.Durable;
        o.StreamKey = stream;
        o.PollInterval = TimeSpan.FromMilliseconds(50);
        o.ClaimIdleTime = TimeSpan.FromMilliseconds(300);
        o.RetryInitialDelay = TimeSpan.FromMilliseconds(50);
        o.RetryMaxDelay = TimeSpan.FromMilliseconds(500);
        o.TrimInterval = TimeSpan.Zero;
        configure?.Invoke(o);
    };

    private async Task<(int Rooms, int Logins, int Registrations)> CountRowsAsync()
    {
        await using var db = await _factory.CreateDbContextAsync();
        return (await db.RoomEvents.CountAsync(), await db.UserLoginEvents.CountAsync(l => l.LogoutAt != null), await db.ExtensionRegistrations.CountAsync());
    }

    private async Task<int> CountRoomRowsAsync(string room)
    {
        await using var db = await _factory.CreateDbContextAsync();
        return await db.RoomEvents.CountAsync(r => r.RoomId == room);
    }

    private async Task<List<string>> RoomEventIdsAsync(string room)
    {
        await using var db = await _factory.CreateDbContextAsync();
        return await db.RoomEvents.Where(r => r.RoomId == room).Select(r => r.EventId).ToListAsync();
    }

    private static async Task DeleteAsync(IDatabase db, HistoryOutbox outbox, IEnumerable<int> slots)
    {
        foreach (var slot in slots)
        {
            await db.KeyDeleteAsync(outbox.ShardKey(slot));
        }

        await db.KeyDeleteAsync(outbox.RegistryKey);
        await db.KeyDeleteAsync(outbox.StreamKey);
    }
}
