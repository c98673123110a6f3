using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// A user's room settings (four sections) and extension form data: HGETALL parsed into <see cref="UserRoomSettings"/>, HGET of
/// form data, and the writes (MULTI: HSET of Python <c>json.dumps</c> text + SADD to the room's key registry), each writing the
/// values that are already stored, so the state stays the same.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class SettingsBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-settings";
    private const string User = "alice";
    private const string Category = "modifiers";
    private const string Extension = "Rotate";
    private IDatabase _db = null!;
    private SettingsRepository _settings = null!;
    private UserRoomSettings _all = null!;
    private JsonElement _camera;
    private JsonElement _formData;

    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _roomHead = null!;
    private string _settingsKey = null!;
    private string _dataKey = null!;
    private string _registry = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _roomHead = Room(RoomId);
        _settingsKey = _roomHead + ":user:" + User + ":settings";
        _dataKey = _roomHead + ":user:" + User + ":" + Category;
        _registry = _roomHead + ":keys";
        _settings = new SettingsRepository(BenchmarkRedis.Context());
        await _db.KeyDeleteAsync([_settingsKey, _dataKey, _registry]);
        _camera = Json("""{"fov": 50, "near": 0.1, "far": 1000, "position": [0, 0, 10], "target": [0.0, 0.0, 0.0], "show_crosshair": false, "preserve_drawing_buffer": false}""");
        _all = new UserRoomSettings(
        [
            new RoomSettingsSection(RoomSettingsSections.Camera, _camera),
            new RoomSettingsSection(RoomSettingsSections.StudioLighting, Json("""{"key_light": 0.7, "fill_light": 0.4, "rim_light": 0.5, "hemisphere_light": 0.3, "background_color": "#FFFFFF", "contact_shadow": true}""")),
            new RoomSettingsSection(RoomSettingsSections.PropertyInspector, Json("""{"enabled_properties": ["energy", "forces", "stress"]}""")),
            new RoomSettingsSection(RoomSettingsSections.Pathtracing, Json("""{"enabled": false, "max_samples": 256, "min_samples": 1, "samples": 1, "bounces": 8, "tiles": 1, "environment_preset": "studio", "environment_intensity": 1.0, "environment_blur": 0.0}""")),
        ]);
        _formData = Json("""{"angle": 90, "axis": "z", "atoms": [1, 2, 3], "label": "r\u00f6tate \"all\""}""");
        await _settings.SetSectionsAsync(RoomId, User, _all);
        await _settings.SetExtensionDataAsync(RoomId, User, Category, Extension, _formData);
    }

    private static JsonElement Json(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    protected override async Task VerifyAsync()
    {
        Same(await _settings.GetAllAsync(RoomId, User), await Raw_get_all_once(), "settings");
        Same(await _settings.GetAllAsync(RoomId, "nobody"), await RawGetAllAsync("nobody"), "settings of a user without any");
        Same((await _settings.GetExtensionDataAsync(RoomId, User, Category, Extension))?.GetRawText(), (await Raw_get_extension_data_once())?.GetRawText(), "form data");

        string settings = _settingsKey;
        string data = _dataKey;
        await SameWriteAsync(settings, Lib_set_section_once, Raw_set_section_once, "set section");
        await SameWriteAsync(settings, Lib_set_sections_once, Raw_set_sections_once, "set sections");
        await SameWriteAsync(data, Lib_set_extension_data_once, Raw_set_extension_data_once, "set form data");
    }

    /// <summary>Deletes the hash and the key registry, runs each twin, and compares what each left in both.</summary>
    private async Task SameWriteAsync(string key, Func<ValueTask> library, Func<Task> raw, string what)
    {
        RedisKey[] keys = [key, _registry];
        await _db.KeyDeleteAsync(keys);
        await library();
        HashEntry[] lib = await _db.HashGetAllAsync(key);
        RedisValue[] libRegistry = await _db.SetMembersAsync(keys[1]);
        await _db.KeyDeleteAsync(keys);
        await raw();
        SameSequence(lib, await _db.HashGetAllAsync(key), what + ": hash");
        SameSequence(libRegistry, await _db.SetMembersAsync(keys[1]), what + ": key registry");
        Same(1, libRegistry.Length, what + ": one registry entry");

        // Restore everything the other benchmarks read.
        await _settings.SetSectionsAsync(RoomId, User, _all);
        await _settings.SetExtensionDataAsync(RoomId, User, Category, Extension, _formData);
    }

    private static JsonElement ParseDetached(in RedisValue value)
    {
        using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)value);
        return document.RootElement.Clone();
    }

    /// <summary>MULTI: HSET of the fields, SADD of the hash's name to the room's key registry; EXEC.</summary>
    private async Task RawWriteAsync(string key, HashEntry[] entries)
    {
        ITransaction tx = _db.CreateTransaction();
        Task set = tx.HashSetAsync(key, entries);
        Task registered = tx.SetAddAsync(_registry, key);
        await tx.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(set, registered).ConfigureAwait(false);
    }

    private static byte[] SectionJson(JsonElement value) =>
        value.ValueKind == JsonValueKind.Object ? RawJson.Python(value) : throw new ArgumentException("a section is a JSON object", nameof(value));

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Settings.GetAll")]
    public Task Raw_get_all() => Repeat(Raw_get_all_once);

    public Task<UserRoomSettings?> Raw_get_all_once() => RawGetAllAsync(User);

    private async Task<UserRoomSettings?> RawGetAllAsync(string user)
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_roomHead + ":user:" + user + ":settings").ConfigureAwait(false);
        if (entries.Length == 0)
        {
            return null;
        }

        var sections = new RoomSettingsSection[entries.Length];
        for (int i = 0; i < sections.Length; i++)
        {
            JsonElement value = ParseDetached(entries[i].Value);
            if (value.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidOperationException("a settings section is not a JSON object");
            }

            sections[i] = new RoomSettingsSection(entries[i].Name!, value);
        }

        return new UserRoomSettings(ImmutableCollectionsMarshal.AsImmutableArray(sections));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Settings.GetAll")]
    public Task Lib_get_all() => Repeat(Lib_get_all_once);

    public ValueTask<UserRoomSettings?> Lib_get_all_once() => _settings.GetAllAsync(RoomId, User);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Settings.SetSection")]
    public Task Raw_set_section() => Repeat(Raw_set_section_once);

    public Task Raw_set_section_once() =>
        RawWriteAsync(_settingsKey, [new HashEntry(RoomSettingsSections.Camera, SectionJson(_camera))]);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Settings.SetSection")]
    public Task Lib_set_section() => Repeat(Lib_set_section_once);

    public ValueTask Lib_set_section_once() => _settings.SetSectionAsync(RoomId, User, RoomSettingsSections.Camera, _camera);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Settings.SetSections")]
    public Task Raw_set_sections() => Repeat(Raw_set_sections_once);

    public Task Raw_set_sections_once()
    {
        var sections = _all.Sections;
        var entries = new HashEntry[sections.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            if (string.IsNullOrEmpty(sections[i].Name))
            {
                throw new ArgumentException("empty section name");
            }

            entries[i] = new HashEntry(sections[i].Name, SectionJson(sections[i].Value));
        }

        return entries.Length == 0 ? Task.CompletedTask : RawWriteAsync(_settingsKey, entries);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Settings.SetSections")]
    public Task Lib_set_sections() => Repeat(Lib_set_sections_once);

    public ValueTask Lib_set_sections_once() => _settings.SetSectionsAsync(RoomId, User, _all);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Settings.GetExtensionData")]
    public Task Raw_get_extension_data() => Repeat(Raw_get_extension_data_once);

    public async Task<JsonElement?> Raw_get_extension_data_once()
    {
        RedisValue value = await _db.HashGetAsync(_dataKey, Extension).ConfigureAwait(false);
        return value.IsNull ? null : ParseDetached(value);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Settings.GetExtensionData")]
    public Task Lib_get_extension_data() => Repeat(Lib_get_extension_data_once);

    public ValueTask<JsonElement?> Lib_get_extension_data_once() => _settings.GetExtensionDataAsync(RoomId, User, Category, Extension);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Settings.SetExtensionData")]
    public Task Raw_set_extension_data() => Repeat(Raw_set_extension_data_once);

    public Task Raw_set_extension_data_once() =>
        RawWriteAsync(_dataKey, [new HashEntry(Extension, RawJson.Python(_formData))]);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Settings.SetExtensionData")]
    public Task Lib_set_extension_data() => Repeat(Lib_set_extension_data_once);

    public ValueTask Lib_set_extension_data_once() => _settings.SetExtensionDataAsync(RoomId, User, Category, Extension, _formData);
}
