using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using static ZnDraw.Storage.Tests.Redis.Repositories.FramesTestSupport;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class BookmarkRepositoryTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    private BookmarkRepository Repo(KeySpace? space = null) => new(Context(redis, space));

    [Fact]
    public async Task Reads_bookmarks_written_by_ZnDraw_sorted_by_frame()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.Bookmarks(), [new("10", "caf\u00e9"), new("2", "Transition state"), new("0", "Start")]);
        var repo = Repo();

        var (all, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAllAsync(room));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal([new Bookmark(0, "Start"), new Bookmark(2, "Transition state"), new Bookmark(10, "caf\u00e9")], all);

        var (one, mg) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAsync(room, 2));
        Assert.Equal(new Bookmark(2, "Transition state"), one);
        Assert.Equal(1, mg.RoundTrips);
        Assert.Null(await repo.GetAsync(room, 3));
        Assert.Empty(await repo.GetAllAsync(RedisFixture.NewId("r")));
    }

    [Fact]
    public async Task Set_checks_the_frame_against_the_trajectory_in_the_same_script_and_writes_a_plain_label()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await SeedAsync(_db, keys.TrajectoryIndices(), room, 3);
        var repo = Repo();

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetAsync(room, 2, "Product \"P\""));
        Assert.Equal(1, m.RoundTrips);
        await repo.SetAsync(room, 0, "first");
        await repo.SetAsync(room, 0, "Start");
        Assert.Equal(new Dictionary<string, string> { ["0"] = "Start", ["2"] = "Product \"P\"" }, await RawHashAsync(_db, keys.Bookmarks()));

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SetAsync(room, 3, "past the end"));
        Assert.Equal("frame", ex.ParamName);
        Assert.Contains("3 frame(s)", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SetAsync(room, -1, "x"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetAsync(room, 1, ""));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SetAsync(RedisFixture.NewId("r"), 0, "no frames"));
        Assert.Equal(2, (await RawHashAsync(_db, keys.Bookmarks())).Count);
    }

    [Fact]
    public async Task Delete_and_clear()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.Bookmarks(), [new("0", "a"), new("1", "b")]);
        var repo = Repo();

        var (deleted, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DeleteAsync(room, 1));
        Assert.True(deleted);
        Assert.Equal(1, m.RoundTrips);
        Assert.False(await repo.DeleteAsync(room, 1));
        Assert.True(await repo.ClearAsync(room));
        Assert.False(await repo.ClearAsync(room));
        Assert.False(await _db.KeyExistsAsync(keys.Bookmarks()));
    }

    [Fact]
    public async Task Corrupt_bookmarks_are_left_out_of_the_listing_and_reported_and_single_reads_throw()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        string key = keys.Bookmarks()!;
        await _db.HashSetAsync(key, [new("0", "a"), new("two", "b"), new("1", new byte[] { 0x62, 0xC3 })]);
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var repo = new BookmarkRepository(new RedisStoreContext(redis.Connection, KeySpace.Default, loggerFactory: factory));

        using var counter = new UnreadableCounter();
        Assert.Equal([new Bookmark(0, "a")], await repo.GetAllAsync(room));
        Assert.Equal(2, counter.Count(UnreadableEntries.Bookmark));
        var warnings = logs.Collector.GetSnapshot().Where(e => e.Id.Id == 2100).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Single(warnings, w => w.Message.Contains($"'{key}' (field two)", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Message.Contains($"'{key}' (field 1)", StringComparison.Ordinal) && w.Message.Contains("UTF-8", StringComparison.Ordinal));
        var label = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room, 1));
        Assert.Equal((key, "1"), (label.Key, label.Field));
        Assert.Equal(3, (await _db.HashGetAllAsync(key)).Length); // reading never removes what it cannot read

        string room2 = RedisFixture.NewId("r");
        string key2 = new RoomKeys(room2).Bookmarks()!;
        await _db.StringSetAsync(key2, "x");
        Assert.Equal(key2, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAllAsync(room2))).Key);
        Assert.Equal(key2, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room2, 0))).Key);
        Assert.Equal(key2, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.DeleteAsync(room2, 0))).Key);
    }

    [Fact]
    public async Task Frame_edits_leave_non_index_bookmark_fields_alone()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await SeedAsync(_db, keys.TrajectoryIndices(), room, 2);
        await _db.HashSetAsync(keys.Bookmarks(), [new("1", "one"), new("junk", "kept")]);
        await new FrameRepository(Context(redis)).InsertAsync(room, 0, new(room, 5));
        Assert.Equal(new Dictionary<string, string> { ["2"] = "one", ["junk"] = "kept" }, await RawHashAsync(_db, keys.Bookmarks()));
    }

    [Fact]
    public async Task Frame_edits_shift_an_unreadable_label_byte_for_byte_and_never_drop_it()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        byte[] notUtf8 = [0x62, 0xC3, 0x28];
        await SeedAsync(_db, keys.TrajectoryIndices(), room, 3);
        await _db.HashSetAsync(keys.Bookmarks(), [new("1", notUtf8), new("2", "two")]);
        var frames = new FrameRepository(Context(redis));

        await frames.InsertAsync(room, 0, new(room, 5));
        Assert.Equal(notUtf8, (byte[]?)await _db.HashGetAsync(keys.Bookmarks(), "2"));
        await frames.DeleteAsync(room, [0]);
        Assert.Equal(notUtf8, (byte[]?)await _db.HashGetAsync(keys.Bookmarks(), "1"));
        Assert.Equal("two", (string?)await _db.HashGetAsync(keys.Bookmarks(), "2"));
        Assert.Equal([new Bookmark(2, "two")], await Repo().GetAllAsync(room)); // still left out, still stored
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Set_checks_the_key_spaces_own_trajectory_and_writes_its_own_key(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        await SeedAsync(_db, space.Room(room).TrajectoryIndices(), room, 2);
        var repo = Repo(space);

        await repo.SetAsync(room, 1, "b");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SetAsync(room, 2, "c"));

        Assert.Equal("b", (string?)await _db.HashGetAsync(space.Room(room).Bookmarks(), "1"));
        Assert.Equal([new Bookmark(1, "b")], await repo.GetAllAsync(room));
    }
}
