using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Room locks and the presenter lock: every call is one Lua script except the presenter read (one GET). A lock that is
/// taken must be given back, so acquire is measured as acquire+release (on its own target, with metadata, as ZnDraw's
/// clients lock); refresh, set-metadata and the read work on a second, held lock and write the same values again.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins(Quick = true)]
public class LockBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-locks";
    private const string PresentedRoom = "bench-locks-presented";
    private const string CycleTarget = "bench:cycle";
    private const string HeldTarget = LockInfo.TrajectoryMetaTarget;
    private const string Holder = "bench-holder";
    private const string Sid = "bench-sid";
    private const string Message = "editing frames";
    private const int CycleSeconds = 60;
    private const int HeldSeconds = 300;
    private const int PresenterSeconds = 10;
    private static readonly DateTime Stamp = new DateTime(2025, 11, 2, 9, 15, 42, DateTimeKind.Utc).AddTicks(1_234_560);
    private IDatabase _db = null!;
    private LockRepository _locks = null!;
    private RawScript _acquire = null!;
    private RawScript _release = null!;
    private RawScript _refresh = null!;
    private RawScript _setMetadata = null!;
    private RawScript _get = null!;
    private RawScript _acquirePresenter = null!;
    private RawScript _releasePresenter = null!;
    private LockMetadata _metadata = null!;

    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _room = null!;
    private string _registry = null!;
    private string _presenter = null!;
    private string _presented = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _room = Room(RoomId);
        _registry = _room + ":keys";
        _presenter = _room + ":presenter_lock";
        _presented = Room(PresentedRoom) + ":presenter_lock";
        _locks = new LockRepository(BenchmarkRedis.Context());
        _acquire = new RawScript(LockScripts.Acquire.Text);
        _release = new RawScript(LockScripts.Release.Text);
        _refresh = new RawScript(LockScripts.Refresh.Text);
        _setMetadata = new RawScript(LockScripts.SetMetadata.Text);
        _get = new RawScript(LockScripts.Get.Text);
        _acquirePresenter = new RawScript(LockScripts.AcquirePresenter.Text);
        _releasePresenter = new RawScript(LockScripts.ReleasePresenter.Text);
        using var message = JsonDocument.Parse("\"" + Message + "\"");
        _metadata = new LockMetadata(Holder, Stamp, [new("msg", message.RootElement.Clone())]);

        // Start from nothing, then: the held lock (with metadata) and a room with a presenter.
        // (Two rooms: two deletes, one per slot on the cluster.)
        await _db.KeyDeleteAsync(
        [
            Lock(CycleTarget), Lock(CycleTarget) + ":metadata", Lock(HeldTarget), Lock(HeldTarget) + ":metadata",
            _registry, _presenter,
        ]);
        await _db.KeyDeleteAsync(_presented);
        await _locks.AcquireAsync(RoomId, HeldTarget, Holder, TimeSpan.FromSeconds(HeldSeconds), _metadata);
        await _locks.AcquirePresenterAsync(PresentedRoom, Sid, TimeSpan.FromSeconds(HeldSeconds));
    }

    protected override async Task VerifyAsync()
    {
        LockInfo? lib = await _locks.GetAsync(RoomId, HeldTarget);
        LockInfo? raw = await Raw_get_once();
        if (lib?.TimeToLive is not { } libTtl || raw?.TimeToLive is not { } rawTtl || (libTtl - rawTtl).Duration() > TimeSpan.FromSeconds(5))
        {
            throw new InvalidOperationException($"get: TTLs differ or are missing (library {lib?.TimeToLive}, raw {raw?.TimeToLive}).");
        }

        Same(lib with { TimeToLive = null }, raw with { TimeToLive = null }, "get");
        Same(lib.Metadata, _metadata, "metadata read back");
        Same(await _locks.GetPresenterAsync(PresentedRoom), await Raw_get_presenter_once(), "presenter");
        Same(await _locks.GetPresenterAsync(PresentedRoom), Sid, "presenter read");

        // Acquire alone, then the written lock, metadata and registry; then release and what is left.
        Same(await _locks.AcquireAsync(RoomId, CycleTarget, Holder, TimeSpan.FromSeconds(CycleSeconds), _metadata), true, "library acquire");
        var libAcquired = await StateAsync(CycleTarget);
        Same(await _locks.ReleaseAsync(RoomId, CycleTarget, Holder), true, "library release");
        var libReleased = await StateAsync(CycleTarget);
        Same(await RawAcquireAsync(), true, "raw acquire");
        SameState(libAcquired, await StateAsync(CycleTarget), "keys written by acquire");
        Same(await RawReleaseAsync(), true, "raw release");
        SameState(libReleased, await StateAsync(CycleTarget), "keys left by release");
        Same(await Lib_acquire_release_once(), await Raw_acquire_release_once(), "acquire+release");

        // Set metadata from no metadata (the JSON must be byte for byte the library's), refresh from a short TTL.
        // (The metadata takes the lock's remaining TTL: both twins start from the same one.)
        await _db.KeyDeleteAsync(Lock(HeldTarget) + ":metadata");
        await _db.KeyExpireAsync(Lock(HeldTarget), TimeSpan.FromSeconds(HeldSeconds));
        Same(await Lib_set_metadata_once(), true, "library set metadata");
        var libMetadata = await StateAsync(HeldTarget);
        await _db.KeyDeleteAsync(Lock(HeldTarget) + ":metadata");
        await _db.KeyExpireAsync(Lock(HeldTarget), TimeSpan.FromSeconds(HeldSeconds));
        Same(await Raw_set_metadata_once(), true, "raw set metadata");
        SameState(libMetadata, await StateAsync(HeldTarget), "metadata written by set metadata");
        await ShortenHeldAsync();
        Same(await Lib_refresh_once(), true, "library refresh");
        var libRefreshed = await StateAsync(HeldTarget);
        await ShortenHeldAsync();
        Same(await Raw_refresh_once(), true, "raw refresh");
        SameState(libRefreshed, await StateAsync(HeldTarget), "TTLs written by refresh");

        Same(await _locks.AcquirePresenterAsync(RoomId, Sid), true, "library presenter acquire");
        var libPresenting = await PresenterStateAsync();
        Same(await _locks.ReleasePresenterAsync(RoomId, Sid), true, "library presenter release");
        Same(await RawAcquirePresenterAsync(), true, "raw presenter acquire");
        SameState(libPresenting, await PresenterStateAsync(), "presenter lock written by acquire");
        Same(await RawReleasePresenterAsync(), true, "raw presenter release");
        Same(await _db.KeyExistsAsync(_presenter), false, "presenter lock left by release");
        Same(await Lib_acquire_release_presenter_once(), await Raw_acquire_release_presenter_once(), "presenter acquire+release");
    }

    private async Task ShortenHeldAsync()
    {
        await _db.KeyExpireAsync(Lock(HeldTarget), TimeSpan.FromSeconds(5));
        await _db.KeyExpireAsync(Lock(HeldTarget) + ":metadata", TimeSpan.FromSeconds(5));
    }

    private string Lock(string target) => _room + ":lock:" + target;

    // Values and registry entries; the TTLs apart, since the lock's remaining TTL runs down between the two twins.
    private async Task<(string Values, TimeSpan?[] Ttls)> StateAsync(string target)
    {
        string key = Lock(target);
        RedisValue[] registry = await _db.SetMembersAsync(_registry);
        string values = (string?)await _db.StringGetAsync(key) + " | " + (string?)await _db.StringGetAsync(key + ":metadata")
            + " | " + string.Join(", ", registry.Select(m => m.ToString()).Order(StringComparer.Ordinal));
        return (values, [await _db.KeyTimeToLiveAsync(key), await _db.KeyTimeToLiveAsync(key + ":metadata")]);
    }

    private async Task<(string Values, TimeSpan?[] Ttls)> PresenterStateAsync()
    {
        RedisKey key = _presenter;
        return ((string?)await _db.StringGetAsync(key) ?? string.Empty, [await _db.KeyTimeToLiveAsync(key)]);
    }

    // Equal values, and TTLs that are both absent or within two seconds of each other.
    private static void SameState((string Values, TimeSpan?[] Ttls) library, (string Values, TimeSpan?[] Ttls) raw, string what)
    {
        Same(library.Values, raw.Values, what);
        for (int i = 0; i < library.Ttls.Length; i++)
        {
            if (library.Ttls[i] is { } l ? raw.Ttls[i] is not { } r || (l - r).Duration() > TimeSpan.FromSeconds(2) : raw.Ttls[i] is not null)
            {
                throw new InvalidOperationException($"{what}: TTL {i} of the raw twin is {raw.Ttls[i]}, the library's {library.Ttls[i]}.");
            }
        }
    }

    // The metadata JSON as ZnDraw's Python server writes it: json.dumps separators, userName and timestamp first.
    private static string MetadataJson() =>
        "{\"userName\": \"" + JsonEncodedText.Encode(Holder).Value + "\", \"timestamp\": \"" + FormatIso(Stamp)
        + "\", \"msg\": \"" + JsonEncodedText.Encode(Message).Value + "\"}";

    private static string FormatIso(DateTime utc) =>
        utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private async Task<bool> RawAcquireAsync()
    {
        string key = Lock(CycleTarget);
        RedisKey[] keys = [key, key + ":metadata", _registry];
        RedisValue[] args = [Holder, CycleSeconds, "1", MetadataJson()];
        return (long)await _db.ScriptEvaluateAsync(_acquire.Sha1, keys, args).ConfigureAwait(false) == 1;
    }

    private async Task<bool> RawReleaseAsync()
    {
        string key = Lock(CycleTarget);
        RedisKey[] keys = [key, key + ":metadata", _registry];
        return (long)await _db.ScriptEvaluateAsync(_release.Sha1, keys, [Holder]).ConfigureAwait(false) == 1;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Locks.AcquireRelease")]
    public Task Raw_acquire_release() => Repeat(Raw_acquire_release_once);

    public async Task<bool> Raw_acquire_release_once() =>
        await RawAcquireAsync().ConfigureAwait(false) && await RawReleaseAsync().ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Locks.AcquireRelease")]
    public Task Lib_acquire_release() => Repeat(Lib_acquire_release_once);

    public async Task<bool> Lib_acquire_release_once() =>
        await _locks.AcquireAsync(RoomId, CycleTarget, Holder, TimeSpan.FromSeconds(CycleSeconds), _metadata).ConfigureAwait(false)
        && await _locks.ReleaseAsync(RoomId, CycleTarget, Holder).ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Locks.Refresh")]
    public Task Raw_refresh() => Repeat(Raw_refresh_once);

    public async Task<bool> Raw_refresh_once()
    {
        string key = Lock(HeldTarget);
        return (long)await _db.ScriptEvaluateAsync(_refresh.Sha1, [key, key + ":metadata"], [Holder, HeldSeconds]).ConfigureAwait(false) == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Locks.Refresh")]
    public Task Lib_refresh() => Repeat(Lib_refresh_once);

    public ValueTask<bool> Lib_refresh_once() => _locks.RefreshAsync(RoomId, HeldTarget, Holder, TimeSpan.FromSeconds(HeldSeconds));

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Locks.SetMetadata")]
    public Task Raw_set_metadata() => Repeat(Raw_set_metadata_once);

    public async Task<bool> Raw_set_metadata_once()
    {
        string key = Lock(HeldTarget);
        RedisKey[] keys = [key, key + ":metadata", _registry];
        return (long)await _db.ScriptEvaluateAsync(_setMetadata.Sha1, keys, [Holder, MetadataJson()]).ConfigureAwait(false) == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Locks.SetMetadata")]
    public Task Lib_set_metadata() => Repeat(Lib_set_metadata_once);

    public ValueTask<bool> Lib_set_metadata_once() => _locks.SetMetadataAsync(RoomId, HeldTarget, Holder, _metadata);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Locks.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public async Task<LockInfo?> Raw_get_once()
    {
        string key = Lock(HeldTarget);
        RedisResult result = await _db.ScriptEvaluateAsync(_get.Sha1, [key, key + ":metadata"]).ConfigureAwait(false);
        if (result.IsNull)
        {
            return null;
        }

        var parts = (RedisResult[])result!;
        long pttl = (long)parts[1];
        return new LockInfo(HeldTarget, (string)parts[0]!, pttl >= 0 ? TimeSpan.FromMilliseconds(pttl) : null, ParseMetadata((RedisValue)parts[2]));
    }

    private static LockMetadata? ParseMetadata(in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        JsonElement root;
        using (JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)value))
        {
            root = document.RootElement.Clone();
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("lock metadata is not a JSON object");
        }

        string? user = null;
        DateTime? timestamp = null;
        var extra = ImmutableArray.CreateBuilder<KeyValuePair<string, JsonElement>>();
        foreach (JsonProperty property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "userName":
                    user = property.Value.GetString();
                    break;
                case "timestamp":
                    timestamp = DateTime.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
                    break;
                default:
                    extra.Add(new(property.Name, property.Value));
                    break;
            }
        }

        return new LockMetadata(
            user ?? throw new InvalidOperationException("lock metadata without userName"),
            timestamp ?? throw new InvalidOperationException("lock metadata without timestamp"),
            extra.ToImmutable());
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Locks.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<LockInfo?> Lib_get_once() => _locks.GetAsync(RoomId, HeldTarget);

    private async Task<bool> RawAcquirePresenterAsync() =>
        (long)await _db.ScriptEvaluateAsync(_acquirePresenter.Sha1, [_presenter], [Sid, PresenterSeconds]).ConfigureAwait(false) == 1;

    private async Task<bool> RawReleasePresenterAsync() =>
        (long)await _db.ScriptEvaluateAsync(_releasePresenter.Sha1, [_presenter], [Sid]).ConfigureAwait(false) == 1;

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Locks.AcquireReleasePresenter")]
    public Task Raw_acquire_release_presenter() => Repeat(Raw_acquire_release_presenter_once);

    public async Task<bool> Raw_acquire_release_presenter_once() =>
        await RawAcquirePresenterAsync().ConfigureAwait(false) && await RawReleasePresenterAsync().ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Locks.AcquireReleasePresenter")]
    public Task Lib_acquire_release_presenter() => Repeat(Lib_acquire_release_presenter_once);

    public async Task<bool> Lib_acquire_release_presenter_once() =>
        await _locks.AcquirePresenterAsync(RoomId, Sid).ConfigureAwait(false)
        && await _locks.ReleasePresenterAsync(RoomId, Sid).ConfigureAwait(false);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Locks.GetPresenter")]
    public Task Raw_get_presenter() => Repeat(Raw_get_presenter_once);

    public async Task<string?> Raw_get_presenter_once() =>
        (string?)await _db.StringGetAsync(_presented).ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Locks.GetPresenter")]
    public Task Lib_get_presenter() => Repeat(Lib_get_presenter_once);

    public ValueTask<string?> Lib_get_presenter_once() => _locks.GetPresenterAsync(PresentedRoom);
}
