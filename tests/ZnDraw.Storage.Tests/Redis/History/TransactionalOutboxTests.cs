using System.Text.Json;
using Microsoft.Extensions.Options;
using NSubstitute;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.History;

/// <summary>Durable history: the repository script that changes the state appends the event to the outbox itself.</summary>
[Collection(RedisCollection.Name)]
public sealed class TransactionalOutboxTests(RedisFixture redis)
{
    private HistoryRecorder Recorder(string stream, HistoryMode mode, KeySpace space, IHistorySink? sink = null) =>
        new(Options.Create(new HistoryOptions { Mode = mode, StreamKey = stream }), sink: sink ?? Substitute.For<IHistorySink>(),
            outbox: mode == HistoryMode.Durable ? ZnDraw.Storage.Tests.Services.Rooms.Recorders.Outbox(redis.Database, stream, space.Layout) : null);

    private static RoomHistoryEvent Event(HistoryRecorder recorder, string roomId, string type) =>
        new(recorder.NewEventId(), recorder.Now, roomId, type, "alice", null);

    private async Task<StreamEntry[]> EntriesAsync(string stream) => await redis.Database.StreamRangeAsync(stream);

    [Fact]
    public async Task A_room_create_appends_its_event_in_the_same_script_and_a_refused_create_appends_nothing()
    {
        var stream = RedisFixture.NewId("outbox");
        var recorder = Recorder(stream, HistoryMode.Durable, KeySpace.Default);
        var rooms = new RoomRepository(new RedisStoreContext(redis.Connection));
        var roomId = RedisFixture.NewId("room");

        var created = Event(recorder, roomId, RoomEventTypes.Created);
        using (var scope = recorder.BeginOutbox(created))
        {
            Assert.NotNull(scope);
            Assert.True(await rooms.CreateAsync(roomId, "described"));
            Assert.True(scope.Enlisted);
        }

        using (var scope = recorder.BeginOutbox(Event(recorder, roomId, RoomEventTypes.Created)))
        {
            Assert.False(await rooms.CreateAsync(roomId));
            Assert.True(scope!.Enlisted);
        }

        var entries = await EntriesAsync(stream);
        var entry = Assert.Single(entries);
        Assert.Equal(created.EventId, (string?)entry[HistoryOutbox.IdField]);
        var parsed = Assert.IsType<RoomHistoryEvent>(new HistoryOutbox(stream).Parse(entry));
        Assert.Equal(roomId, parsed.RoomId);

        // The wrapped script saw exactly its own KEYS and ARGV: the room is complete.
        var room = await rooms.GetByIdAsync(roomId);
        Assert.Equal("described", room!.Description);
        Assert.Equal(DefaultGeometries.All.Count, (await redis.Database.HashLengthAsync(new RoomKeys(roomId).Geometries())));
        Assert.True(await rooms.DeleteAsync(roomId));
    }

    [Fact]
    public async Task Lock_delete_and_extension_registration_append_only_when_they_succeed()
    {
        var stream = RedisFixture.NewId("outbox");
        var recorder = Recorder(stream, HistoryMode.Durable, KeySpace.Default);
        var context = new RedisStoreContext(redis.Connection);
        var rooms = new RoomRepository(context);
        var extensions = new ExtensionRepository(context);
        var roomId = RedisFixture.NewId("room");

        using (recorder.BeginOutbox(Event(recorder, roomId, RoomEventTypes.Locked)))
        {
            Assert.False(await rooms.SetLockedAsync(roomId, true)); // no such room: nothing appended
        }

        Assert.True(await rooms.CreateAsync(roomId));
        using (recorder.BeginOutbox(Event(recorder, roomId, RoomEventTypes.Locked)))
        {
            Assert.True(await rooms.SetLockedAsync(roomId, true));
        }

        using var schema = JsonDocument.Parse("""{"a": 1}""");
        using var other = JsonDocument.Parse("""{"a": 2}""");
        var ext = ExtensionId.InRoom(roomId, "modifiers", "Rotate");
        var registered = new ExtensionRegisteredEvent(recorder.NewEventId(), recorder.Now, HistoryScopes.Room(roomId), "modifiers", "Rotate", "{\"a\": 1}", "sid1");
        using (recorder.BeginOutbox(registered))
        {
            Assert.Equal(ExtensionRegistrationResult.Registered, await extensions.RegisterExtensionAsync(ext, schema.RootElement, "sid1"));
        }

        using (recorder.BeginOutbox(registered with { EventId = recorder.NewEventId(), WorkerId = "sid2" }))
        {
            Assert.Equal(ExtensionRegistrationResult.SchemaConflict, await extensions.RegisterExtensionAsync(ext, other.RootElement, "sid2"));
        }

        using (recorder.BeginOutbox(Event(recorder, roomId, RoomEventTypes.Deleted)))
        {
            Assert.True(await rooms.DeleteAsync(roomId));
        }

        var types = (await EntriesAsync(stream)).Select(e => new HistoryOutbox(stream).Parse(e)).Select(e => e switch
        {
            RoomHistoryEvent r => r.EventType,
            ExtensionRegisteredEvent x => "registered:" + x.WorkerId,
            _ => "?",
        }).ToList();
        Assert.Equal([RoomEventTypes.Locked, "registered:sid1", RoomEventTypes.Deleted], types);
    }

    [Fact]
    public async Task Only_the_first_script_of_a_scope_takes_the_event()
    {
        var stream = RedisFixture.NewId("outbox");
        var recorder = Recorder(stream, HistoryMode.Durable, KeySpace.Default);
        var rooms = new RoomRepository(new RedisStoreContext(redis.Connection));
        var a = RedisFixture.NewId("room");
        var b = RedisFixture.NewId("room");
        using (recorder.BeginOutbox(Event(recorder, a, RoomEventTypes.Created)))
        {
            Assert.True(await rooms.CreateAsync(a));
            Assert.True(await rooms.CreateAsync(b));
        }

        Assert.Single(await EntriesAsync(stream));
        await rooms.DeleteAsync(a);
        await rooms.DeleteAsync(b);
    }

    [Fact]
    public void No_scope_is_opened_outside_durable_mode_and_one_is_under_either_layout()
    {
        var direct = Recorder("s", HistoryMode.Direct, KeySpace.Default);
        Assert.Null(direct.BeginOutbox(Event(direct, "r1", RoomEventTypes.Created)));
        var cluster = Recorder("s", HistoryMode.Durable, new KeySpace(layout: KeyLayout.ClusterSafe));
        using (var scope = cluster.BeginOutbox(Event(cluster, "r1", RoomEventTypes.Created)))
        {
            Assert.NotNull(scope);
        }

        Assert.Null(HistoryOutboxScope.Current);
    }

    [Fact]
    public async Task Record_hands_the_event_to_the_sink_in_direct_mode_and_skips_an_enlisted_one()
    {
        var sink = Substitute.For<IHistorySink>();
        var direct = Recorder("s", HistoryMode.Direct, KeySpace.Default, sink);
        var e = Event(direct, "r1", RoomEventTypes.Hidden);
        await direct.RecordAsync(null, e, default);
        await sink.Received(1).WriteAsync(Arg.Is<IReadOnlyList<HistoryEvent>>(l => l.Count == 1 && l[0] == e), Arg.Any<CancellationToken>());

        var stream = RedisFixture.NewId("outbox");
        var durable = Recorder(stream, HistoryMode.Durable, KeySpace.Default);
        var rooms = new RoomRepository(new RedisStoreContext(redis.Connection));
        var roomId = RedisFixture.NewId("room");
        var created = Event(durable, roomId, RoomEventTypes.Created);
        using (var scope = durable.BeginOutbox(created))
        {
            Assert.True(await rooms.CreateAsync(roomId));
            await durable.RecordAsync(scope, created, default); // already in the outbox: no second XADD
        }

        Assert.Single(await EntriesAsync(stream));
        await rooms.DeleteAsync(roomId);
    }

    [Fact]
    public async Task Session_connect_and_disconnect_write_login_and_logout_in_the_same_step_and_only_once()
    {
        var stream = RedisFixture.NewId("outbox");
        var recorder = Recorder(stream, HistoryMode.Durable, KeySpace.Default);
        var context = new RedisStoreContext(redis.Connection);
        var users = new UserRepository(context);
        var sessions = new ZnDraw.Storage.Services.SessionService(
            new SessionRepository(context), users, Microsoft.Extensions.Logging.Abstractions.NullLogger<ZnDraw.Storage.Services.SessionService>.Instance, recorder);
        var name = "user-" + Guid.NewGuid().ToString("N")[..8];
        var sid = Guid.NewGuid().ToString("N");
        Assert.True(await users.CreateAsync(new User(name)));

        await sessions.ConnectAsync(sid, name, ipAddress: "::1");
        Assert.NotNull(await sessions.DisconnectAsync(sid));
        Assert.Null(await sessions.DisconnectAsync(sid));

        var events = (await EntriesAsync(stream)).Select(e => new HistoryOutbox(stream).Parse(e)).ToList();
        Assert.Collection(
            events,
            e => Assert.Equal(sid, Assert.IsType<UserLoginEvent>(e).SessionId),
            e => Assert.Equal(name, Assert.IsType<UserLogoutEvent>(e).Username));
        Assert.True(await users.DeleteAsync(name));
    }
}
