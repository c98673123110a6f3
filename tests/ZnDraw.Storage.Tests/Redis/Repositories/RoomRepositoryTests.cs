using System.Reflection;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class RoomRepositoryTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    private RoomRepository Repo(KeySpace space) => new(RoomTestSupport.Context(redis, space));

    // ---------------------------------------------------------------- create

    [Fact]
    public async Task Create_writes_zndraw_defaults_byte_identical_in_one_round_trip()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        await repo.CreateAsync(RedisFixture.NewId("warm")); // loads the script (a first EVALSHA answers NOSCRIPT)

        var (created, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.CreateAsync(id, "Water box"));

        Assert.True(created);
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal("0", (string?)await _db.StringGetAsync($"room:{id}:current_frame"));
        Assert.Equal("0", (string?)await _db.StringGetAsync($"room:{id}:locked"));
        Assert.Equal("0", (string?)await _db.StringGetAsync($"room:{id}:hidden"));
        Assert.Equal("Water box", (string?)await _db.StringGetAsync($"room:{id}:description"));
        HashEntry[] geometries = await _db.HashGetAllAsync($"room:{id}:geometries");
        Assert.Equal(6, geometries.Length);
        foreach (DefaultGeometry geometry in DefaultGeometries.All)
        {
            Assert.Equal(geometry.Json, (string?)await _db.HashGetAsync($"room:{id}:geometries", geometry.Name));
        }

        Assert.True(await _db.SetContainsAsync("rooms:index", id));
        Assert.Equal(new[] { "particles", "bonds", "curve", "cell", "floor", "constraints-fixed-atoms" }, DefaultGeometries.All.Select(g => g.Name));
    }

    [Fact]
    public async Task Create_without_description_writes_none_and_a_second_create_changes_nothing()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        Assert.True(await repo.CreateAsync(id));
        Assert.False(await _db.KeyExistsAsync($"room:{id}:description"));

        await _db.StringSetAsync($"room:{id}:current_frame", "7");
        await _db.HashSetAsync($"room:{id}:geometries", "particles", "changed");
        Assert.False(await repo.CreateAsync(id, "other"));
        Assert.Equal("7", (string?)await _db.StringGetAsync($"room:{id}:current_frame"));
        Assert.Equal("changed", (string?)await _db.HashGetAsync($"room:{id}:geometries", "particles"));
        Assert.False(await _db.KeyExistsAsync($"room:{id}:description"));
    }

    [Fact]
    public async Task Create_of_a_room_an_older_server_wrote_returns_false_and_adds_it_to_the_index()
    {
        var space = Layouts.Space(Layouts.Prefixed);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        await _db.StringSetAsync($"{space.Prefix}room:{id}:current_frame", "3");

        Assert.False(await repo.CreateAsync(id));
        Assert.Equal([id], await repo.ListAllAsync());
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Create_writes_the_layouts_own_keys_in_one_round_trip_or_two_on_the_cluster(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");

        await Repo(Layouts.Space(Layouts.Prefixed)).CreateAsync("warm"); // loads the script elsewhere
        var (created, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.CreateAsync(id, "d"));
        Assert.True(created);
        Assert.Equal(Layouts.IsCluster(space) ? 2 : 1, m.RoundTrips);

        Assert.Equal("0", (string?)await _db.StringGetAsync(space.Room(id).CurrentFrame()));
        Assert.Equal(6, await _db.HashLengthAsync(space.Room(id).Geometries()));
        Assert.True(await _db.SetContainsAsync(space.Global.RoomsIndex(), id));
        if (layout != Layouts.ZnDraw)
        {
            Assert.False(await _db.KeyExistsAsync($"room:{id}:current_frame"));
        }

        if (layout == Layouts.Cluster)
        {
            Assert.True(await _db.KeyExistsAsync($"{space.Prefix}room:{{{id}}}:current_frame"));
        }
    }

    // ---------------------------------------------------------------- read

    [Fact]
    public async Task Get_reads_values_as_zndraw_tolerates_them_in_one_round_trip()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        await _db.StringSetAsync($"room:{id}:current_frame", "-3");
        await _db.StringSetAsync($"room:{id}:locked", "yes");
        await _db.StringSetAsync($"room:{id}:hidden", "1");
        await _db.SortedSetAddAsync($"room:{id}:trajectory:indices", [new($"{id}:0", 1.0), new($"{id}:1", 2.0), new("other:4", 2.5)]);

        var (room, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetByIdAsync(id));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(new Room(id, null, Locked: false, Hidden: true, CurrentFrame: 0), room);

        var (withCount, m2) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetWithFrameCountAsync(id));
        Assert.Equal(1, m2.RoundTrips);
        Assert.Equal(new Room(id, null, false, true, 0, 3), withCount);

        await _db.StringSetAsync($"room:{id}:current_frame", "abc");
        Assert.Equal(0, (await repo.GetByIdAsync(id))!.CurrentFrame);
        await _db.StringSetAsync($"room:{id}:current_frame", "12");
        Assert.Equal(12, (await repo.GetByIdAsync(id))!.CurrentFrame);
    }

    [Fact]
    public async Task List_is_one_round_trip()
    {
        var space = Layouts.Space(Layouts.Prefixed);
        var repo = Repo(space);
        foreach (string id in new[] { "b", "a" })
        {
            Assert.True(await repo.CreateAsync(id));
        }

        var (list, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.ListAllAsync());
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(["a", "b"], list);
    }

    // ---------------------------------------------------------------- save and setters

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Save_writes_every_core_key_and_the_index(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        RoomKeys keys = space.Room(id);
        await repo.SaveAsync(new Room(RedisFixture.NewId("warm")));

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SaveAsync(new Room(id, "desc", Locked: true, Hidden: false, CurrentFrame: 4, FrameCount: 99)));
        Assert.Equal(Layouts.IsCluster(space) ? 2 : 1, m.RoundTrips);
        Assert.Equal("desc", (string?)await _db.StringGetAsync(keys.Description()));
        Assert.Equal("1", (string?)await _db.StringGetAsync(keys.Locked()));
        Assert.Equal("0", (string?)await _db.StringGetAsync(keys.Hidden()));
        Assert.Equal("4", (string?)await _db.StringGetAsync(keys.CurrentFrame()));
        Assert.True(await _db.SetContainsAsync(space.Global.RoomsIndex(), id));
        Assert.False(await _db.KeyExistsAsync(keys.TrajectoryIndices()));

        await repo.SaveAsync(new Room(id, null, Locked: false, Hidden: true, CurrentFrame: 0));
        Assert.False(await _db.KeyExistsAsync(keys.Description()));
        Assert.Equal("1", (string?)await _db.StringGetAsync(keys.Hidden()));
    }

    [Fact]
    public async Task Save_refuses_a_negative_frame_before_sending_anything()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SaveAsync(new Room(id, CurrentFrame: -1)));
        });
        Assert.Equal(0, m.RoundTrips);
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await repo.SaveAsync(null!));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Setters_write_zndraw_encodings_and_never_create_a_key_of_a_missing_room(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        RoomKeys keys = space.Room(id);

        Assert.False(await repo.SetCurrentFrameAsync(id, 3));
        Assert.False(await repo.SetLockedAsync(id, true));
        Assert.False(await repo.SetHiddenAsync(id, true));
        Assert.False(await repo.SetDescriptionAsync(id, "x"));
        Assert.False(await repo.SetMetadataAsync(id, RoomMetadata.ForFile("a.xyz", 1, DateTimeOffset.UnixEpoch)));
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, id)) + "*"));

        await repo.CreateAsync(id);
        var (set, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetCurrentFrameAsync(id, 5));
        Assert.True(set);
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal("5", (string?)await _db.StringGetAsync(keys.CurrentFrame()));

        var (locked, m2) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetLockedAsync(id, true));
        Assert.True(locked);
        Assert.Equal(1, m2.RoundTrips);
        Assert.Equal("1", (string?)await _db.StringGetAsync(keys.Locked()));
        Assert.True(await repo.SetLockedAsync(id, false));
        Assert.Equal("0", (string?)await _db.StringGetAsync(keys.Locked()));

        Assert.True(await repo.SetHiddenAsync(id, true));
        Assert.Equal("1", (string?)await _db.StringGetAsync(keys.Hidden()));

        Assert.True(await repo.SetDescriptionAsync(id, "Ünïcode ✓"));
        Assert.Equal("Ünïcode ✓", (string?)await _db.StringGetAsync(keys.Description()));
        Assert.True(await repo.SetDescriptionAsync(id, null));
        Assert.False(await _db.KeyExistsAsync(keys.Description()));
    }

    // ---------------------------------------------------------------- metadata

    [Fact]
    public async Task Metadata_written_by_zndraw_is_read_and_written_back_identically()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        await repo.CreateAsync(id);
        await _db.HashSetAsync($"room:{id}:metadata", [new("relative_file_path", "data/water.xyz"), new("file_size", "1024"), new("file_modified_timestamp", "2025-10-31T12:00:00+00:00")]);

        var (metadata, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetMetadataAsync(id));
        Assert.Equal(1, m.RoundTrips);
        Assert.NotNull(metadata);
        Assert.Equal("data/water.xyz", metadata.RelativeFilePath);
        Assert.Equal(1024, metadata.FileSize);
        Assert.Equal(new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero), metadata.FileModified);

        await repo.SetMetadataAsync(RedisFixture.NewId("warm"), new RoomMetadata([new("a", "b")]));
        var (written, m2) = await RoundTrips.MeasureAsync(redis.Connection, async () =>
            await repo.SetMetadataAsync(id, RoomMetadata.ForFile("b/c.h5", 2048, new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero))));
        Assert.True(written);
        Assert.Equal(1, m2.RoundTrips);
        Assert.Equal("b/c.h5", (string?)await _db.HashGetAsync($"room:{id}:metadata", "relative_file_path"));
        Assert.Equal("2048", (string?)await _db.HashGetAsync($"room:{id}:metadata", "file_size"));
        Assert.Equal("2025-01-02T03:04:05+00:00", (string?)await _db.HashGetAsync($"room:{id}:metadata", "file_modified_timestamp"));
    }

    [Fact]
    public async Task Metadata_arguments_are_checked_before_sending()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetMetadataAsync(id, new RoomMetadata([])));
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetMetadataAsync(id, new RoomMetadata([new("", "v")])));
            await Assert.ThrowsAsync<ArgumentNullException>(async () => await repo.SetMetadataAsync(id, null!));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.DeleteMetadataFieldAsync(id, ""));
        });
        Assert.Equal(0, m.RoundTrips);
    }

    // ---------------------------------------------------------------- users

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Add_user_records_membership_and_current_room_like_zndraws_join(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        string user = RedisFixture.NewId("user") + " with:colon";
        await repo.CreateAsync(id);
        var users = new UserRepository(RoomTestSupport.Context(redis, space));
        await users.CreateAsync(new User(user));
        await users.CreateAsync(new User("alice"));
        await repo.AddUserAsync(id, "warm"); // loads the script (a first EVALSHA answers NOSCRIPT)

        var (added, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.AddUserAsync(id, user));
        Assert.True(added);
        Assert.Equal(Layouts.IsCluster(space) ? 2 : 1, m.RoundTrips);

        Assert.True(await _db.SetContainsAsync(space.Room(id).Users(), user));
        Assert.Equal(id, (string?)await _db.HashGetAsync(space.User(user).HashKey(), "currentRoom"));
        if (layout == Layouts.ZnDraw)
        {
            Assert.True(await _db.SetContainsAsync($"room:{id}:users", user));
            Assert.Equal(id, (string?)await _db.HashGetAsync($"user:{user}", "currentRoom"));
        }

        await _db.KeyDeleteAsync([space.User(user).HashKey(), space.User("alice").HashKey()]);
    }

    // ---------------------------------------------------------------- copy

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Copy_copies_frames_geometries_and_bookmarks_only(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string source = RedisFixture.NewId("src");
        string target = RedisFixture.NewId("dst");
        RoomKeys s = space.Room(source);
        RoomKeys t = space.Room(target);
        await repo.CreateAsync(source, "source");
        await _db.SortedSetAddAsync(s.TrajectoryIndices(), [new($"{source}:0", 1.0), new("tmpl:3", 1.5), new($"{source}:1", 2.0)]);
        await _db.HashSetAsync(s.Geometries(), "extra", "{\"type\": \"Box\", \"data\": {}}");
        await _db.HashSetAsync(s.Bookmarks(), [new("0", "start"), new("2", "end")]);
        await _db.HashSetAsync(s.Metadata(), "relative_file_path", "x.xyz");
        await _db.HashSetAsync(s.Selections(), "particles", "[0, 1]");
        await _db.StringSetAsync(s.CurrentFrame(), "2");
        await _db.StringSetAsync(s.Locked(), "1");
        await _db.HashSetAsync(t.Bookmarks(), "9", "stray"); // a stray key of a room that does not exist
        await repo.CopyAsync(RedisFixture.NewId("warm"), RedisFixture.NewId("warm"));
        await repo.CopyAsync(source, RedisFixture.NewId("warm")); // loads the scripts

        var (result, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.CopyAsync(source, target, "copy"));

        Assert.Equal(RoomCopyResult.Copied, result);
        Assert.Equal(Layouts.IsCluster(space) ? 3 : 1, m.RoundTrips);
        Assert.Equal(
            (await _db.SortedSetRangeByRankWithScoresAsync(s.TrajectoryIndices())).Select(e => (e.Element.ToString(), e.Score)),
            (await _db.SortedSetRangeByRankWithScoresAsync(t.TrajectoryIndices())).Select(e => (e.Element.ToString(), e.Score)));
        Assert.Equal(
            (await _db.HashGetAllAsync(s.Geometries())).OrderBy(e => e.Name.ToString(), StringComparer.Ordinal).Select(e => (e.Name.ToString(), e.Value.ToString())),
            (await _db.HashGetAllAsync(t.Geometries())).OrderBy(e => e.Name.ToString(), StringComparer.Ordinal).Select(e => (e.Name.ToString(), e.Value.ToString())));
        Assert.Equal(7, await _db.HashLengthAsync(t.Geometries()));
        Assert.Equal(2, await _db.HashLengthAsync(t.Bookmarks()));
        Assert.Equal("end", (string?)await _db.HashGetAsync(t.Bookmarks(), "2"));
        Assert.Equal("copy", (string?)await _db.StringGetAsync(t.Description()));
        Assert.False(await _db.KeyExistsAsync(t.Metadata()));
        Assert.False(await _db.KeyExistsAsync(t.Selections()));
        Assert.True(await _db.SetContainsAsync(space.Global.RoomsIndex(), target));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Copy_refused_writes_no_key_of_the_target_and_keeps_its_raw_keys(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string source = RedisFixture.NewId("src");
        string target = RedisFixture.NewId("dst");
        await repo.CreateAsync(source);

        Assert.Equal(RoomCopyResult.SourceHasNoTrajectory, await repo.CopyAsync(source, target));
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, target)) + "*"));

        await _db.SortedSetAddAsync(space.Room(source).TrajectoryIndices(), $"{source}:0", 1.0);
        await repo.CreateAsync(target, "mine");
        await _db.HashSetAsync(space.Room(target).Bookmarks(), "0", "keep");
        Assert.Equal(RoomCopyResult.TargetExists, await repo.CopyAsync(source, target, "theirs"));
        Assert.Equal("mine", (string?)await _db.StringGetAsync(space.Room(target).Description()));
        Assert.Equal("keep", (string?)await _db.HashGetAsync(space.Room(target).Bookmarks(), "0")); // a bookmark past the (empty) trajectory, as raw data may hold
    }

    // ---------------------------------------------------------------- delete

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Delete_removes_every_key_of_the_room_and_leaves_no_orphan(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        string other = RedisFixture.NewId("other");
        RoomKeys k = space.Room(id);
        await repo.CreateAsync(id, "d");
        await repo.CreateAsync(other);

        // Fixed-name keys, written as the other repositories (and ZnDraw) write them.
        await _db.SortedSetAddAsync(k.TrajectoryIndices(), $"{id}:0", 1.0);
        await _db.HashSetAsync(k.Bookmarks(), "0", "b");
        await _db.HashSetAsync(k.Figures(), "f", "{}");
        await _db.HashSetAsync(k.Selections(), "particles", "[0]");
        await _db.HashSetAsync(k.SelectionGroups(), "g", "{}");
        await _db.StringSetAsync(k.ActiveSelectionGroup(), "g");
        await _db.StringSetAsync(k.PresenterLock(), "sid1", TimeSpan.FromMinutes(1));
        await _db.HashSetAsync(k.Metadata(), "file_size", "1");
        await _db.SetAddAsync(k.Users(), "bob");
        await _db.StringSetAsync(k.ChatCounter(), "1");
        await _db.HashSetAsync(k.ChatData(), $"msg_{id}_1", "{}");
        await _db.SortedSetAddAsync(k.ChatIndex(), $"msg_{id}_1", 1);
        await _db.SetAddAsync(k.FilesystemsIndex(), "fs1");

        // Jobs: the hashes are named by the room's job sets (ZnDraw's layout puts them outside the room's prefix).
        RedisKey job1 = space.Job(id, "job-1").Hash();
        RedisKey job2 = space.Job(id, "job-2").Hash();
        await _db.HashSetAsync(job1, "status", "running");
        await _db.HashSetAsync(job2, "status", "completed");
        await _db.SetAddAsync(k.JobsActive(), "job-1");
        await _db.SetAddAsync(k.JobsInactive(), "job-2");
        await _db.SortedSetAddAsync(k.JobsByTime(), [new("job-1", 1), new("job-2", 2)]);

        // Id-bearing keys, registered in the room's key registry as their writers do.
        RedisKey[] registered =
        [
            k.Lock("trajectory:meta"), k.LockMetadata("trajectory:meta"), k.FrameSelection(), k.UserSettings("bob"),
            k.UserExtensionData("bob", "modifiers"), ExtensionKeys.SchemaKey(id, "modifiers", space),
            space.Extension(id, "modifiers", "Rotate").Queue(), space.Extension(id, "modifiers", "Rotate").IdleWorkers(),
            ExtensionKeys.UserExtensionsKey(id, "modifiers", "sid1", space), k.ExtensionJobs("modifiers", "Rotate"),
            space.Filesystem(id, "fs1").Metadata(), space.Filesystem(id, "fs1").Worker(), FilesystemKeys.UserFilesystemsKey(id, "sid1", space),
        ];
        foreach (RedisKey key in registered)
        {
            await _db.StringSetAsync(key, "x");
            await _db.SetAddAsync(k.KeyRegistry(), key.ToString());
        }

        // A damaged registry naming another room's key must not reach it.
        await _db.SetAddAsync(k.KeyRegistry(), space.Room(other).Geometries().ToString());
        Assert.NotEmpty(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, id)) + "*"));

        await repo.DeleteAsync(RedisFixture.NewId("warm"));
        var (deleted, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DeleteAsync(id));

        Assert.True(deleted);
        Assert.Equal(Layouts.IsCluster(space) ? 2 : 1, m.RoundTrips);
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, id)) + "*"));
        Assert.False(await _db.KeyExistsAsync(job1));
        Assert.False(await _db.KeyExistsAsync(job2));
        Assert.DoesNotContain(id, await repo.ListAllAsync());
        Assert.False(await repo.ExistsAsync(id));
        Assert.Equal(6, await _db.HashLengthAsync(space.Room(other).Geometries()));
        Assert.Contains(other, await repo.ListAllAsync());

        Assert.False(await repo.DeleteAsync(id));
        await repo.DeleteAsync(other);
    }

    [Fact]
    public async Task Delete_removes_a_lingering_index_entry_even_when_the_room_is_gone()
    {
        foreach (string layout in new[] { Layouts.Prefixed, Layouts.Cluster })
        {
            var space = Layouts.Space(layout);
            var repo = Repo(space);
            await _db.SetAddAsync(space.Global.RoomsIndex(), "ghost");
            Assert.False(await repo.DeleteAsync("ghost"));
            Assert.Empty(await repo.ListAllAsync());
        }
    }

    // ---------------------------------------------------------------- fixed keys, bad data, validation, cancellation

    [Fact]
    public void The_delete_list_names_every_fixed_name_room_key()
    {
        var keys = new RoomKeys("r1");
        string[] fromBuilder = [.. typeof(RoomKeys).GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(method => method.ReturnType == typeof(RedisKey) && method.GetParameters().Length == 0)
            .Select(method => ((RedisKey)method.Invoke(keys, null)!).ToString())
            .Order(StringComparer.Ordinal)];
        string[] fixedKeys = [.. RoomFixedKeys.For(keys).Select(key => key.ToString()).Order(StringComparer.Ordinal)];
        Assert.Equal(fromBuilder, fixedKeys);
        Assert.Equal(RoomFixedKeys.Count, RoomFixedKeys.Suffixes.Count);
    }

    [Fact]
    public async Task Keys_of_the_wrong_type_raise_storage_data_exceptions_naming_the_key()
    {
        var space = Layouts.Space(Layouts.Prefixed);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        RoomKeys k = space.Room(id);
        await _db.StringSetAsync(k.TrajectoryIndices(), "not a zset");
        await _db.StringSetAsync(k.Metadata(), "not a hash");
        await _db.StringSetAsync(k.Users(), "not a set");
        await _db.HashSetAsync(k.Description(), "f", "v");
        await _db.StringSetAsync(k.Geometries(), "not a hash");
        await _db.StringSetAsync(space.Global.RoomsIndex(), "not a set");

        Assert.Equal(k.Metadata().ToString(), (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetMetadataAsync(id))).Key);
        Assert.Equal(k.Users().ToString(), (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetUsersAsync(id))).Key);
        Assert.Equal(k.Description().ToString(), (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetDescriptionAsync(id))).Key);
        Assert.Equal(space.Global.RoomsIndex().ToString(), (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.ListAllAsync())).Key);
        await _db.StringSetAsync(k.CurrentFrame(), "0");
        Assert.Equal(k.TrajectoryIndices().ToString(), (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetWithFrameCountAsync(id))).Key);
        await _db.KeyDeleteAsync(k.CurrentFrame());

        StorageDataException create = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.CreateAsync(id));
        Assert.Contains(k.Geometries().ToString(), create.Key, StringComparison.Ordinal);
        Assert.False(await repo.ExistsAsync(id)); // the type check ran before any write
        Assert.False(await _db.KeyExistsAsync(k.Locked()));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Delete_and_copy_stop_before_writing_when_a_key_has_the_wrong_type(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = Repo(space);
        string id = RedisFixture.NewId("room");
        string target = RedisFixture.NewId("dst");
        RoomKeys k = space.Room(id);
        await repo.CreateAsync(id);
        await _db.SortedSetAddAsync(k.TrajectoryIndices(), $"{id}:0", 1.0);
        await _db.StringSetAsync(k.Bookmarks(), "not a hash");

        StorageDataException copy = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.CopyAsync(id, target));
        Assert.Contains(k.Bookmarks().ToString(), copy.Key, StringComparison.Ordinal);
        Assert.False(await repo.ExistsAsync(target));
        Assert.DoesNotContain(target, await repo.ListAllAsync());

        await _db.StringSetAsync(k.KeyRegistry(), "not a set");
        StorageDataException delete = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.DeleteAsync(id));
        Assert.Contains(k.KeyRegistry().ToString(), delete.Key, StringComparison.Ordinal);
        Assert.True(await repo.ExistsAsync(id));
        Assert.Equal(6, await _db.HashLengthAsync(k.Geometries()));
    }

    [Fact]
    public async Task Bad_metadata_values_raise_storage_data_exceptions_naming_key_and_field()
    {
        var repo = Repo(KeySpace.Default);
        string id = RedisFixture.NewId("room");
        await _db.HashSetAsync($"room:{id}:metadata", [new("file_size", "big"), new("relative_file_path", "a")]);
        StorageDataException ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetMetadataAsync(id));
        Assert.Equal($"room:{id}:metadata", ex.Key);
        Assert.Equal("file_size", ex.Field);
    }

    [Fact]
    public async Task Invalid_ids_throw_before_anything_is_sent()
    {
        var repo = Repo(KeySpace.Default);
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.CreateAsync("a:b"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.CreateAsync(""));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.GetByIdAsync("has space"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.DeleteAsync("r*"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.CopyAsync("ok", "bad:id"));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.AddUserAsync("ok", " padded "));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.SetLockedAsync("a:b", true));
        });
        Assert.Equal(0, m.RoundTrips);
    }

    [Fact]
    public async Task A_cancelled_token_stops_before_sending()
    {
        var repo = Repo(KeySpace.Default);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repo.CreateAsync("r1", cancellationToken: cts.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repo.GetByIdAsync("r1", cts.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repo.DeleteAsync("r1", cts.Token));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await repo.ListAllAsync(cts.Token));
        });
        Assert.Equal(0, m.RoundTrips);
    }
}
