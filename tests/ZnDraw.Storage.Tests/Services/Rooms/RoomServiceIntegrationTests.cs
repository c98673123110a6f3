using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Keys;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Repositories.Rooms;

namespace ZnDraw.Storage.Tests.Services.Rooms;

/// <summary><see cref="RoomService"/> against a real Redis, with real repositories, in every key layout.</summary>
[Collection(RedisCollection.Name)]
public sealed class RoomServiceIntegrationTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;
    private readonly CollectingSink _sink = new();

    private static readonly UserRoomSettings CreatorSettings = new(
    [
        new RoomSettingsSection(RoomSettingsSections.Camera, JsonDocument.Parse("""{"fov": 50}""").RootElement),
        new RoomSettingsSection(RoomSettingsSections.Pathtracing, JsonDocument.Parse("""{"enabled": false}""").RootElement),
    ]);

    private (RoomService Service, RoomRepository Rooms, SettingsRepository Settings, FrameRepository Frames) Create(KeySpace space, HistoryRecorder? history = null)
    {
        var context = RoomTestSupport.Context(redis, space);
        var rooms = new RoomRepository(context);
        var settings = new SettingsRepository(context);
        var users = new UserRepository(context);
        var service = new RoomService(
            rooms,
            settings,
            users,
            Options.Create(new ZnDrawStorageOptions { Layout = space.Layout }),
            null,
            history ?? Recorders.Direct(_sink),
            context.Database);
        return (service, rooms, settings, new FrameRepository(context));
    }

    /// <summary>Creates the users a test joins with (a join refuses unknown users); existing ones are kept.</summary>
    private async Task UsersAsync(KeySpace space, params string[] names)
    {
        var users = new UserRepository(RoomTestSupport.Context(redis, space));
        foreach (var name in names)
        {
            await users.CreateAsync(new User(name));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Create_makes_an_empty_room_once_and_refuses_an_existing_one(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, rooms, _, _) = Create(space);
        var roomId = RedisFixture.NewId("room");

        var room = await service.CreateAsync(roomId, "api room", "alice");
        Assert.Equal(new Room(roomId, "api room", FrameCount: 0), room);
        Assert.Equal(room, await service.GetAsync(roomId));
        await Assert.ThrowsAsync<RoomAlreadyExistsException>(async () => await service.CreateAsync(roomId));
        Assert.Empty(await rooms.GetUsersAsync(roomId));

        var e = Assert.IsType<RoomHistoryEvent>(Assert.Single(_sink.Events));
        Assert.Equal((roomId, RoomEventTypes.Created, "alice"), (e.RoomId, e.EventType, e.User));
        Assert.True(await service.DeleteAsync(roomId));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Join_creates_the_room_with_defaults_gives_only_the_creator_settings_and_records_membership(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, settings, _) = Create(space);
        var id = RedisFixture.NewId("room");
        await UsersAsync(space, "alice", "bob");

        var first = await service.JoinAsync(id, "alice", description: "Water", creatorSettings: CreatorSettings);
        var second = await service.JoinAsync(id, "bob", description: "ignored", creatorSettings: CreatorSettings);

        Assert.Equal(RoomJoinOutcome.Created, first.Outcome);
        Assert.Equal(RoomJoinOutcome.Joined, second.Outcome);
        Assert.Equal(new Room(id, "Water", FrameCount: 0), await service.GetAsync(id));
        Assert.Equal(CreatorSettings, await settings.GetAllAsync(id, "alice"));
        Assert.Null(await settings.GetAllAsync(id, "bob"));
        Assert.Equal(["alice", "bob"], await service.GetUsersAsync(id));
        Assert.Equal(id, (string?)await _db.HashGetAsync(space.User("alice").HashKey(), "currentRoom"));
        Assert.Equal(id, (string?)await _db.HashGetAsync(space.User("bob").HashKey(), "currentRoom"));
        Assert.Equal(DefaultGeometries.All.Count, (int)await _db.HashLengthAsync(space.Room(id).Geometries()));
        Assert.Contains(id, await service.ListAsync());
        var e = Assert.IsType<RoomHistoryEvent>(Assert.Single(_sink.Events));
        Assert.Equal((id, RoomEventTypes.Created, "alice"), (e.RoomId, e.EventType, e.User));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Concurrent_joins_of_a_new_room_create_it_exactly_once(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, settings, _) = Create(space);
        var id = RedisFixture.NewId("room");
        var users = Enumerable.Range(0, 12).Select(i => $"user-{i:D2}").ToArray();
        await UsersAsync(space, users);

        var results = await Task.WhenAll(users.Select(u => service.JoinAsync(id, u, creatorSettings: CreatorSettings).AsTask()));

        var creator = Assert.Single(results, r => r.Created).UserName;
        foreach (var user in users)
        {
            Assert.Equal(user == creator, await settings.GetAllAsync(id, user) is not null);
        }

        Assert.Equal(users, await service.GetUsersAsync(id));
        Assert.Single(_sink.Events);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Join_with_copyFrom_copies_frames_and_a_second_copy_is_refused(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, _, frames) = Create(space);
        var source = RedisFixture.NewId("src");
        var target = RedisFixture.NewId("dst");
        var empty = RedisFixture.NewId("empty");
        await UsersAsync(space, "alice", "bob");
        await service.JoinAsync(source, "alice");
        await frames.AppendAsync(source, [new FrameIndex(source, 0), new FrameIndex(source, 1)]);
        await service.JoinAsync(empty, "alice");

        var joined = await service.JoinAsync(target, "bob", copyFrom: source);
        var duplicate = await service.CopyAsync(source, userName: "carol");

        Assert.Equal(RoomJoinOutcome.Copied, joined.Outcome);
        Assert.Equal(2, (await service.GetAsync(target))!.FrameCount);
        Assert.Equal(2, (await service.GetAsync(duplicate))!.FrameCount);
        Assert.Equal(["bob"], await service.GetUsersAsync(target));
        await Assert.ThrowsAsync<RoomAlreadyExistsException>(async () => await service.CopyAsync(source, target));
        await Assert.ThrowsAsync<RoomNotCopyableException>(async () => await service.CopyAsync(empty, RedisFixture.NewId("x")));
        await Assert.ThrowsAsync<RoomNotCopyableException>(async () => await service.JoinAsync(RedisFixture.NewId("x"), "bob", copyFrom: RedisFixture.NewId("nowhere")));
        var copies = _sink.Events.Cast<RoomHistoryEvent>().Where(e => e.EventType == RoomEventTypes.Copied).ToList();
        Assert.Equal([(target, "bob"), (duplicate, "carol")], copies.Select(e => (e.RoomId, e.User!)));
        Assert.All(copies, e => Assert.Equal(source, e.Metadata!["source_room"]));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Join_without_allowCreate_refuses_a_missing_room_and_writes_nothing(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, _, _) = Create(space);
        var id = RedisFixture.NewId("room");
        var user = RedisFixture.NewId("user");
        await UsersAsync(space, user);

        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.JoinAsync(id, user, allowCreate: false));

        Assert.Null(await service.GetAsync(id));
        Assert.False(await _db.HashExistsAsync(space.User(user).HashKey(), "currentRoom"));
        Assert.False(await _db.KeyExistsAsync(space.Room(id).Users()));
        Assert.DoesNotContain(id, await service.ListAsync());
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Flags_description_list_and_delete_round_trip(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, _, _) = Create(space);
        var id = RedisFixture.NewId("room");
        await UsersAsync(space, "alice");
        await service.JoinAsync(id, "alice");

        await service.LockAsync(id, "alice");
        await service.HideAsync(id, "alice");
        await service.SetDescriptionAsync(id, "Box", "alice");
        Assert.Equal(new Room(id, "Box", Locked: true, Hidden: true, FrameCount: 0), await service.GetAsync(id));
        Assert.Contains(await service.ListDetailsAsync(), r => r.Id == id);
        Assert.DoesNotContain(await service.ListDetailsAsync(includeHidden: false), r => r.Id == id);

        await service.UnlockAsync(id, "alice");
        await service.UnhideAsync(id, "alice");
        await service.SetDescriptionAsync(id, null, "alice");
        Assert.Equal(new Room(id, FrameCount: 0), await service.GetAsync(id));

        Assert.True(await service.DeleteAsync(id, "alice"));
        Assert.False(await service.DeleteAsync(id, "alice"));
        Assert.Null(await service.GetAsync(id));
        Assert.DoesNotContain(id, await service.ListAsync());
        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.LockAsync(id));
        Assert.False(await _db.KeyExistsAsync(space.Room(id).Locked()));

        Assert.Equal(
            [RoomEventTypes.Created, RoomEventTypes.Locked, RoomEventTypes.Hidden, RoomEventTypes.DescriptionChanged,
             RoomEventTypes.Unlocked, RoomService.UnhiddenEventType, RoomEventTypes.DescriptionChanged, RoomEventTypes.Deleted],
            _sink.Events.Cast<RoomHistoryEvent>().Select(e => e.EventType));
    }

    [Fact]
    public async Task Durable_history_appends_each_event_to_the_outbox_after_the_commit()
    {
        var stream = RedisFixture.NewId("outbox");
        var recorder = Recorders.Durable(_sink, stream);
        var space = new KeySpace(RedisFixture.NewId("p") + ":");
        var (service, _, _, _) = Create(space, recorder);
        var id = RedisFixture.NewId("room");
        await UsersAsync(space, "alice", "bob");

        await service.JoinAsync(id, "alice");
        await service.LockAsync(id, "alice");
        await service.JoinAsync(id, "bob");

        var entries = await _db.StreamRangeAsync(stream);
        Assert.Equal(2, entries.Length);
        var parsed = entries.Select(e => Assert.IsType<RoomHistoryEvent>(recorder.Outbox!.Parse(e))).ToList();
        Assert.Equal([RoomEventTypes.Created, RoomEventTypes.Locked], parsed.Select(e => e.EventType));
        Assert.All(parsed, e => Assert.Equal(id, e.RoomId));
        Assert.Empty(_sink.Events); // the dispatcher, not the service, delivers durable events
        await _db.KeyDeleteAsync(stream);
    }
}
