using System.Diagnostics;
using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;

namespace ZnDraw.Storage.Benchmarks.Instrument;

/// <summary>
/// Controls for the paired time comparison itself: raw StackExchange.Redis against raw StackExchange.Redis, no library
/// code on either side. Every pair issues one ZCARD; the two sides differ only in what the row is named after:
/// <list type="bullet">
/// <item><c>Instrument.IdenticalCopy</c>: the same one-line method twice (two methods, same body): what the method
/// reads for code that does the same work by the same route.</item>
/// <item><c>Instrument.AsyncLevel</c>: the client's task returned as it is, against the same call awaited in a one-line
/// hand-written <c>async Task</c> method that does nothing else — the one level any caller needs to look at a reply
/// (map it, translate its errors), and the one level every library call has.</item>
/// <item><c>Instrument.PooledAsyncLevel</c>: the same with a pooled <c>async ValueTask</c> method (the library's kind).</item>
/// <item><c>Instrument.OneMicrosecondCpu</c>: the one-level method against the same method plus one microsecond of busy
/// CPU after the reply: what a microsecond of real work reads as.</item>
/// </list>
/// Rows are informational: they show the resolution of the time target's instrument on the machine of the run
/// (docs/benchmarks.md, "What the paired time can resolve").
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
public class InstrumentControls : RedisBenchmark
{
    private const string RoomId = "bench-instrument";
    private static readonly long OneMicrosecond = Math.Max(1, Stopwatch.Frequency / 1_000_000);
    private IDatabase _db = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        RedisKey key = "room:" + RoomId + ":chat:index";
        await _db.KeyDeleteAsync(key);
        await _db.SortedSetAddAsync(key, [new SortedSetEntry("msg_1", 1), new SortedSetEntry("msg_2", 2)]);
    }

    protected override async Task VerifyAsync()
    {
        long expected = await Raw_same_once();
        Same(await Raw_same_copy_once(), expected, "identical copy");
        Same(await Raw_level_once(), expected, "raw, no level");
        Same(await Level_once(), expected, "one async level");
        Same(await Raw_pooled_once(), expected, "raw, no level (pooled pair)");
        Same(await Pooled_level_once(), expected, "one pooled async level");
        Same(await Level_base_once(), expected, "one async level (CPU pair)");
        Same(await Level_cpu_once(), expected, "one async level and 1 µs of CPU");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.IdenticalCopy")]
    public Task Raw_same() => Repeat(Raw_same_once);

    public Task<long> Raw_same_once() => _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.IdenticalCopy")]
    public Task Raw_same_copy() => Repeat(Raw_same_copy_once);

    public Task<long> Raw_same_copy_once() => _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index");

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.AsyncLevel")]
    public Task Raw_level() => Repeat(Raw_level_once);

    public Task<long> Raw_level_once() => _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.AsyncLevel")]
    public Task Level() => Repeat(Level_once);

    public async Task<long> Level_once() => await _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index").ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.PooledAsyncLevel")]
    public Task Raw_pooled() => Repeat(Raw_pooled_once);

    public Task<long> Raw_pooled_once() => _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.PooledAsyncLevel")]
    public Task Pooled_level() => Repeat(Pooled_level_once);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<long> Pooled_level_once() => await _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index").ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.OneMicrosecondCpu")]
    public Task Level_base() => Repeat(Level_base_once);

    public async Task<long> Level_base_once() => await _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index").ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Instrument.OneMicrosecondCpu")]
    public Task Level_cpu() => Repeat(Level_cpu_once);

    public async Task<long> Level_cpu_once()
    {
        long count = await _db.SortedSetLengthAsync("room:" + RoomId + ":chat:index").ConfigureAwait(false);
        long start = Stopwatch.GetTimestamp();
        while (Stopwatch.GetTimestamp() - start < OneMicrosecond)
        {
            // busy: one microsecond of CPU on the caller's path
        }

        return count;
    }
}
