using System.Data.Common;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// What the settings contract cannot plant backend-neutrally: rows that cannot be read (written with raw SQL), the stored
/// text, and the order of sections compared with the Redis backend's.
/// </summary>
public abstract class SqlSettingsRepositoryTests(IStoreFactory backend, RedisFixture redis) : IAsyncLifetime
{
    private TestStore? _store;

    private TestStore Store => _store!;

    private ISettingsRepository Settings => Store.Get<ISettingsRepository>();

    public async Task InitializeAsync() => _store = await backend.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_section_that_is_not_JSON_is_a_data_error_naming_table_column_and_key()
    {
        string room = RedisFixture.NewId("r");
        await Settings.SetSectionAsync(room, "alice", "camera", Json("{\"fov\": 75.0}"));
        await Settings.SetSectionAsync(room, "alice", "pathtracing", Json("{\"enabled\": true}"));
        await ExecuteAsync("UPDATE room_user_settings SET value = '{\"fov\": ' WHERE room_id = @room AND section = 'camera'", room);

        var one = await Assert.ThrowsAsync<StorageDataException>(async () => await Settings.GetSectionAsync(room, "alice", "camera"));
        var all = await Assert.ThrowsAsync<StorageDataException>(async () => await Settings.GetAllAsync(room, "alice"));
        var asData = await Assert.ThrowsAsync<StorageDataException>(async () => await Settings.GetExtensionDataAsync(room, "alice", "settings", "camera"));

        foreach (var ex in new[] { one, all, asData })
        {
            Assert.Equal($"room_user_settings(room_id='{room}', user_name='alice', section='camera')", ex.Key);
            Assert.Equal("value", ex.Field);
            Assert.Contains("broken JSON", ex.Message, StringComparison.Ordinal);
        }

        // The other section still reads.
        Assert.True((await Settings.GetSectionAsync(room, "alice", "pathtracing"))!.Value.GetProperty("enabled").GetBoolean());
    }

    [Fact]
    public async Task A_section_that_is_JSON_but_not_an_object_is_a_data_error()
    {
        string room = RedisFixture.NewId("r");
        await Settings.SetExtensionDataAsync(room, "alice", "settings", "camera", Json("[1, 2]"));

        Assert.Equal(2, (await Settings.GetExtensionDataAsync(room, "alice", "settings", "camera"))!.Value.GetArrayLength());
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await Settings.GetSectionAsync(room, "alice", "camera"));
        Assert.Contains("expected a JSON object, found a JSON Array", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageDataException>(async () => await Settings.GetAllAsync(room, "alice"));
    }

    [Fact]
    public async Task Extension_data_that_is_not_JSON_is_a_data_error_naming_table_column_and_key()
    {
        string room = RedisFixture.NewId("r");
        await Settings.SetExtensionDataAsync(room, "bob", "modifiers", "Rotate", Json("{\"angle\": 90}"));
        await ExecuteAsync("UPDATE room_extension_data SET value = 'not json' WHERE room_id = @room", room);

        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await Settings.GetExtensionDataAsync(room, "bob", "modifiers", "Rotate"));

        Assert.Equal($"room_extension_data(room_id='{room}', user_name='bob', category='modifiers', extension='Rotate')", ex.Key);
        Assert.Equal("value", ex.Field);
    }

    [Fact]
    public async Task Values_are_stored_as_Python_json_dumps_text_and_a_later_write_replaces_them()
    {
        string room = RedisFixture.NewId("r");
        await Settings.SetSectionAsync(room, "alice", "camera", Json("{\"fov\":75.0,\"label\":\"\u00e9\"}"));
        await Settings.SetExtensionDataAsync(room, "alice", "modifiers", "Rotate", Json("[1,2]"));
        await Settings.SetExtensionDataAsync(room, "alice", "modifiers", "Rotate", Json("{\"a\":null}"));

        Assert.Equal("{\"fov\": 75.0, \"label\": \"\\u00e9\"}", await TextAsync("SELECT value FROM room_user_settings WHERE room_id = @room", room));
        Assert.Equal("{\"a\": null}", await TextAsync("SELECT value FROM room_extension_data WHERE room_id = @room", room));
    }

    [Fact]
    public async Task Sections_read_back_in_the_order_the_Redis_backend_returns_them()
    {
        await using TestStore redisStore = await RedisStores.Prefixed(redis).CreateAsync();
        var onRedis = redisStore.Get<ISettingsRepository>();
        string room = RedisFixture.NewId("r");

        foreach (var settings in new[] { Settings, onRedis })
        {
            await settings.SetSectionAsync(room, "alice", "studio_lighting", Json("{\"a\": 1}"));
            await settings.SetSectionsAsync(room, "alice", new UserRoomSettings([
                new RoomSettingsSection("pathtracing", Json("{\"b\": 2}")),
                new RoomSettingsSection("camera", Json("{\"c\": 3}")),
                new RoomSettingsSection("studio_lighting", Json("{\"a\": 4}")),
            ]));
            await settings.SetExtensionDataAsync(room, "alice", "settings", "zeta", Json("{}"));
            await settings.SetSectionAsync(room, "alice", "alpha", Json("{}"));
            await settings.SetSectionAsync(room, "alice", "pathtracing", Json("{\"b\": 5}"));
        }

        UserRoomSettings expected = (await onRedis.GetAllAsync(room, "alice"))!;
        UserRoomSettings actual = (await Settings.GetAllAsync(room, "alice"))!;
        Assert.Equal(["studio_lighting", "pathtracing", "camera", "zeta", "alpha"], expected.Sections.Select(s => s.Name));
        Assert.Equal(expected.Sections.ToArray(), actual.Sections.ToArray());
    }

    [Fact]
    public async Task Hostile_names_are_parameters_not_SQL()
    {
        string room = RedisFixture.NewId("r");
        const string Hostile = "x'); DROP TABLE room_user_settings; --";

        await Settings.SetSectionAsync(room, Hostile, Hostile, Json("{\"v\": 1}"));
        await Settings.SetExtensionDataAsync(room, Hostile, "modifiers", Hostile, Json("1"));

        Assert.Equal(1, (await Settings.GetSectionAsync(room, Hostile, Hostile))!.Value.GetProperty("v").GetInt32());
        Assert.Equal(1, (await Settings.GetExtensionDataAsync(room, Hostile, "modifiers", Hostile))!.Value.GetInt32());
        Assert.Equal([Hostile], (await Settings.GetAllAsync(room, Hostile))!.Sections.Select(s => s.Name));
    }

    private async Task ExecuteAsync(string sql, string room)
    {
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        SqlCall.Add(command, "@room", room);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    private async Task<string?> TextAsync(string sql, string room)
    {
        await using DbConnection connection = await Store.Get<SqlStoreContext>().OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        SqlCall.Add(command, "@room", room);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}

/// <summary>The SQL settings repository's own facts on SQLite.</summary>
[Collection(SqliteCollection.Name)]
public sealed class SqlSettingsRepositoryOnSqlite(RedisFixture redis) : SqlSettingsRepositoryTests(SqlStores.Sqlite(redis), redis);

/// <summary>The SQL settings repository's own facts on PostgreSQL.</summary>
[Collection(PostgresCollection.Name)]
public sealed class SqlSettingsRepositoryOnPostgres(RedisFixture redis) : SqlSettingsRepositoryTests(SqlStores.Postgres(redis), redis);
