using System.Data.Common;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// SQL facts of <see cref="SqlGeometryRepository"/> that the contract cannot plant: rows written by hand, the default
/// geometries of a create, and stored bytes compared with what the Redis backend stores for the same calls.
/// </summary>
public abstract class SqlGeometryTests(RedisFixture redis, IStoreFactory backend) : IAsyncLifetime
{
    private TestStore? _store;

    private TestStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    private IGeometryRepository Geometries => Store.Get<IGeometryRepository>();

    public async Task InitializeAsync() => _store = await backend.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_row_with_bad_json_written_by_hand_is_named_by_table_key_and_column()
    {
        string room = RedisFixture.NewId("r");
        await InsertAsync("room_geometries", "name", room, "broken", """{"type": "Sphere", "data": """);
        await InsertAsync("room_geometries", "name", room, "untyped", """{"data": {}}""");
        await InsertAsync("room_geometries", "name", room, "ok", """{"type": "Box", "data": {"size": 2.0}}""");

        var broken = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.GetAsync(room, "broken"));
        Assert.Equal($"room_geometries:{room}/broken", broken.Key);
        Assert.Equal("value", broken.Field);
        Assert.Contains("broken JSON", broken.Message, StringComparison.Ordinal);
        var untyped = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.GetAsync(room, "untyped"));
        Assert.Equal($"room_geometries:{room}/untyped", untyped.Key);

        // The listing leaves the unreadable rows out; a merge refuses to replace what no read understands.
        Assert.Equal([new("ok", new Geometry("Box", Json("{\"size\": 2.0}")))], await Geometries.GetAllAsync(room));
        Assert.Equal(["broken", "ok", "untyped"], await Geometries.ListNamesAsync(room));
        var merge = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.MergeAsync(room, "broken", new Geometry("Sphere", Json("{\"a\": 1}"))));
        Assert.Equal($"room_geometries:{room}/broken", merge.Key);
        Assert.Equal("""{"type": "Sphere", "data": """, await ValueAsync("room_geometries", "name", room, "broken"));
    }

    [Fact]
    public async Task Figures_selections_and_groups_with_bad_json_are_named_and_left_out_of_listings()
    {
        string room = RedisFixture.NewId("r");
        await InsertAsync("room_figures", "name", room, "plot", "{nope");
        await InsertAsync("room_selections", "geometry", room, "particles", "[1, -2]");
        await InsertAsync("room_selections", "geometry", room, "bonds", "[3]");
        await InsertAsync("room_selection_groups", "name", room, "g", """{"particles": [1.5]}""");
        await InsertAsync("room_selection_groups", "name", room, "h", """{"particles": [1]}""");

        var figure = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.GetFigureAsync(room, "plot"));
        Assert.Equal(($"room_figures:{room}/plot", "value"), (figure.Key, figure.Field));
        var selection = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.GetSelectionAsync(room, "particles"));
        Assert.Equal(($"room_selections:{room}/particles", "value"), (selection.Key, selection.Field));
        Assert.Equal([new Selection("bonds", [3])], await Geometries.GetSelectionsAsync(room));
        var group = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.GetSelectionGroupAsync(room, "g"));
        Assert.Equal(($"room_selection_groups:{room}/g", "value"), (group.Key, group.Field));
        Assert.Equal([new SelectionGroup("h", [new Selection("particles", [1])])], await Geometries.GetSelectionGroupsAsync(room));

        var load = await Assert.ThrowsAsync<StorageDataException>(async () => await Geometries.LoadSelectionGroupAsync(room, "g"));
        Assert.Equal(($"room_selection_groups:{room}/g", "value"), (load.Key, load.Field));
        Assert.Null(await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.Equal("[1, -2]", await ValueAsync("room_selections", "geometry", room, "particles"));
    }

    [Fact]
    public async Task The_default_geometries_read_back_as_the_redis_backend_returns_them_after_a_create()
    {
        string room = RedisFixture.NewId("r");
        await Store.Get<SqlStoreContext>().WriteAsync(
            "test", null, room, static async (call, r) =>
            {
                await SqlGeometryDefaults.InsertAsync(call, r);
                return 0;
            },
            null,
            default);
        await using TestStore redisStore = await RedisStores.ZnDraw(redis).CreateAsync();
        Assert.True(await redisStore.Get<IRoomRepository>().CreateAsync(room));

        var expected = (await redisStore.Get<IGeometryRepository>().GetAllAsync(room)).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        var actual = await Geometries.GetAllAsync(room);

        Assert.Equal(DefaultGeometries.All.Count, actual.Count);
        Assert.Equal(expected, actual);
        foreach (DefaultGeometry geometry in DefaultGeometries.All)
        {
            string? redisBytes = await redis.Database.HashGetAsync($"room:{room}:geometries", geometry.Name);
            Assert.Equal(redisBytes, await ValueAsync("room_geometries", "name", room, geometry.Name));
        }

        await redisStore.Get<IRoomRepository>().DeleteAsync(room);
    }

    public static TheoryData<string?, string, string> Merges => new()
    {
        // stored (null: none), update type, update data
        { """{"type": "Sphere", "data": {"active": true, "scale": 0.7, "opacity": 1.0}}""", "Sphere", """{"color": "#FF0000", "scale": 1.0}""" },
        { """{"type": "Sphere", "data": {"a": 1.0, "b": [1, 2], "a": 2.50}}""", "Sphere", """{"b": [3], "c": "caf\u00e9", "\u00e9t\u00e9": 1e5, "b": {"x": 1}}""" },
        { """{"type": "Sphere", "data": {"x\"y": 1, "\u00e9": 2, "\ud83d\ude00": 3}}""", "Sphere", """{"\u00e9": 3, "x\"y": 4, "new": null}""" },
        { """{"type": "Sphere", "data": {"a": 1}}""", "Box", """{"size": 2.0, "size": 3.0}""" },
        { """{"type": "Sph\u0065re", "data": {}}""", "Sphere", """{"a": -0.0}""" },
        { null, "Floor", """{"height": -5.0}""" },
    };

    [Theory]
    [MemberData(nameof(Merges))]
    public async Task A_merge_stores_the_same_bytes_as_the_redis_backend(string? stored, string type, string data)
    {
        string room = RedisFixture.NewId("r");
        var update = new Geometry(type, Json(data));
        await using TestStore redisStore = await RedisStores.ZnDraw(redis).CreateAsync();
        if (stored is not null)
        {
            await redis.Database.HashSetAsync($"room:{room}:geometries", "g", stored);
            await InsertAsync("room_geometries", "name", room, "g", stored);
        }

        Geometry expected = await redisStore.Get<IGeometryRepository>().MergeAsync(room, "g", update);
        Geometry actual = await Geometries.MergeAsync(room, "g", update);

        Assert.Equal(expected, actual);
        string? redisBytes = await redis.Database.HashGetAsync($"room:{room}:geometries", "g");
        Assert.Equal(redisBytes, await ValueAsync("room_geometries", "name", room, "g"));
        await redis.Database.KeyDeleteAsync($"room:{room}:geometries");
    }

    public static TheoryData<string> Groups => new()
    {
        """{"a": [1.0, 1e2, 0], "b": {}, "c": [], "d": [3], "d": [5, 2147483647]}""",
        """ {"caf\u00e9": [1]} """,
        """{}""",
        """{"a": [1.5]}""",
        """{"a": [-1]}""",
        """{"a": [2147483648]}""",
        """{"a": {"x": 1}}""",
        """{"a": [null]}""",
        """{"a": "x"}""",
        """{"a": [1], "a": [-1]}""",
        """[1]""",
        """{"a": [1]""",
    };

    [Theory]
    [MemberData(nameof(Groups))]
    public async Task Loading_a_stored_group_accepts_and_refuses_what_the_redis_script_does(string group)
    {
        string room = RedisFixture.NewId("r");
        await using TestStore redisStore = await RedisStores.ZnDraw(redis).CreateAsync();
        IGeometryRepository redisGeometries = redisStore.Get<IGeometryRepository>();
        await redis.Database.HashSetAsync($"room:{room}:selection_groups", "g", group);
        await InsertAsync("room_selection_groups", "name", room, "g", group);
        await redisGeometries.SetSelectionAsync(room, new Selection("kept", [9]));
        await Geometries.SetSelectionAsync(room, new Selection("kept", [9]));

        bool? expected = await LoadAsync(redisGeometries, room);
        bool? actual = await LoadAsync(Geometries, room);

        Assert.Equal(expected, actual);
        HashEntry[] redisSelections = await redis.Database.HashGetAllAsync($"room:{room}:selections");
        Assert.Equal(
            redisSelections.Select(e => ((string)e.Name!, (string)e.Value!)).OrderBy(e => e.Item1, StringComparer.Ordinal),
            await RowsAsync("room_selections", "geometry", room));
        Assert.Equal(await redisGeometries.GetActiveSelectionGroupAsync(room), await Geometries.GetActiveSelectionGroupAsync(room));
        await redis.Database.KeyDeleteAsync([$"room:{room}:selection_groups", $"room:{room}:selections", $"room:{room}:active_selection_group"]);

        static async Task<bool?> LoadAsync(IGeometryRepository geometries, string room)
        {
            try
            {
                return await geometries.LoadSelectionGroupAsync(room, "g");
            }
            catch (StorageDataException)
            {
                return null;
            }
        }
    }

    [Fact]
    public async Task Loading_a_group_of_many_geometries_writes_every_selection()
    {
        string room = RedisFixture.NewId("r");
        var selections = Enumerable.Range(0, 450).Select(i => new Selection($"g{i:D3}", [i, i + 1])).ToList();
        await Geometries.SetSelectionAsync(room, new Selection("g000", [7]));
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("many", [.. selections]));

        Assert.True(await Geometries.LoadSelectionGroupAsync(room, "many"));

        Assert.Equal(selections, await Geometries.GetSelectionsAsync(room));
        Assert.Equal("many", await Geometries.GetActiveSelectionGroupAsync(room));
    }

    [Fact]
    public async Task Deleting_a_group_that_is_gone_still_clears_it_as_the_active_group()
    {
        string room = RedisFixture.NewId("r");
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("g", [new Selection("particles", [1])]));
        Assert.True(await Geometries.LoadSelectionGroupAsync(room, "g"));
        await ExecuteAsync("DELETE FROM room_selection_groups WHERE room_id = @room", room);

        Assert.False(await Geometries.DeleteSelectionGroupAsync(room, "other"));
        Assert.Equal("g", await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.False(await Geometries.DeleteSelectionGroupAsync(room, "g"));
        Assert.Null(await Geometries.GetActiveSelectionGroupAsync(room));
    }

    [Fact]
    public async Task Listings_are_ordered_by_name_ordinally()
    {
        string room = RedisFixture.NewId("r");
        string[] names = ["b", "B", "a", "\u00e9", "Z", "_", "a b", "A"];
        foreach (string name in names)
        {
            await Geometries.SetAsync(room, name, new Geometry("Sphere", Json("{}")));
            await Geometries.SetFigureAsync(room, name, new Figure(Json("1")));
            await Geometries.SetSelectionAsync(room, new Selection(name, [1]));
            await Geometries.SetSelectionGroupAsync(room, new SelectionGroup(name, []));
        }

        string[] ordinal = [.. names.Order(StringComparer.Ordinal)];
        Assert.Equal(ordinal, await Geometries.ListNamesAsync(room));
        Assert.Equal(ordinal, (await Geometries.GetAllAsync(room)).Select(g => g.Key));
        Assert.Equal(ordinal, await Geometries.ListFigureNamesAsync(room));
        Assert.Equal(ordinal, (await Geometries.GetSelectionsAsync(room)).Select(s => s.Geometry));
        Assert.Equal(ordinal, (await Geometries.GetSelectionGroupsAsync(room)).Select(g => g.Name));
    }

    [Fact]
    public async Task Hostile_names_are_stored_as_values_never_run_as_sql()
    {
        string room = RedisFixture.NewId("r");
        string[] names = ["x'); DROP TABLE room_geometries; --", "\" OR 1=1 --", "@room", "a'b"];
        foreach (string name in names)
        {
            await Geometries.SetAsync(room, name, new Geometry("Sphere", Json("{\"n\": 1}")));
            await Geometries.MergeAsync(room, name, new Geometry("Sphere", Json("{\"m\": 2}")));
            await Geometries.SetSelectionGroupAsync(room, new SelectionGroup(name, [new Selection(name, [1])]));
            Assert.True(await Geometries.LoadSelectionGroupAsync(room, name));
            Assert.Equal(name, await Geometries.GetActiveSelectionGroupAsync(room));
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), await Geometries.ListNamesAsync(room));
        Assert.Equal(new Geometry("Sphere", Json("{\"n\": 1, \"m\": 2}")), await Geometries.GetAsync(room, names[0]));
        Assert.True(await Geometries.DeleteAsync(room, names[0]));
        Assert.True(await Geometries.DeleteSelectionGroupAsync(room, names[1]));
        Assert.Equal(names.Length - 1, (await Geometries.GetAllAsync(room)).Count);
    }

    [Fact]
    public async Task Writing_a_rooms_scene_never_creates_the_room_row()
    {
        string room = RedisFixture.NewId("r");
        await Geometries.SetAsync(room, "g", new Geometry("Sphere", Json("{}")));
        await Geometries.SetFigureAsync(room, "f", new Figure(Json("[]")));
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("s", [new Selection("g", [0])]));
        Assert.True(await Geometries.LoadSelectionGroupAsync(room, "s"));

        Assert.Equal("s", await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.Equal(0L, Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM rooms WHERE id = @room", room), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private Task InsertAsync(string table, string column, string room, string name, string value) =>
        ExecuteAsync($"INSERT INTO {table} (room_id, {column}, value) VALUES (@room, @name, @value)", room, name, value);

    private async Task<string?> ValueAsync(string table, string column, string room, string name) =>
        (string?)await ScalarAsync($"SELECT value FROM {table} WHERE room_id = @room AND {column} = @name", room, name);

    private async Task<List<(string, string)>> RowsAsync(string table, string column, string room)
    {
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        await using DbCommand command = Command(connection, $"SELECT {column}, value FROM {table} WHERE room_id = @room", room, null, null);
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1)));
        }

        return [.. rows.OrderBy(r => r.Item1, StringComparer.Ordinal)];
    }

    private async Task ExecuteAsync(string sql, string room, string? name = null, string? value = null)
    {
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        await using DbCommand command = Command(connection, sql, room, name, value);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<object?> ScalarAsync(string sql, string room, string? name = null)
    {
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        await using DbCommand command = Command(connection, sql, room, name, null);
        return await command.ExecuteScalarAsync();
    }

    private static DbCommand Command(DbConnection connection, string sql, string room, string? name, string? value)
    {
        DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        SqlCall.Add(command, "@room", room);
        if (name is not null)
        {
            SqlCall.Add(command, "@name", name);
        }

        if (value is not null)
        {
            SqlCall.Add(command, "@value", value);
        }

        return command;
    }
}

/// <summary>The SQL geometry facts on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlGeometryTestsOnSqlite(RedisFixture redis) : SqlGeometryTests(redis, SqlStores.Sqlite(redis));

/// <summary>The SQL geometry facts on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlGeometryTestsOnPostgres(RedisFixture redis) : SqlGeometryTests(redis, SqlStores.Postgres(redis));
