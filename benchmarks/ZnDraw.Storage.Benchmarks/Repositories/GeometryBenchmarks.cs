using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>Geometry reads (HGET / HGETALL of the six default geometries, each parsed into a detached JSON element) and settings reads.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[ClusterTwins]
public class GeometryBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-geometries";
    private const string User = "alice";
    private IDatabase _db = null!;
    private GeometryRepository _geometries = null!;
    private SettingsRepository _settings = null!;

    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _geometriesKey = null!;
    private string _settingsKey = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _geometriesKey = Room(RoomId) + ":geometries";
        _settingsKey = Room(RoomId) + ":user:" + User + ":settings";
        var context = BenchmarkRedis.Context();
        _geometries = new GeometryRepository(context);
        _settings = new SettingsRepository(context);
        await new RoomRepository(context).CreateAsync(RoomId);
        using var camera = JsonDocument.Parse("""{"fov": 50, "near": 0.1, "far": 1000, "position": [0, 0, 10], "show_crosshair": false}""");
        await _settings.SetSectionAsync(RoomId, User, "camera", camera.RootElement);
    }

    protected override async Task VerifyAsync()
    {
        Same(await _geometries.GetAsync(RoomId, "particles"), await Raw_get_once(), "geometry");
        SameSequence(await _geometries.GetAllAsync(RoomId), await Raw_get_all_once(), "geometries");
        string? lib = (await _settings.GetSectionAsync(RoomId, User, "camera"))?.GetRawText();
        Same(lib, (await Raw_settings_get_once())?.GetRawText(), "settings section");
    }

    private static JsonElement ParseDetached(in RedisValue value)
    {
        using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)value);
        return document.RootElement.Clone();
    }

    private static Geometry ToGeometry(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("bad geometry");
        }

        return new Geometry(type.GetString()!, data);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public async Task<Geometry?> Raw_get_once()
    {
        RedisValue value = await _db.HashGetAsync(_geometriesKey, "particles").ConfigureAwait(false);
        return value.IsNull ? null : ToGeometry(ParseDetached(value));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<Geometry?> Lib_get_once() => _geometries.GetAsync(RoomId, "particles");

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetAll")]
    public Task Raw_get_all() => Repeat(Raw_get_all_once);

    public async Task<IReadOnlyList<KeyValuePair<string, Geometry>>> Raw_get_all_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_geometriesKey).ConfigureAwait(false);
        var result = new KeyValuePair<string, Geometry>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            result[i] = new((string)entries[i].Name!, ToGeometry(ParseDetached(entries[i].Value)));
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetAll")]
    public Task Lib_get_all() => Repeat(Lib_get_all_once);

    public ValueTask<IReadOnlyList<KeyValuePair<string, Geometry>>> Lib_get_all_once() => _geometries.GetAllAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Settings.GetSection")]
    public Task Raw_settings_get() => Repeat(Raw_settings_get_once);

    public async Task<JsonElement?> Raw_settings_get_once()
    {
        RedisValue value = await _db.HashGetAsync(_settingsKey, "camera").ConfigureAwait(false);
        if (value.IsNull)
        {
            return null;
        }

        JsonElement element = ParseDetached(value);
        return element.ValueKind == JsonValueKind.Object ? element : throw new InvalidOperationException("not an object");
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Settings.GetSection")]
    public Task Lib_settings_get() => Repeat(Lib_settings_get_once);

    public ValueTask<JsonElement?> Lib_settings_get_once() => _settings.GetSectionAsync(RoomId, User, "camera");
}
