using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Room reads and idempotent writes: each library call against a raw StackExchange.Redis twin that sends the same
/// commands for the same keys and decodes the reply into the same model.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[QuickRun]
[ClusterTwins]
public class RoomBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-room";
    private const int IndexedRooms = 100;
    private IDatabase _db = null!;
    private RoomRepository _rooms = null!;
    private RedisKey[] _coreKeys = null!; // the key names (were constants), built once for the layout of the run
    private RedisKey _currentFrame;

    protected override async Task SetupAsync()
    {
        _db = Db();
        string head = RoomBase(RoomId);
        _coreKeys = [head + "description", head + "locked", head + "hidden", head + "current_frame"];
        _currentFrame = head + "current_frame";
        _rooms = new RoomRepository(BenchmarkRedis.Context());
        await _rooms.CreateAsync(RoomId, "a room for benchmarks");
        await _rooms.SetCurrentFrameAsync(RoomId, 12);
        for (int i = 0; i < IndexedRooms; i++)
        {
            await _rooms.CreateAsync("bench-listed-" + i.ToString(CultureInfo.InvariantCulture));
        }
    }

    protected override async Task VerifyAsync()
    {
        Same(await _rooms.GetByIdAsync(RoomId), await Raw_get_by_id_once(), "get by id");
        Same(await _rooms.ExistsAsync(RoomId), await Raw_exists_once(), "exists");
        SameSequence(await _rooms.ListAllAsync(), await Raw_list_all_once(), "list all");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetById")]
    public Task Raw_get_by_id() => Repeat(Raw_get_by_id_once);

    public async Task<Room?> Raw_get_by_id_once()
    {
        RedisKey[] keys = [_coreKeys[0], _coreKeys[1], _coreKeys[2], _coreKeys[3]]; // a new array per call, as before
        // The library's commands: MGET, and EXISTS of the same keys (a key of another type reads as nil in MGET).
        IBatch batch = _db.CreateBatch();
        Task<RedisValue[]> core = batch.StringGetAsync(keys);
        Task<long> existing = batch.KeyExistsAsync(keys);
        batch.Execute();
        RedisValue[] v = await core.ConfigureAwait(false);
        _ = await existing.ConfigureAwait(false);
        if (v[3].IsNull)
        {
            return null;
        }

        int frame = v[3].TryParse(out long f) && f >= 0 && f <= int.MaxValue ? (int)f : 0;
        return new Room(RoomId, (string?)v[0], v[1] == "1", v[2] == "1", frame);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.GetById")]
    public Task Lib_get_by_id() => Repeat(Lib_get_by_id_once);

    public ValueTask<Room?> Lib_get_by_id_once() => _rooms.GetByIdAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.Exists")]
    public Task Raw_exists() => Repeat(Raw_exists_once);

    public Task<bool> Raw_exists_once() => _db.KeyExistsAsync(_currentFrame);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.Exists")]
    public Task Lib_exists() => Repeat(Lib_exists_once);

    public ValueTask<bool> Lib_exists_once() => _rooms.ExistsAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetCurrentFrame")]
    public Task Raw_set_current_frame() => Repeat(Raw_set_current_frame_once);

    public Task<bool> Raw_set_current_frame_once() =>
        _db.StringSetAsync(_currentFrame, 12.ToString(CultureInfo.InvariantCulture), when: When.Exists);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.SetCurrentFrame")]
    public Task Lib_set_current_frame() => Repeat(Lib_set_current_frame_once);

    public ValueTask<bool> Lib_set_current_frame_once() => _rooms.SetCurrentFrameAsync(RoomId, 12);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.ListAll")]
    public Task Raw_list_all() => Repeat(Raw_list_all_once);

    public async Task<IReadOnlyList<string>> Raw_list_all_once()
    {
        RedisValue[] members = await _db.SetMembersAsync("rooms:index").ConfigureAwait(false);
        var ids = new string[members.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = members[i].ToString();
        }

        Array.Sort(ids, StringComparer.Ordinal);
        return ids;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.ListAll")]
    public Task Lib_list_all() => Repeat(Lib_list_all_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_all_once() => _rooms.ListAllAsync();
}

/// <summary>
/// Room creation (one Lua script with the default geometries): a new room per call in a scratch database that is
/// flushed after each iteration, so every call takes the full "create" path.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[InvocationCount(64)]
[ClusterTwins]
public class RoomCreateBenchmarks : RedisBenchmark
{
    private IDatabase _db = null!;
    private RoomRepository _rooms = null!;
    private RawScript _create = null!;
    private RedisValue[] _geometryArgs = null!;
    private long _next;

    protected override Task SetupAsync()
    {
        _db = Db(BenchmarkRedis.ScratchDb);
        _rooms = new RoomRepository(BenchmarkRedis.Context(BenchmarkRedis.ScratchDb));
        _create = new RawScript(RoomScripts.Create.Text);
        _geometryArgs = [.. DefaultGeometries.All.SelectMany(g => new RedisValue[] { g.Name, g.Json })];
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        return Task.CompletedTask;
    }

    protected override async Task VerifyAsync()
    {
        Same(await Lib_create_once(), true, "library create");
        Same(await Raw_create_once(), true, "raw create");
        int head = RoomBase("c0").Length;
        var libKeys = RedisState.Keys(BenchmarkRedis.ScratchDb, RoomBase("c0") + "*").Select(k => k.ToString()![head..]).Order().ToList();
        var rawKeys = RedisState.Keys(BenchmarkRedis.ScratchDb, RoomBase("c1") + "*").Select(k => k.ToString()![head..]).Order().ToList();
        SameSequence(libKeys, rawKeys, "keys written by create");
        Same(await _db.HashLengthAsync(RoomKey("c0", "geometries")), await _db.HashLengthAsync(RoomKey("c1", "geometries")), "geometries written");
        SameSequence(["c0", "c1"], (await _db.SetMembersAsync("rooms:index")).Select(v => v.ToString()).Order(StringComparer.Ordinal), "rooms index");
    }

    [IterationCleanup]
    public void Cleanup() => RedisState.Flush(BenchmarkRedis.ScratchDb);

    private string NextId() => "c" + (_next++).ToString(CultureInfo.InvariantCulture);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Room.Create")]
    public Task Raw_create() => Repeat(Raw_create_once);

    public async Task<bool> Raw_create_once()
    {
        string id = NextId();
        string head = RoomBase(id);
        RedisKey[] keys = BenchmarkCluster.Active
            ? [head + "current_frame", head + "locked", head + "hidden", head + "description", head + "geometries"]
            : [head + "current_frame", head + "locked", head + "hidden", head + "description", head + "geometries", "rooms:index"];
        var args = new RedisValue[3 + _geometryArgs.Length];
        args[0] = id;
        args[1] = "0";
        args[2] = string.Empty;
        _geometryArgs.CopyTo(args, 3);
        RedisResult result = await _db.ScriptEvaluateAsync(_create.Sha1, keys, args).ConfigureAwait(false);
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: the index is in another slot, a second step after the script.
            await _db.SetAddAsync("rooms:index", id).ConfigureAwait(false);
        }

        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Room.Create")]
    public Task Lib_create() => Repeat(Lib_create_once);

    public ValueTask<bool> Lib_create_once() => _rooms.CreateAsync(NextId());
}
