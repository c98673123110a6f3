using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Worker acquire/release. Acquire moves a worker from idle to progressing (one script); release is one script that
/// reads the worker's reverse index itself. A call of acquire alone would empty the idle
/// set, so acquire is measured as an acquire+release cycle; release alone is idempotent and measured on its own.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[ClusterTwins(Quick = true)]
public class ExtensionBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-extensions";
    private const string Category = "modifiers";
    private const string Name = "Rotate";
    private const string Worker = "worker-1";
    private static readonly ExtensionId Extension = ExtensionId.InRoom(RoomId, Category, Name);
    private IDatabase _db = null!;
    private ExtensionRepository _extensions = null!;
    private RawScript _acquire = null!;
    private RawScript _release = null!;

    // The parts of the key names that were constants, built once for the layout of the run (see RedisBenchmark.Room);
    // the raw twins still concatenate per call what they concatenated before.
    private string _categoryHead = null!;
    private string _extensionBase = null!;
    private string _reverse = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _categoryHead = Room(RoomId) + ":extensions:" + Category + ":";
        _extensionBase = _categoryHead + Name + ":";
        _reverse = _categoryHead + Worker;
        _extensions = new ExtensionRepository(BenchmarkRedis.Context());
        _acquire = new RawScript(ExtensionScripts.Acquire.Text);
        _release = new RawScript(ExtensionScripts.Release.Text);
        using var schema = JsonDocument.Parse("""{"properties": {"angle": {"type": "number", "default": 90}}}""");
        await _extensions.RegisterExtensionAsync(Extension, schema.RootElement, Worker);
        await _extensions.ReleaseWorkerAsync(Extension, Worker);
    }

    protected override async Task VerifyAsync()
    {
        Same(await _extensions.AcquireWorkerAsync(Extension), Worker, "library acquire");
        Same(await _extensions.ReleaseWorkerAsync(Extension, Worker), true, "library release of a progressing worker");
        Same(await RawAcquireAsync(), Worker, "raw acquire");
        Same(await Raw_release_once(), true, "raw release of a progressing worker");
        Same(await _extensions.ReleaseWorkerAsync(Extension, Worker), false, "library release of an idle worker");
        Same(await Raw_release_once(), false, "raw release of an idle worker");
    }

    private async Task<string?> RawAcquireAsync()
    {
        RedisKey[] keys = [_extensionBase + "idle_workers", _extensionBase + "progressing_workers"];
        RedisResult result = await _db.ScriptEvaluateAsync(_acquire.Sha1, keys).ConfigureAwait(false);
        return result.IsNull ? null : (string?)result;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.AcquireRelease")]
    public Task Raw_acquire_release() => Repeat(Raw_acquire_release_once);

    public async Task<bool> Raw_acquire_release_once()
    {
        string? worker = await RawAcquireAsync().ConfigureAwait(false);
        return worker is not null && await Raw_release_once().ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.AcquireRelease")]
    public Task Lib_acquire_release() => Repeat(Lib_acquire_release_once);

    public async Task<bool> Lib_acquire_release_once()
    {
        string? worker = await _extensions.AcquireWorkerAsync(Extension).ConfigureAwait(false);
        return worker is not null && await _extensions.ReleaseWorkerAsync(Extension, worker).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.Release")]
    public Task Raw_release() => Repeat(Raw_release_once);

    public async Task<bool> Raw_release_once()
    {
        string extensionBase = _extensionBase;
        RedisKey[] keys = [_reverse, extensionBase + "idle_workers", extensionBase + "progressing_workers"];
        RedisValue[] args = [Worker, Name, _categoryHead];
        RedisResult result = await _db.ScriptEvaluateAsync(_release.Sha1, keys, args).ConfigureAwait(false);
        return (int)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.Release")]
    public Task Lib_release() => Repeat(Lib_release_once);

    public ValueTask<bool> Lib_release_once() => _extensions.ReleaseWorkerAsync(Extension, Worker);
}
