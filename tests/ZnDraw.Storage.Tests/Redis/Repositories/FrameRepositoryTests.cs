using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using static ZnDraw.Storage.Tests.Redis.Repositories.FramesTestSupport;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class FrameRepositoryTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    private FrameRepository Repo(KeySpace? space = null) => new(Context(redis, space));

    [Fact]
    public async Task Append_scores_frames_like_ZnDraw_and_returns_the_first_new_index()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var repo = Repo();
        RedisKey key = new RoomKeys(room).TrajectoryIndices();

        var (first, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.AppendAsync(room, [new(room, 0), new(room, 1)]));
        Assert.Equal(0, first);
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(2, await repo.AppendAsync(room, [new(room, 2)]));

        Assert.Equal([(room + ":0", 1.0), (room + ":1", 2.0), (room + ":2", 3.0)], await RawEntriesAsync(_db, key));
        Assert.Equal(3, await repo.CountAsync(room));
    }

    [Fact]
    public async Task Reads_a_trajectory_written_by_ZnDraw_including_template_and_legacy_members()
    {
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).TrajectoryIndices();
        await _db.SortedSetAddAsync(key, [new("src:0", 1.0), new("7", 1.5), new(room + ":3", 2.0)]);
        var repo = Repo();

        var (count, mc) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.CountAsync(room));
        Assert.Equal(3, count);
        Assert.Equal(1, mc.RoundTrips);

        var (all, mr) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetRangeAsync(room));
        Assert.Equal(1, mr.RoundTrips);
        Assert.Equal(
            [new TrajectoryEntry(new("src", 0), 1.0), new TrajectoryEntry(new(room, 7), 1.5), new TrajectoryEntry(new(room, 3), 2.0)],
            all);
        Assert.True(all[0].Frame.IsTemplateFor(room));
        Assert.Equal([new TrajectoryEntry(new(room, 7), 1.5)], await repo.GetRangeAsync(room, 1, 1));
        Assert.Equal([new TrajectoryEntry(new(room, 3), 2.0)], await repo.GetRangeAsync(room, -1));

        var (one, mg) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAsync(room, 1));
        Assert.Equal(new FrameIndex(room, 7), one);
        Assert.Equal(1, mg.RoundTrips);
        Assert.Null(await repo.GetAsync(room, 3));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.GetAsync(room, -1));
    }

    [Fact]
    public async Task Insert_takes_the_mean_of_the_neighbours_and_shifts_bookmarks_at_and_after_the_position()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await SeedAsync(_db, keys.TrajectoryIndices(), room, 3); // scores 1, 2, 3
        await _db.HashSetAsync(keys.Bookmarks(), [new("0", "start"), new("1", "middle"), new("2", "end")]);
        var repo = Repo();

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.InsertAsync(room, 1, new(room, 10)));
        Assert.Equal(1, m.RoundTrips);
        await repo.InsertAsync(room, 0, new(room, 11));
        await repo.InsertAsync(room, 5, new(room, 12));

        Assert.Equal(
            [(room + ":11", 0.0), (room + ":0", 1.0), (room + ":10", 1.5), (room + ":1", 2.0), (room + ":2", 3.0), (room + ":12", 4.0)],
            await RawEntriesAsync(_db, keys.TrajectoryIndices()));
        Assert.Equal(
            new Dictionary<string, string> { ["1"] = "start", ["3"] = "middle", ["4"] = "end" },
            await RawHashAsync(_db, keys.Bookmarks()));
    }

    [Fact]
    public async Task Insert_renormalizes_when_the_gap_holds_no_distinct_double_instead_of_breaking_the_order()
    {
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).TrajectoryIndices();
        await _db.SortedSetAddAsync(key, [new("a:0", 1.0), new("b:0", Math.BitIncrement(1.0)), new("c:0", 5.0)]);
        var repo = Repo();

        await repo.InsertAsync(room, 1, new(room, 9));

        Assert.Equal([("a:0", 0.0), (room + ":9", 0.5), ("b:0", 1.0), ("c:0", 2.0)], await RawEntriesAsync(_db, key));
    }

    [Fact]
    public async Task Insert_between_tied_scores_renormalizes_first()
    {
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).TrajectoryIndices();
        await _db.SortedSetAddAsync(key, [new("a:0", 2.0), new("a:1", 2.0)]); // two racing ZnDraw appends
        await Repo().InsertAsync(room, 1, new(room, 0));
        Assert.Equal([("a:0", 0.0), (room + ":0", 0.5), ("a:1", 1.0)], await RawEntriesAsync(_db, key));
    }

    [Fact]
    public async Task Delete_drops_bookmarks_on_deleted_frames_and_shifts_later_ones_down_atomically()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await SeedAsync(_db, keys.TrajectoryIndices(), room, 6);
        await _db.HashSetAsync(keys.Bookmarks(), [new("1", "one"), new("2", "two"), new("4", "four"), new("5", "five")]);
        var repo = Repo();

        var (deleted, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DeleteAsync(room, [4, 0, 2, 2]));
        Assert.Equal(3, deleted);
        Assert.Equal(1, m.RoundTrips);

        Assert.Equal([Member(room, 1), Member(room, 3), Member(room, 5)], await RawMembersAsync(_db, keys.TrajectoryIndices()));
        Assert.Equal(new Dictionary<string, string> { ["0"] = "one", ["2"] = "five" }, await RawHashAsync(_db, keys.Bookmarks()));
        Assert.Equal(0, await repo.DeleteAsync(room, []));
    }

    [Fact]
    public async Task Delete_refuses_template_frames_of_a_copied_room_unless_allowed()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        // A copy: the source's members keep the source prefix; later appends carry the copy's own id; "9" is legacy.
        await _db.SortedSetAddAsync(keys.TrajectoryIndices(), [new("src:0", 1.0), new("src:1", 2.0), new(room + ":0", 3.0), new("9", 4.0)]);
        await _db.HashSetAsync(keys.Bookmarks(), "3", "legacy");
        var repo = Repo();

        var ex = await Assert.ThrowsAsync<TemplateFrameException>(async () => await repo.DeleteAsync(room, [2, 1]));
        Assert.Equal(1, ex.Index);
        Assert.Equal("src:1", ex.Member);
        Assert.Equal(room, ex.RoomId);
        Assert.Equal(4, await repo.CountAsync(room));

        Assert.Equal(2, await repo.DeleteAsync(room, [2, 3]));
        Assert.Equal(["src:0", "src:1"], await RawMembersAsync(_db, keys.TrajectoryIndices()));
        Assert.Empty(await RawHashAsync(_db, keys.Bookmarks()));

        Assert.Equal(1, await repo.DeleteAsync(room, [0], allowTemplateFrames: true));
        Assert.Equal(["src:1"], await RawMembersAsync(_db, keys.TrajectoryIndices()));
    }

    [Fact]
    public async Task Replace_keeps_the_score_swaps_the_member_and_removes_that_frames_bookmark()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await SeedAsync(_db, keys.TrajectoryIndices(), room, 3);
        await _db.HashSetAsync(keys.Bookmarks(), [new("1", "one"), new("2", "two")]);
        var repo = Repo();

        var (old, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.ReplaceAsync(room, 1, new(room, 7)));
        Assert.Equal(new FrameIndex(room, 1), old);
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal([(room + ":0", 1.0), (room + ":7", 2.0), (room + ":2", 3.0)], await RawEntriesAsync(_db, keys.TrajectoryIndices()));
        Assert.Equal(new Dictionary<string, string> { ["2"] = "two" }, await RawHashAsync(_db, keys.Bookmarks()));

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await repo.ReplaceAsync(room, 0, new(room, 2)));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.ReplaceAsync(room, 3, new(room, 9)));
        Assert.Equal([(room + ":0", 1.0), (room + ":7", 2.0), (room + ":2", 3.0)], await RawEntriesAsync(_db, keys.TrajectoryIndices()));
    }

    [Fact]
    public async Task Replace_among_tied_scores_keeps_the_frame_at_its_index()
    {
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).TrajectoryIndices();
        await _db.SortedSetAddAsync(key, [new("m:0", 1.0), new("m:1", 1.0)]);
        await Repo().ReplaceAsync(room, 0, new("z", 0)); // "z:0" sorts after "m:1" at an equal score
        Assert.Equal(["z:0", "m:1"], await RawMembersAsync(_db, key));
    }

    [Fact]
    public async Task Renormalize_and_replace_all_write_scores_zero_to_n_minus_one()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).TrajectoryIndices();
        await _db.SortedSetAddAsync(key, [new("a:0", -3.5), new("a:1", 1.25), new("a:2", 9.0)]);
        var repo = Repo();

        var (count, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.RenormalizeAsync(room));
        Assert.Equal(3, count);
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal([("a:0", 0.0), ("a:1", 1.0), ("a:2", 2.0)], await RawEntriesAsync(_db, key));

        var mr = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.ReplaceAllAsync(room, [new("b", 4), new(room, 0)]));
        Assert.Equal(1, mr.RoundTrips);
        Assert.Equal([("b:4", 0.0), (room + ":0", 1.0)], await RawEntriesAsync(_db, key));

        await repo.ReplaceAllAsync(room, []);
        Assert.False(await _db.KeyExistsAsync(key));
    }

    [Fact]
    public async Task Renormalize_handles_more_members_than_one_ZADD_chunk()
    {
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).TrajectoryIndices();
        await _db.SortedSetAddAsync(key, [.. Enumerable.Range(0, 1234).Select(i => new SortedSetEntry(Member("s", i), (i * 0.5) + 10))]);
        var repo = Repo();
        Assert.Equal(1234, await repo.RenormalizeAsync(room));
        var entries = await RawEntriesAsync(_db, key);
        Assert.Equal(Enumerable.Range(0, 1234).Select(i => (Member("s", i), (double)i)), entries);

        int first = await repo.AppendAsync(room, [.. Enumerable.Range(0, 700).Select(i => new FrameIndex(room, i))]);
        Assert.Equal(1234, first);
        Assert.Equal(1934, await repo.CountAsync(room));
        Assert.Equal(1933.0, (await repo.GetRangeAsync(room, -1))[0].Score);
    }

    [Fact]
    public async Task Frame_selection_is_written_as_Python_JSON_and_registered_in_the_room_registry()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var repo = Repo();

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetFrameSelectionAsync(room, new FrameSelection("default", [0, 1, 5])));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal("[0, 1, 5]", (string?)await _db.StringGetAsync(keys.FrameSelection()));
        Assert.True(await _db.SetContainsAsync(keys.KeyRegistry(), (string)keys.FrameSelection()!));

        var (read, mr) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetFrameSelectionAsync(room));
        Assert.Equal(new FrameSelection("default", [0, 1, 5]), read);
        Assert.Equal(1, mr.RoundTrips);

        await _db.StringSetAsync(keys.FrameSelection("other"), "[3]"); // as ZnDraw writes it
        Assert.Equal(new FrameSelection("other", [3]), await repo.GetFrameSelectionAsync(room, "other"));
        Assert.Null(await repo.GetFrameSelectionAsync(room, "none"));

        await repo.SetFrameSelectionAsync(room, new FrameSelection("default", []));
        Assert.Equal("[]", (string?)await _db.StringGetAsync(keys.FrameSelection()));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SetFrameSelectionAsync(room, new FrameSelection("default", [-1])));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetFrameSelectionAsync(room, new FrameSelection("", [1])));
    }

    [Fact]
    public async Task Corrupt_data_is_a_storage_error_naming_the_key()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        string key = keys.TrajectoryIndices()!;
        await _db.StringSetAsync(key, "not a sorted set");
        var repo = Repo();

        Assert.Equal(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.CountAsync(room))).Key);
        Assert.Equal(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetRangeAsync(room))).Key);
        Assert.Equal(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room, 0))).Key);
        Assert.Contains(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.AppendAsync(room, [new(room, 0)]))).Key, StringComparison.Ordinal);
        Assert.Contains(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.InsertAsync(room, 0, new(room, 0)))).Key, StringComparison.Ordinal);
        Assert.Contains(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.DeleteAsync(room, [0]))).Key, StringComparison.Ordinal);
        Assert.Contains(key, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.RenormalizeAsync(room))).Key, StringComparison.Ordinal);

        string room2 = RedisFixture.NewId("r");
        string key2 = new RoomKeys(room2).TrajectoryIndices()!;
        await _db.SortedSetAddAsync(key2, "r1:x", 1.0);
        Assert.Equal(key2, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetRangeAsync(room2))).Key);

        await _db.StringSetAsync(keys.FrameSelection(), "[1, -2]");
        var fs = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetFrameSelectionAsync(room));
        Assert.Equal((string)keys.FrameSelection()!, fs.Key);
        await _db.HashSetAsync(keys.FrameSelection("h"), "a", "b");
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetFrameSelectionAsync(room, "h"));
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Corrupt_values_name_the_whole_key_in_every_key_space(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        RoomKeys keys = space.Room(room);
        var repo = new FrameRepository(Context(redis, space));

        await _db.SortedSetAddAsync(keys.TrajectoryIndices(), "r1:x", 1.0);
        string trajectory = keys.TrajectoryIndices()!;
        Assert.Equal(trajectory, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetRangeAsync(room))).Key);
        Assert.Equal(trajectory, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room, 0))).Key);

        FrameSelection big = new("default", [.. Enumerable.Range(0, 300).Select(i => i * 2)]);
        await repo.SetFrameSelectionAsync(room, big);
        Assert.Equal(big, await repo.GetFrameSelectionAsync(room));
        await _db.StringSetAsync(keys.FrameSelection(), "[" + string.Concat(Enumerable.Range(0, 100).Select(i => i + ", ")) + "-1]");
        Assert.Equal((string)keys.FrameSelection()!, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetFrameSelectionAsync(room))).Key);
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Writes_go_to_the_key_spaces_own_keys_and_the_registry_names_the_prefixed_key(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        RoomKeys keys = space.Room(room);
        var repo = new FrameRepository(Context(redis, space));

        await repo.AppendAsync(room, [new(room, 9), new(room, 2)]);
        await repo.SetFrameSelectionAsync(room, new FrameSelection("default", [1]));

        Assert.Equal([room + ":9", room + ":2"], await RawMembersAsync(_db, keys.TrajectoryIndices()));
        Assert.Equal("[1]", (string?)await _db.StringGetAsync(keys.FrameSelection()));
        Assert.True(await _db.SetContainsAsync(keys.KeyRegistry(), (string)keys.FrameSelection()!));
        if (kind != Default)
        {
            Assert.False(await _db.KeyExistsAsync(new RoomKeys(room).TrajectoryIndices()));
        }
    }
}
