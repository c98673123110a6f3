using System.Text.Json;
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
public sealed class SettingsRepositoryTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    private SettingsRepository Repo(KeySpace? space = null) => new(Context(redis, space));

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public async Task Reads_settings_written_by_ZnDraw()
    {
        string room = RedisFixture.NewId("r");
        RedisKey key = new RoomKeys(room).UserSettings("alice");
        await _db.HashSetAsync(key, [
            new("camera", "{\"near_plane\": 0.1, \"far_plane\": 300.0}"),
            new("studio_lighting", "{\"key_light\": 0.7}"),
        ]);
        var repo = Repo();

        var (all, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetAllAsync(room, "alice"));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(["camera", "studio_lighting"], all!.Sections.Select(s => s.Name));
        Assert.Equal(300.0, all.Camera!.Value.GetProperty("far_plane").GetDouble());

        var (section, mg) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.GetSectionAsync(room, "alice", RoomSettingsSections.StudioLighting));
        Assert.Equal(1, mg.RoundTrips);
        Assert.Equal(0.7, section!.Value.GetProperty("key_light").GetDouble());
        Assert.Null(await repo.GetSectionAsync(room, "alice", RoomSettingsSections.Pathtracing));
        Assert.Null(await repo.GetAllAsync(room, "bob"));
    }

    [Fact]
    public async Task Writes_sections_as_Python_JSON_and_registers_the_key_in_the_same_transaction()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        RedisKey key = keys.UserSettings("alice");
        var repo = Repo();

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetSectionAsync(room, "alice", "camera", Json("{\"fov\":75.0,\"label\":\"\u00e9\"}")));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal("{\"fov\": 75.0, \"label\": \"\\u00e9\"}", (string?)await _db.HashGetAsync(key, "camera"));
        Assert.Equal([(string)key!], (await _db.SetMembersAsync(keys.KeyRegistry())).Select(v => (string)v!));

        var settings = new UserRoomSettings([
            new RoomSettingsSection("studio_lighting", Json("{\"a\": 1}")),
            new RoomSettingsSection("pathtracing", Json("{\"enabled\": false}")),
        ]);
        var ms = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetSectionsAsync(room, "alice", settings));
        Assert.Equal(1, ms.RoundTrips);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["camera"] = "{\"fov\": 75.0, \"label\": \"\\u00e9\"}",
                ["studio_lighting"] = "{\"a\": 1}",
                ["pathtracing"] = "{\"enabled\": false}",
            },
            await RawHashAsync(_db, key));

        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetSectionAsync(room, "alice", "camera", Json("[1]")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetSectionAsync(room, "alice", "", Json("{}")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetSectionAsync(room, " alice", "camera", Json("{}")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetSectionsAsync(room, "alice", new UserRoomSettings([
            new RoomSettingsSection("a", Json("{}")), new RoomSettingsSection("a", Json("{}"))])));
        await repo.SetSectionsAsync(room, "carol", new UserRoomSettings([]));
        Assert.False(await _db.KeyExistsAsync(keys.UserSettings("carol")));
    }

    [Fact]
    public async Task Extension_form_data_is_per_user_and_category_and_registered()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        var repo = Repo();

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SetExtensionDataAsync(room, "alice", "modifiers", "Rotate", Json("{\"angle\":90.0,\"axis\":\"z\"}")));
        Assert.Equal(1, m.RoundTrips);
        RedisKey key = keys.UserExtensionData("alice", "modifiers");
        Assert.Equal("{\"angle\": 90.0, \"axis\": \"z\"}", (string?)await _db.HashGetAsync(key, "Rotate"));
        Assert.True(await _db.SetContainsAsync(keys.KeyRegistry(), (string)key!));

        await _db.HashSetAsync(keys.UserExtensionData("bob", "analysis"), "Distance", "{\"smooth\": true}");
        Assert.True((await repo.GetExtensionDataAsync(room, "bob", "analysis", "Distance"))!.Value.GetProperty("smooth").GetBoolean());
        Assert.Null(await repo.GetExtensionDataAsync(room, "alice", "modifiers", "Delete"));

        // Category "settings" is the settings hash itself, as in ZnDraw.
        await repo.SetExtensionDataAsync(room, "alice", "settings", "camera", Json("{\"fov\": 50}"));
        Assert.Equal(50, (await repo.GetSectionAsync(room, "alice", "camera"))!.Value.GetProperty("fov").GetInt32());
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetExtensionDataAsync(room, "alice", "a:b", "x", Json("1")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.SetExtensionDataAsync(room, "alice", "modifiers", "", Json("1")));
    }

    [Fact]
    public async Task Corrupt_settings_are_storage_errors()
    {
        string room = RedisFixture.NewId("r");
        var keys = new RoomKeys(room);
        RedisKey key = keys.UserSettings("alice");
        await _db.HashSetAsync(key, [new("camera", "[1, 2]"), new("pathtracing", "{")]);
        var repo = Repo();
        var section = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetSectionAsync(room, "alice", "camera"));
        Assert.Equal("camera", section.Field);
        Assert.Equal((string)key!, section.Key);
        Assert.Equal((string)key!, (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAllAsync(room, "alice"))).Key);
        await _db.HashSetAsync(keys.UserExtensionData("alice", "modifiers"), "Rotate", "{nope");
        Assert.Equal("Rotate", (await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetExtensionDataAsync(room, "alice", "modifiers", "Rotate"))).Field);

        await _db.StringSetAsync(keys.UserSettings("bob"), "x");
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetAllAsync(room, "bob"));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.SetSectionAsync(room, "bob", "camera", Json("{}")));
    }

    [Theory]
    [MemberData(nameof(Spaces), MemberType = typeof(FramesTestSupport))]
    public async Task Writes_go_to_the_key_spaces_own_keys_and_the_registry_names_them(string kind)
    {
        KeySpace space = Space(kind);
        string room = RedisFixture.NewId("r");
        RoomKeys keys = space.Room(room);
        var repo = Repo(space);

        await repo.SetSectionAsync(room, "alice", "camera", Json("{\"fov\": 75.0}"));
        await repo.SetExtensionDataAsync(room, "alice", "modifiers", "Rotate", Json("{}"));

        Assert.Equal("{\"fov\": 75.0}", (string?)await _db.HashGetAsync(keys.UserSettings("alice"), "camera"));
        Assert.Equal("{}", (string?)await _db.HashGetAsync(keys.UserExtensionData("alice", "modifiers"), "Rotate"));
        Assert.Equal(
            new[] { (string)keys.UserSettings("alice")!, (string)keys.UserExtensionData("alice", "modifiers")! }.Order(StringComparer.Ordinal),
            (await _db.SetMembersAsync(keys.KeyRegistry())).Select(v => (string)v!).Order(StringComparer.Ordinal));
    }
}
