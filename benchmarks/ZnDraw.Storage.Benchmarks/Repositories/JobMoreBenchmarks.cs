using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Job listings (SMEMBERS of a room's active and inactive sets, 50 ids each) and deletion (the delete script, which
/// reads the job's extension itself), measured as create + delete of the same job so the room stays as it was.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class JobMoreBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-jobs-more";
    private const string DeletedJobId = "jm-delete";
    private IDatabase _db = null!;
    private JobRepository _jobs = null!;
    private RawScript _create = null!;
    private RawScript _delete = null!;
    private Job _deletedJob = null!;
    private string _roomBase = null!; // were constants: built once for the layout of the run
    private string _active = null!;
    private string _inactive = null!;
    private string _deletedHash = null!;
    private string _jobPattern = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _roomBase = RoomBase(RoomId);
        _active = _roomBase + "jobs:active";
        _inactive = _roomBase + "jobs:inactive";
        _deletedHash = JobHash(RoomId, DeletedJobId);
        _jobPattern = JobHash(RoomId, "jm-*");
        _jobs = new JobRepository(BenchmarkRedis.Context());
        _create = new RawScript(JobScripts.Create.Text);
        _delete = new RawScript(JobScripts.Delete.Text);
        await RedisState.DeleteAsync(_db, _roomBase + "*", _jobPattern);
        for (int i = 0; i < 50; i++)
        {
            string n = i.ToString("00", CultureInfo.InvariantCulture);
            await _jobs.SaveAsync(JobTemplates.Queued with { Id = "jm-active-" + n, Room = RoomId });
            await _jobs.SaveAsync(JobTemplates.Queued with { Id = "jm-done-" + n, Room = RoomId, Status = JobStatus.Completed });
        }

        _deletedJob = JobTemplates.Queued with { Id = DeletedJobId, Room = RoomId };
    }

    protected override async Task VerifyAsync()
    {
        SameSequence(await Lib_list_active_once(), await Raw_list_active_once(), "active jobs");
        SameSequence(await Lib_list_inactive_once(), await Raw_list_inactive_once(), "inactive jobs");
        Same(50, (await Lib_list_active_once()).Count, "active job count");

        var before = await RedisState.DumpAsync(_db, withTtl: true, _roomBase + "*", _jobPattern);
        Same(true, await Lib_create_delete_once(), "library create + delete");
        var afterLib = await RedisState.DumpAsync(_db, withTtl: true, _roomBase + "*", _jobPattern);
        Same(true, await Raw_create_delete_once(), "raw create + delete");
        var afterRaw = await RedisState.DumpAsync(_db, withTtl: true, _roomBase + "*", _jobPattern);
        RedisState.Same(before, afterLib, "state after the library's create + delete");
        RedisState.Same(afterLib, afterRaw, "state after create + delete");
    }

    private static IReadOnlyList<string> ToStrings(RedisValue[] members)
    {
        var ids = new string[members.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            ids[i] = members[i]!;
        }

        return ids;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.ListActive")]
    public Task Raw_list_active() => Repeat(Raw_list_active_once);

    public async Task<IReadOnlyList<string>> Raw_list_active_once() =>
        ToStrings(await _db.SetMembersAsync(_active).ConfigureAwait(false));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.ListActive")]
    public Task Lib_list_active() => Repeat(Lib_list_active_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_active_once() => _jobs.ListActiveAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.ListInactive")]
    public Task Raw_list_inactive() => Repeat(Raw_list_inactive_once);

    public async Task<IReadOnlyList<string>> Raw_list_inactive_once() =>
        ToStrings(await _db.SetMembersAsync(_inactive).ConfigureAwait(false));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.ListInactive")]
    public Task Lib_list_inactive() => Repeat(Lib_list_inactive_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_inactive_once() => _jobs.ListInactiveAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenDelete")]
    public Task Raw_create_delete() => Repeat(Raw_create_delete_once);

    public async Task<bool> Raw_create_delete_once()
    {
        await JobTemplates.RawCreateAsync(_db, _create, RoomId, DeletedJobId).ConfigureAwait(false);
        string hash = _deletedHash;
        string roomBase = _roomBase;
        RedisKey[] keys = [hash, roomBase + "jobs:active", roomBase + "jobs:inactive", roomBase + "jobs:by_time", roomBase + "keys"];
        RedisResult deleted = await _db.ScriptEvaluateAsync(_delete.Sha1, keys, [DeletedJobId, hash, roomBase + "extension:"]).ConfigureAwait(false);
        return (long)deleted == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenDelete")]
    public Task Lib_create_delete() => Repeat(Lib_create_delete_once);

    public async Task<bool> Lib_create_delete_once()
    {
        await _jobs.SaveAsync(_deletedJob).ConfigureAwait(false);
        return await _jobs.DeleteAsync(new JobId(RoomId, DeletedJobId)).ConfigureAwait(false);
    }
}

/// <summary>
/// Job state changes (start, complete, fail; one script each), each after the creation of a fresh queued job so the
/// change is always valid: a new job per call in a scratch database that is flushed after each iteration.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[InvocationCount(64)]
[ClusterTwins]
public class JobTransitionBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-job-transitions";
    private const string Worker = "bench-job-worker";
    private const string Error = "RuntimeError: the structure did not converge";
    private IDatabase _db = null!;
    private JobRepository _jobs = null!;
    private RawScript _create = null!;
    private RawScript _start = null!;
    private RawScript _finish = null!;
    private JsonDocument _resultDocument = null!;
    private JsonElement _result;
    private long _next;
    private string _roomBase = null!; // was a constant: built once for the layout of the run

    protected override Task SetupAsync()
    {
        _db = Db(BenchmarkRedis.ScratchDb);
        _jobs = new JobRepository(BenchmarkRedis.Context(BenchmarkRedis.ScratchDb));
        _create = new RawScript(JobScripts.Create.Text);
        _start = new RawScript(JobScripts.Start.Text);
        _finish = new RawScript(JobScripts.Finish.Text);

        // The result as a worker sends it (json.dumps text): the library stores it re-formatted, the raw twin as is.
        _resultDocument = JsonDocument.Parse("""{"energy": -12.5, "converged": true, "steps": [1, 2, 3]}""");
        _result = _resultDocument.RootElement;
        _roomBase = RoomBase(RoomId);
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        return Task.CompletedTask;
    }

    protected override async Task VerifyAsync()
    {
        await VerifyPairAsync(Lib_start_once, Raw_start_once, "create + start");
        await VerifyPairAsync(Lib_complete_once, Raw_complete_once, "create + complete");
        await VerifyPairAsync(Lib_fail_once, Raw_fail_once, "create + fail");
    }

    /// <summary>Runs each side on the same job id in an empty database and compares results and the keys they leave.</summary>
    private async Task VerifyPairAsync(Func<Task<JobTransitionResult>> library, Func<Task<JobTransitionResult>> raw, string what)
    {
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        _next = 0;
        JobTransitionResult lib = await library();
        var libState = await RedisState.DumpAsync(_db, withTtl: true, "*");
        RedisState.Flush(BenchmarkRedis.ScratchDb);
        _next = 0;
        Same(lib, await raw(), what);
        Same(JobTransitionResult.Applied, lib, what + " (library)");
        var rawState = await RedisState.DumpAsync(_db, withTtl: true, "*");
        RedisState.Same(libState, rawState, "state after " + what);
        RedisState.Flush(BenchmarkRedis.ScratchDb);
    }

    [IterationCleanup]
    public void Cleanup() => RedisState.Flush(BenchmarkRedis.ScratchDb);

    private string NextId() => "t" + (_next++).ToString(CultureInfo.InvariantCulture);

    private static JobTransitionResult Transition(RedisResult result) => (int)result switch
    {
        1 => JobTransitionResult.Applied,
        0 => JobTransitionResult.NotFound,
        _ => JobTransitionResult.WrongStatus,
    };

    private async Task<JobTransitionResult> RawFinishAsync(string id, string status, string field, RedisValue value)
    {
        DateTime now = DateTime.UtcNow;
        string roomBase = _roomBase;
        RedisKey[] keys = [JobHash(RoomId, id), roomBase + "jobs:active", roomBase + "jobs:inactive"];
        RedisValue[] args = [status, JobTemplates.Iso(now), JobTemplates.EpochMilliseconds(now), field, value, id];
        return Transition(await _db.ScriptEvaluateAsync(_finish.Sha1, keys, args).ConfigureAwait(false));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenStart")]
    public Task Raw_start() => Repeat(Raw_start_once);

    public async Task<JobTransitionResult> Raw_start_once()
    {
        string id = NextId();
        await JobTemplates.RawCreateAsync(_db, _create, RoomId, id).ConfigureAwait(false);
        DateTime now = DateTime.UtcNow;
        RedisValue[] args = [Worker, JobTemplates.Iso(now), JobTemplates.EpochMilliseconds(now)];
        return Transition(await _db.ScriptEvaluateAsync(_start.Sha1, [JobHash(RoomId, id)], args).ConfigureAwait(false));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenStart")]
    public Task Lib_start() => Repeat(Lib_start_once);

    public async Task<JobTransitionResult> Lib_start_once()
    {
        string id = NextId();
        await _jobs.SaveAsync(JobTemplates.Queued with { Id = id, Room = RoomId }).ConfigureAwait(false);
        return await _jobs.StartAsync(RoomId, id, Worker).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenComplete")]
    public Task Raw_complete() => Repeat(Raw_complete_once);

    public async Task<JobTransitionResult> Raw_complete_once()
    {
        string id = NextId();
        await JobTemplates.RawCreateAsync(_db, _create, RoomId, id).ConfigureAwait(false);
        return await RawFinishAsync(id, "completed", "result", _result.GetRawText()).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenComplete")]
    public Task Lib_complete() => Repeat(Lib_complete_once);

    public async Task<JobTransitionResult> Lib_complete_once()
    {
        string id = NextId();
        await _jobs.SaveAsync(JobTemplates.Queued with { Id = id, Room = RoomId }).ConfigureAwait(false);
        return await _jobs.CompleteAsync(RoomId, id, _result).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenFail")]
    public Task Raw_fail() => Repeat(Raw_fail_once);

    public async Task<JobTransitionResult> Raw_fail_once()
    {
        string id = NextId();
        await JobTemplates.RawCreateAsync(_db, _create, RoomId, id).ConfigureAwait(false);
        return await RawFinishAsync(id, "failed", "error", Error).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.CreateThenFail")]
    public Task Lib_fail() => Repeat(Lib_fail_once);

    public async Task<JobTransitionResult> Lib_fail_once()
    {
        string id = NextId();
        await _jobs.SaveAsync(JobTemplates.Queued with { Id = id, Room = RoomId }).ConfigureAwait(false);
        return await _jobs.FailAsync(RoomId, id, Error).ConfigureAwait(false);
    }
}

/// <summary>The queued job both twins create (the library from a <see cref="Job"/>, the raw twin by hand), and ZnDraw's time formats.</summary>
file static class JobTemplates
{
    public static readonly DateTime Created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);

    public static readonly Job Queued = new("template", "template-room", "modifiers", "Rotate", null, "alice", JobStatus.Queued, JobProvider.Client, Created);

    private static readonly string CreatedText = Created.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static readonly double CreatedScore = ((Created.Ticks - DateTime.UnixEpoch.Ticks) / 10) / 1_000_000.0;

    /// <summary>The create script with the sixteen fields of <see cref="Queued"/> (id and room replaced), as JobBenchmarks' raw twin sends it.</summary>
    public static Task<RedisResult> RawCreateAsync(IDatabase db, RawScript create, string room, string id)
    {
        bool cluster = BenchmarkCluster.Active;
        string hash = cluster ? "job:{" + room + "}:" + id : "job:" + id;
        string roomBase = cluster ? "room:{" + room + "}:" : "room:" + room + ":";
        string extensionJobs = roomBase + "extension:modifiers:Rotate:jobs";
        RedisKey[] keys = [hash, roomBase + "jobs:active", roomBase + "jobs:inactive", roomBase + "jobs:by_time", extensionJobs, roomBase + "keys"];
        RedisValue[] args =
        [
            id, 86400, CreatedScore, "1", hash, extensionJobs, RedisValue.EmptyString, RedisValue.EmptyString,
            "id", id, "room", room, "category", "modifiers", "extension", "Rotate", "data", RedisValue.EmptyString,
            "user_name", "alice", "status", "queued", "provider", "client", "created_at", CreatedText,
            "started_at", RedisValue.EmptyString, "completed_at", RedisValue.EmptyString, "worker_id", RedisValue.EmptyString,
            "error", RedisValue.EmptyString, "result", RedisValue.EmptyString, "wait_time_ms", RedisValue.EmptyString,
            "execution_time_ms", RedisValue.EmptyString,
        ];
        return db.ScriptEvaluateAsync(create.Sha1, keys, args);
    }

    /// <summary>Python's naive <c>isoformat()</c>: six fraction digits, none when the microseconds are zero.</summary>
    public static string Iso(DateTime utc) =>
        utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    public static string EpochMilliseconds(DateTime utc) =>
        ((utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture);
}
