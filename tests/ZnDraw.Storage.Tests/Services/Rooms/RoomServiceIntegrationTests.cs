using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

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
            history ?? Recorders.Direct(_sink));
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
        var space = new KeySpace(RedisFixture.NewId("p") + ":");
        var recorder = Recorders.Durable(_sink, stream, _db, space.Layout);
        var (service, _, _, _) = Create(space, recorder);
        var id = RedisFixture.NewId("room");
        await UsersAsync(space, "alice", "bob");

        await service.JoinAsync(id, "alice");
        await service.LockAsync(id, "alice");
        await service.JoinAsync(id, "bob");

        var entries = await _db.StreamRangeAsync(stream);
        Assert.Equal(2, entries.Length);
        var parsed = entries.Select(e => Assert.IsType<RoomHistoryEvent>(new HistoryOutbox(stream).Parse(e))).ToList();
        Assert.Equal([RoomEventTypes.Created, RoomEventTypes.Locked], parsed.Select(e => e.EventType));
        Assert.All(parsed, e => Assert.Equal(id, e.RoomId));
        Assert.Empty(_sink.Events); // the dispatcher, not the service, delivers durable events
        await _db.KeyDeleteAsync(stream);
    }

    // ---------------------------------------------------------------- unknown users (join)

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Join_as_a_user_that_does_not_exist_throws_and_writes_nothing(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, _, frames) = Create(space);
        var ghost = RedisFixture.NewId("ghost");
        var existing = RedisFixture.NewId("room");
        var source = RedisFixture.NewId("src");
        await UsersAsync(space, "alice");
        await service.JoinAsync(existing, "alice");
        await service.JoinAsync(source, "alice");
        await frames.AppendAsync(source, [new FrameIndex(source, 0)]);
        var fresh = RedisFixture.NewId("room");
        var copy = RedisFixture.NewId("copy");
        // Every key this test could write: anything naming the unknown user, and the keys of the four rooms.
        async Task<List<string>> KeysAsync()
        {
            var keys = await RoomTestSupport.ScanAsync(redis, $"*{ghost}*");
            foreach (var id in new[] { fresh, copy, existing, source })
            {
                keys.AddRange(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, id)) + "*"));
            }

            return keys;
        }

        var keysBefore = await KeysAsync();
        var usersBefore = await _db.SetMembersAsync(space.Room(existing).Users());
        int eventsBefore = _sink.Events.Count;

        var calls = new Func<Task>[]
        {
            async () => await service.JoinAsync(fresh, ghost),
            async () => await service.JoinAsync(existing, ghost),
            async () => await service.JoinAsync(existing, ghost, allowCreate: false),
            async () => await service.JoinAsync(copy, ghost, copyFrom: source),
        };
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<UserNotFoundException>(call);
            Assert.Equal(ghost, ex.UserName);
        }

        Assert.Equal(keysBefore, await KeysAsync());
        Assert.Equal(usersBefore.Length, (await _db.SetMembersAsync(space.Room(existing).Users())).Length);
        Assert.DoesNotContain(fresh, await service.ListAsync());
        Assert.False(await _db.KeyExistsAsync(space.User(ghost).HashKey()));
        Assert.Null(await service.GetAsync(fresh));
        Assert.Null(await service.GetAsync(copy));
        Assert.DoesNotContain(ghost, await service.GetUsersAsync(existing));
        Assert.Equal(eventsBefore, _sink.Events.Count);

        // The name stays free: ZnDraw's and the library's user creation still succeed.
        var users = new UserRepository(RoomTestSupport.Context(redis, space));
        Assert.True(await users.CreateAsync(new User(ghost)));
        Assert.Equal(RoomJoinOutcome.Joined, (await service.JoinAsync(existing, ghost)).Outcome);
        Assert.Equal(existing, (await users.GetByIdAsync(ghost))!.CurrentRoom);
        await users.DeleteAsync(ghost);
        foreach (var id in new[] { existing, source })
        {
            await service.DeleteAsync(id);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task A_join_racing_the_users_deletion_never_leaves_a_partial_user_hash(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, rooms, _, _) = Create(space);
        var users = new UserRepository(RoomTestSupport.Context(redis, space));
        var room = RedisFixture.NewId("room");
        await UsersAsync(space, "alice");
        await service.JoinAsync(room, "alice");
        int joined = 0, refused = 0;

        for (int i = 0; i < 60; i++)
        {
            var name = RedisFixture.NewId("racer");
            Assert.True(await users.CreateAsync(new User(name)));
            var join = Task.Run(async () => await service.JoinAsync(room, name));
            var delete = Task.Run(async () => await users.DeleteAsync(name));
            await delete;
            try
            {
                await join;
                joined++;
            }
            catch (UserNotFoundException)
            {
                refused++;
            }

            // The deletion finished last or the join refused: either way no hash holding only currentRoom is left.
            Assert.False(await _db.KeyExistsAsync(space.User(name).HashKey()), $"iteration {i}: a partial user hash was left");
        }

        Assert.Equal(60, joined + refused);
        Assert.False(await rooms.AddUserAsync(room, RedisFixture.NewId("nobody")));
        await service.DeleteAsync(room);
    }

    // ---------------------------------------------------------------- default room

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Default_room_is_set_only_for_an_existing_room_read_and_cleared(string layout)
    {
        var space = Layouts.Space(layout);
        var (service, _, _, _) = Create(space);
        RedisKey key = space.Global.DefaultRoom();
        Assert.Equal(space.Prefix + "default_room", key.ToString());
        if (layout == Layouts.ZnDraw)
        {
            Assert.Equal("default_room", key.ToString()); // ZnDraw's own key, byte for byte
        }

        RedisValue saved = await _db.StringGetAsync(key);
        try
        {
            await _db.KeyDeleteAsync(key);
            var id = RedisFixture.NewId("room");
            Assert.Null(await service.GetDefaultRoomAsync());
            await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.SetDefaultRoomAsync(id));
            Assert.False(await _db.KeyExistsAsync(key));
            await Assert.ThrowsAsync<ArgumentException>(async () => await service.SetDefaultRoomAsync("bad id!"));

            await service.CreateAsync(id);
            await service.SetDefaultRoomAsync(id);
            Assert.Equal(id, (string?)await _db.StringGetAsync(key)); // the plain string ZnDraw reads
            Assert.Equal(id, await service.GetDefaultRoomAsync());

            await _db.StringSetAsync(key, "written-by-zndraw");
            Assert.Equal("written-by-zndraw", await service.GetDefaultRoomAsync());

            Assert.True(await service.ClearDefaultRoomAsync());
            Assert.False(await service.ClearDefaultRoomAsync());
            Assert.Null(await service.GetDefaultRoomAsync());

            await _db.HashSetAsync(key, "not", "a string");
            var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await service.GetDefaultRoomAsync());
            Assert.Contains(key.ToString(), ex.Message, StringComparison.Ordinal);
            await service.DeleteAsync(id);
        }
        finally
        {
            await _db.KeyDeleteAsync(key);
            if (!saved.IsNull)
            {
                await _db.StringSetAsync(key, saved);
            }
        }
    }

    [Fact]
    public async Task Setting_the_default_room_checks_and_writes_in_one_round_trip_in_the_zndraw_layout()
    {
        var (service, rooms, _, _) = Create(KeySpace.Default);
        var id = RedisFixture.NewId("room");
        RedisValue saved = await _db.StringGetAsync("default_room");
        try
        {
            await service.CreateAsync(id);
            await rooms.SetDefaultRoomAsync(id); // loads the script

            var (set, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await rooms.SetDefaultRoomAsync(id));

            Assert.True(set);
            Assert.Equal(1, m.RoundTrips);
            Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await rooms.GetDefaultRoomAsync(); })).RoundTrips);
            Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await rooms.ClearDefaultRoomAsync(); })).RoundTrips);
            await service.DeleteAsync(id);
        }
        finally
        {
            if (!saved.IsNull)
            {
                await _db.StringSetAsync("default_room", saved);
            }
        }
    }
}
