using System.Text.Json;
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
using ZnDraw.Storage.Tests.Redis.Mapping;
using static ZnDraw.Storage.Tests.Redis.Repositories.FramesTestSupport;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

[Collection(RedisCollection.Name)]
public sealed class GeometryRepositoryTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    private GeometryRepository Repo(KeySpace? space = null) => new(Context(redis, space));

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public async Task Reads_the_default_geometries_ZnDraw_writes_in_stored_order_and_writes_them_back_byte_identical()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.Geometries(), [.. DefaultGeometries.All.Select(g => new HashEntry(g.Name, g.Json))]);
        var repo = Repo();

        var (all, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAllAsync(room));
        Assert.Equal(1, m.RoundTrips);
        // "Stored order" is Redis's HGETALL order (insertion order only while the hash is a small listpack).
        string[] stored = [.. (await _db.HashGetAllAsync(keys.Geometries())).Select(e => (string)e.Name!)];
        Assert.Equal(stored, all.Select(p => p.Key));
        Assert.Equal(stored.Select(n => DefaultGeometries.All.Single(g => g.Name == n).Type), all.Select(p => p.Value.Type));

        var (names, mn) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.ListNamesAsync(room));
        Assert.Equal(stored, names);
        Assert.Equal(1, mn.RoundTrips);

        var (particles, mg) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAsync(room, "particles"));
        Assert.Equal(1, mg.RoundTrips);
        Assert.Equal("Sphere", particles!.Type);
        Assert.Null(await repo.GetAsync(room, "missing"));

        string copy = RedisFixture.NewId("r");
        foreach (var (name, geometry) in all)
        {
            await repo.SetAsync(copy, name, geometry);
        }

        Assert.Equal(
            DefaultGeometries.All.ToDictionary(g => g.Name, g => g.Json),
            await RawHashAsync(_db, new RoomKeys(copy).Geometries()));
    }

    [Fact]
    public async Task Set_writes_Python_json_dumps_and_delete_removes()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var repo = Repo();
        var geometry = new Geometry("Arrow", Json("{\"position\":[[0.0,1.0,2]],\"color\":\"caf\u00e9\",\"scale\":1.0}"));

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetAsync(room, "arrows", geometry));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(
            "{\"type\": \"Arrow\", \"data\": {\"position\": [[0.0, 1.0, 2]], \"color\": \"caf\\u00e9\", \"scale\": 1.0}}",
            (string?)await _db.HashGetAsync(keys.Geometries(), "arrows"));
        Assert.Equal(geometry, await repo.GetAsync(room, "arrows"));

        Assert.True(await repo.DeleteAsync(room, "arrows"));
        Assert.False(await repo.DeleteAsync(room, "arrows"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetAsync(room, "", geometry));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetAsync(room, "x", new Geometry("Arrow", Json("[1]"))));
    }

    [Fact]
    public async Task Merge_of_the_same_type_updates_members_in_place_and_appends_new_ones_without_reformatting()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        const string stored = "{\"type\": \"Sphere\", \"data\": {\"active\": true, \"scale\": 0.7, \"opacity\": 1.0, \"resolution\": 16}}";
        await _db.HashSetAsync(keys.Geometries(), "particles", stored);
        var repo = Repo();

        var (merged, m) = await RoundTrips.MeasureAsync(
            redis.Connection,
            async () => await repo.MergeAsync(room, "particles", new Geometry("Sphere", Json("{\"color\": \"#FF0000\", \"scale\": 1.0}"))));

        const string expected = "{\"type\": \"Sphere\", \"data\": {\"active\": true, \"scale\": 1.0, \"opacity\": 1.0, \"resolution\": 16, \"color\": \"#FF0000\"}}";
        Assert.Equal(expected, (string?)await _db.HashGetAsync(keys.Geometries(), "particles"));
        Assert.Equal(new Geometry("Sphere", Json(expected).GetProperty("data")), merged);
        Assert.Equal(2, m.RoundTrips); // HGET, then the compare-and-set script
    }

    [Fact]
    public async Task Merge_of_another_type_or_a_new_name_stores_the_geometry_as_given()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.Geometries(), "g", "{\"type\": \"Sphere\", \"data\": {\"scale\": 0.7}}");
        var repo = Repo();

        await repo.MergeAsync(room, "g", new Geometry("Box", Json("{\"size\": 2.0}")));
        Assert.Equal("{\"type\": \"Box\", \"data\": {\"size\": 2.0}}", (string?)await _db.HashGetAsync(keys.Geometries(), "g"));
        await repo.MergeAsync(room, "new", new Geometry("Floor", Json("{}")));
        Assert.Equal("{\"type\": \"Floor\", \"data\": {}}", (string?)await _db.HashGetAsync(keys.Geometries(), "new"));
    }

    [Fact]
    public async Task Merge_on_corrupt_stored_data_is_a_storage_error_and_writes_nothing()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.Geometries(), "g", "{\"type\": \"Sphere\"");
        var repo = Repo();
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.MergeAsync(room, "g", new Geometry("Sphere", Json("{}"))));
        Assert.Equal("g", ex.Field);
        Assert.Equal("{\"type\": \"Sphere\"", (string?)await _db.HashGetAsync(keys.Geometries(), "g"));
        Assert.Equal("g", (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room, "g"))).Field);
        Assert.Empty(await repo.GetAllAsync(room)); // a listing leaves it out (and reports it), it does not fail
    }

    [Theory]
    [MemberData(nameof(GeometryMappingTests.BadGeometries), MemberType = typeof(GeometryMappingTests))]
    public async Task A_listing_returns_the_readable_geometries_and_reports_one_that_single_reads_and_merges_refuse(string stored)
    {
        string room = RedisFixture.NewId("r");
        string key = new RoomKeys(room).Geometries()!;
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var repo = new GeometryRepository(new RedisStoreContext(redis.Connection, KeySpace.Default, loggerFactory: factory));
        await repo.SetAsync(room, "good", new Geometry("Box", Json("{\"size\": 1.0}")));
        await _db.HashSetAsync(key, "bad", stored);

        using var counter = new UnreadableCounter();
        var all = await repo.GetAllAsync(room);

        Assert.Equal([new KeyValuePair<string, Geometry>("good", new Geometry("Box", Json("{\"size\": 1.0}")))], all);
        Assert.Equal(1, counter.Count(UnreadableEntries.Geometry));
        var warning = Assert.Single(logs.Collector.GetSnapshot(), e => e.Id.Id == 2100);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains($"'{key}' (field bad)", warning.Message, StringComparison.Ordinal);

        var single = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAsync(room, "bad"));
        Assert.Equal((key, "bad"), (single.Key, single.Field));
        var merge = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.MergeAsync(room, "bad", new Geometry("Sphere", Json("{\"a\": 1}"))));
        Assert.Equal((key, "bad"), (merge.Key, merge.Field));
        Assert.Equal(stored, (string?)await _db.HashGetAsync(key, "bad")); // neither the listing nor the merge touched it
        Assert.Equal(1, counter.Count(UnreadableEntries.Geometry)); // single reads and merges throw, they do not report
    }

    [Fact]
    public async Task Figures_are_opaque_json_in_Python_form()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var repo = Repo();
        var figure = new Figure(Json("{\"data\":[{\"x\":[1,2.0],\"type\":\"scatter\"}],\"layout\":{}}"));

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetFigureAsync(room, "energy", figure));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal("{\"data\": [{\"x\": [1, 2.0], \"type\": \"scatter\"}], \"layout\": {}}", (string?)await _db.HashGetAsync(keys.Figures(), "energy"));
        await _db.HashSetAsync(keys.Figures(), "zndraw", "{\"a\": 1}");

        Assert.Equal(figure, await repo.GetFigureAsync(room, "energy"));
        Assert.Equal(["energy", "zndraw"], await repo.ListFigureNamesAsync(room));
        Assert.True(await repo.DeleteFigureAsync(room, "energy"));
        Assert.Null(await repo.GetFigureAsync(room, "energy"));
        await _db.HashSetAsync(keys.Figures(), "bad", "{");
        Assert.Equal("bad", (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetFigureAsync(room, "bad"))).Field);
    }

    [Fact]
    public async Task A_manual_selection_clears_the_active_group_in_the_same_transaction()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.StringSetAsync(keys.ActiveSelectionGroup(), "g1");
        await _db.HashSetAsync(keys.Selections(), "bonds", "[3]"); // as ZnDraw writes it
        var repo = Repo();

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetSelectionAsync(room, new Selection("particles", [0, 1])));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal("[0, 1]", (string?)await _db.HashGetAsync(keys.Selections(), "particles"));
        Assert.False(await _db.KeyExistsAsync(keys.ActiveSelectionGroup()));

        Assert.Equal(new Selection("particles", [0, 1]), await repo.GetSelectionAsync(room, "particles"));
        Assert.Null(await repo.GetSelectionAsync(room, "none"));
        Assert.Equal([new Selection("bonds", [3]), new Selection("particles", [0, 1])], await repo.GetSelectionsAsync(room));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await repo.SetSelectionAsync(room, new Selection("particles", [-1])));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetSelectionAsync(room, new Selection("", [1])));
    }

    [Fact]
    public async Task Selection_groups_set_get_list_and_delete_clears_the_active_group_only_when_it_is_that_group()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var repo = Repo();
        var g1 = new SelectionGroup("g1", [new Selection("particles", [0, 2]), new Selection("bonds", [])]);

        await repo.SetSelectionGroupAsync(room, g1);
        Assert.Equal("{\"particles\": [0, 2], \"bonds\": []}", (string?)await _db.HashGetAsync(keys.SelectionGroups(), "g1"));
        await _db.HashSetAsync(keys.SelectionGroups(), "g2", "{\"particles\": [5]}");
        Assert.Equal(g1, await repo.GetSelectionGroupAsync(room, "g1"));
        Assert.Equal([g1, new SelectionGroup("g2", [new Selection("particles", [5])])], await repo.GetSelectionGroupsAsync(room));
        Assert.Null(await repo.GetSelectionGroupAsync(room, "g3"));

        await _db.StringSetAsync(keys.ActiveSelectionGroup(), "g2");
        Assert.True(await repo.DeleteSelectionGroupAsync(room, "g1"));
        Assert.Equal("g2", await repo.GetActiveSelectionGroupAsync(room));
        var (deleted, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DeleteSelectionGroupAsync(room, "g2"));
        Assert.True(deleted);
        Assert.Equal(1, m.RoundTrips);
        Assert.Null(await repo.GetActiveSelectionGroupAsync(room));
        Assert.False(await repo.DeleteSelectionGroupAsync(room, "g2"));
        Assert.Empty(await repo.GetSelectionGroupsAsync(room));
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Selection_and_group_listings_return_the_readable_entries_and_report_each_unreadable_one(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        RoomKeys keys = space.Room(room);
        string selections = keys.Selections()!;
        string groups = keys.SelectionGroups()!;
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var repo = new GeometryRepository(new RedisStoreContext(redis.Connection, space, loggerFactory: factory));
        await repo.SetSelectionAsync(room, new Selection("particles", [0, 2]));
        await _db.HashSetAsync(selections, "bonds", "[1, -1]");
        var group = new SelectionGroup("good", [new Selection("particles", [4])]);
        await repo.SetSelectionGroupAsync(room, group);
        await _db.HashSetAsync(groups, "bad", "{\"particles\": [1, 2.5]}");

        using var counter = new UnreadableCounter();
        Assert.Equal([new Selection("particles", [0, 2])], await repo.GetSelectionsAsync(room));
        Assert.Equal([group], await repo.GetSelectionGroupsAsync(room));

        Assert.Equal(1, counter.Count(UnreadableEntries.Selection));
        Assert.Equal(1, counter.Count(UnreadableEntries.SelectionGroup));
        var warnings = logs.Collector.GetSnapshot().Where(e => e.Id.Id == 2100).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Contains($"'{selections}' (field bonds)", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains($"'{groups}' (field bad)", warnings[1].Message, StringComparison.Ordinal);

        var selection = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetSelectionAsync(room, "bonds"));
        Assert.Equal((selections, "bonds"), (selection.Key, selection.Field));
        var single = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetSelectionGroupAsync(room, "bad"));
        Assert.Equal((groups, "bad"), (single.Key, single.Field));
        var load = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.LoadSelectionGroupAsync(room, "bad"));
        Assert.Equal((groups, "bad"), (load.Key, load.Field));
        Assert.Equal("[1, -1]", (string?)await _db.HashGetAsync(selections, "bonds"));
    }

    [Fact]
    public async Task Loading_a_group_writes_every_selection_and_the_active_group_in_one_script()
    {
        await LoadScriptsAsync(redis);
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.SelectionGroups(), "g", "{\"particles\": [0, 2, 10], \"bonds\": [], \"caf\\u00e9\": [1]}");
        await _db.HashSetAsync(keys.Selections(), [new("particles", "[7]"), new("curve", "[1]")]);
        var repo = Repo();

        var (loaded, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.LoadSelectionGroupAsync(room, "g"));
        Assert.True(loaded);
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(
            new Dictionary<string, string> { ["particles"] = "[0, 2, 10]", ["bonds"] = "[]", ["caf\u00e9"] = "[1]", ["curve"] = "[1]" },
            await RawHashAsync(_db, keys.Selections()));
        Assert.Equal("g", await repo.GetActiveSelectionGroupAsync(room));

        Assert.False(await repo.LoadSelectionGroupAsync(room, "missing"));
        Assert.Equal("g", await repo.GetActiveSelectionGroupAsync(room));
        Assert.Equal(4, (await RawHashAsync(_db, keys.Selections())).Count);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("{\"particles\": [1.5]}")]
    [InlineData("{\"particles\": [-1]}")]
    [InlineData("{\"particles\": {\"a\": 1}}")]
    [InlineData("{\"particles\": [null]}")]
    [InlineData("{\"particles\": [1], \"bonds\": 3}")]
    [InlineData("{broken")]
    public async Task Loading_a_corrupt_group_is_a_storage_error_and_changes_nothing(string stored)
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.SelectionGroups(), "g", stored);
        await _db.HashSetAsync(keys.Selections(), "particles", "[7]");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await Repo().LoadSelectionGroupAsync(room, "g"));
        Assert.Equal("g", ex.Field);
        Assert.Equal(new Dictionary<string, string> { ["particles"] = "[7]" }, await RawHashAsync(_db, keys.Selections()));
        Assert.False(await _db.KeyExistsAsync(keys.ActiveSelectionGroup()));
    }

    [Fact]
    public async Task Wrong_redis_types_are_storage_errors()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        foreach (RedisKey k in new[] { keys.Geometries(), keys.Figures(), keys.Selections(), keys.SelectionGroups() })
        {
            await _db.StringSetAsync(k, "x");
        }

        await _db.HashSetAsync(keys.ActiveSelectionGroup(), "a", "b");
        var repo = Repo();
        string geometries = keys.Geometries()!;
        Assert.Equal(geometries, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAllAsync(room))).Key);
        Assert.Equal(geometries, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.ListNamesAsync(room))).Key);
        Assert.Equal(geometries, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.SetAsync(room, "g", new Geometry("Box", Json("{}"))))).Key);
        Assert.Equal(geometries, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.MergeAsync(room, "g", new Geometry("Box", Json("{}"))))).Key);
        Assert.Equal((string)keys.Figures()!, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.ListFigureNamesAsync(room))).Key);
        Assert.Equal((string)keys.Selections()!, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetSelectionsAsync(room))).Key);
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetActiveSelectionGroupAsync(room));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.SetSelectionAsync(room, new Selection("p", [1])));
        await _db.HashSetAsync(keys.ActiveSelectionGroup(), "a", "b");
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.LoadSelectionGroupAsync(room, "g"));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.DeleteSelectionGroupAsync(room, "g"));
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Corrupt_values_name_the_whole_key_and_the_field_in_every_key_space(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        RoomKeys keys = space.Room(room);
        await _db.HashSetAsync(keys.Geometries(), "g", "{\"type\": \"\", \"data\": {}}");
        await _db.HashSetAsync(keys.Figures(), "f", "{");
        await _db.HashSetAsync(keys.Selections(), "particles", "[1, -1]");
        await _db.HashSetAsync(keys.SelectionGroups(), "grp", "{\"particles\": [1, 2.5]}");
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var repo = new GeometryRepository(new RedisStoreContext(redis.Connection, space, loggerFactory: factory));

        async Task Check(RedisKey key, string field, Func<Task> call)
        {
            var ex = await Assert.ThrowsAsync<StorageDataException>(call);
            Assert.Equal((string)key!, ex.Key);
            Assert.Equal(field, ex.Field);
        }

        // A listing returns the readable entries (here none) and names the key and field in its warning.
        async Task Listed<T>(RedisKey key, string field, Func<ValueTask<IReadOnlyList<T>>> listing)
        {
            logs.Collector.Clear();
            Assert.Empty(await listing());
            var warning = Assert.Single(logs.Collector.GetSnapshot(), e => e.Id.Id == 2100);
            Assert.Contains($"'{(string)key!}' (field {field})", warning.Message, StringComparison.Ordinal);
        }

        await Check(keys.Geometries(), "g", async () => await repo.GetAsync(room, "g"));
        await Listed(keys.Geometries(), "g", () => repo.GetAllAsync(room));
        await Check(keys.Geometries(), "g", async () => await repo.MergeAsync(room, "g", new Geometry("Sphere", Json("{}"))));
        await Check(keys.Figures(), "f", async () => await repo.GetFigureAsync(room, "f"));
        await Check(keys.Selections(), "particles", async () => await repo.GetSelectionAsync(room, "particles"));
        await Listed(keys.Selections(), "particles", () => repo.GetSelectionsAsync(room));
        await Check(keys.SelectionGroups(), "grp", async () => await repo.GetSelectionGroupAsync(room, "grp"));
        await Listed(keys.SelectionGroups(), "grp", () => repo.GetSelectionGroupsAsync(room));
        Assert.Equal("{\"type\": \"\", \"data\": {}}", (string?)await _db.HashGetAsync(keys.Geometries(), "g"));
    }

    [Fact]
    public async Task A_merge_with_a_bad_update_is_refused_before_anything_is_sent()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.StringSetAsync(keys.Geometries(), "not a hash"); // a read would fail with a storage error
        var repo = Repo();

        await Assert.ThrowsAsync<ArgumentNullException>(async () => await repo.MergeAsync(room, "g", null!));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.MergeAsync(room, "g", new Geometry("", Json("{}"))));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.MergeAsync(room, "g", new Geometry("Box", Json("[1]"))));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.MergeAsync(room, "g", new Geometry("Box", default)));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.MergeAsync(room, "", new Geometry("Box", Json("{}"))));
    }

    [Fact]
    public async Task Merge_keeps_Python_order_and_values_for_repeated_and_escaped_member_names()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        await _db.HashSetAsync(keys.Geometries(), "g", "{\"type\": \"Sph\\u0065re\", \"data\": {\"a\": 1, \"\\u00e9\": 2, \"a\": 3}}");
        var repo = Repo();

        Geometry merged = await repo.MergeAsync(room, "g", new Geometry("Sphere", Json("{\"\u00e9\": 4, \"b\": 5, \"b\": 6}")));
        const string expected = "{\"type\": \"Sphere\", \"data\": {\"a\": 3, \"\\u00e9\": 4, \"b\": 6}}";
        Assert.Equal(expected, (string?)await _db.HashGetAsync(keys.Geometries(), "g"));
        Assert.Equal(new Geometry("Sphere", Json(expected).GetProperty("data")), merged);
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Writes_go_to_the_key_spaces_own_keys(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        RoomKeys keys = space.Room(room);
        var repo = Repo(space);

        await repo.SetAsync(room, "g", new Geometry("Sphere", Json("{\"scale\": 0.7}")));
        await repo.MergeAsync(room, "g", new Geometry("Sphere", Json("{\"opacity\": 1.0}")));
        await repo.SetFigureAsync(room, "f", new Figure(Json("[1]")));
        await repo.SetSelectionGroupAsync(room, new SelectionGroup("grp", [new Selection("particles", [4])]));
        await repo.LoadSelectionGroupAsync(room, "grp");

        Assert.Equal("{\"type\": \"Sphere\", \"data\": {\"scale\": 0.7, \"opacity\": 1.0}}", (string?)await _db.HashGetAsync(keys.Geometries(), "g"));
        Assert.Equal("[1]", (string?)await _db.HashGetAsync(keys.Figures(), "f"));
        Assert.Equal("[4]", (string?)await _db.HashGetAsync(keys.Selections(), "particles"));
        Assert.Equal("grp", (string?)await _db.StringGetAsync(keys.ActiveSelectionGroup()));
        Assert.True(await repo.DeleteSelectionGroupAsync(room, "grp"));
        Assert.False(await _db.KeyExistsAsync(keys.ActiveSelectionGroup()));
        if (kind != Default)
        {
            Assert.False(await _db.KeyExistsAsync(new RoomKeys(room).Geometries()));
        }
    }
}
