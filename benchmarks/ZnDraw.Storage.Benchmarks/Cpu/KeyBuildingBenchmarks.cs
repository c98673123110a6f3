using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Benchmarks.Cpu;

/// <summary>
/// CPU-only: the cost of building a key with the library's builders against the string a raw
/// StackExchange.Redis caller would concatenate by hand (validation included on the library side).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[QuickRun]
public class KeyBuildingBenchmarks
{
    // A field, not a constant, so the compiler cannot fold the raw concatenation away.
    private readonly string _roomId = "room-benchmark-1";

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Keys.Room")]
    public RedisKey Raw_concatenation() => "room:" + _roomId + ":current_frame";

    [Benchmark, BenchmarkCategory("Cpu.Keys.Room")]
    public RedisKey RoomKeys_new_and_build() => new RoomKeys(_roomId).CurrentFrame();

    [Benchmark(Baseline = true), BenchmarkCategory("Cpu.Keys.Extension")]
    public RedisKey Raw_extension_idle_workers() => "room:" + _roomId + ":extensions:modifiers:Rotate:idle_workers";

    [Benchmark, BenchmarkCategory("Cpu.Keys.Extension")]
    public RedisKey ExtensionKeys_idle_workers() => ExtensionKeys.ForExtension(_roomId, "modifiers", "Rotate").IdleWorkers();
}
