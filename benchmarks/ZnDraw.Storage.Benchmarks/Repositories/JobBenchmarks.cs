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

/// <summary>Jobs: HGETALL of the 16-field job hash parsed into a <see cref="Job"/>, and the create script (hash, TTL, sets, registry).</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[ClusterTwins]
public class JobBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-jobs";
    private const string ReadJobId = "job-read";
    private const string WriteJobId = "job-write";
    private static readonly DateTime Created = new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc).AddTicks(1_234_560);
    private IDatabase _db = null!;
    private JobRepository _jobs = null!;
    private RawScript _create = null!;
    private Job _writeJob = null!;
    private string _readHash = null!; // was a constant: built once for the layout of the run

    protected override async Task SetupAsync()
    {
        _db = Db();
        _readHash = JobHash(RoomId, ReadJobId);
        _jobs = new JobRepository(BenchmarkRedis.Context());
        _create = new RawScript(JobScripts.Create.Text);
        using var data = JsonDocument.Parse("""{"angle": 90, "axis": "z", "atoms": [1, 2, 3]}""");
        var read = new Job(ReadJobId, RoomId, "modifiers", "Rotate", data.RootElement.Clone(), "alice", JobStatus.Running, JobProvider.Client,
            Created, StartedAt: Created.AddSeconds(1), WorkerId: "worker-1", WaitTimeMs: 1000);
        await _jobs.SaveAsync(read);
        _writeJob = new Job(WriteJobId, RoomId, "modifiers", "Rotate", null, "alice", JobStatus.Queued, JobProvider.Client, Created);
    }

    protected override async Task VerifyAsync()
    {
        Same(await _jobs.GetByIdAsync(new JobId(RoomId, ReadJobId)), await Raw_get_once(), "job");
        Same(true, await Lib_exists_once(), "library exists");
        Same(await Lib_exists_once(), await Raw_exists_once(), "exists");
        await Lib_create_once();
        HashEntry[] lib = await _db.HashGetAllAsync(JobHash(RoomId, WriteJobId));
        await Raw_create_once();
        HashEntry[] raw = await _db.HashGetAllAsync(JobHash(RoomId, WriteJobId));
        SameSequence(lib, raw, "job hash written by create");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public async Task<Job?> Raw_get_once() =>
        RawJob(await _db.HashGetAllAsync(_readHash).ConfigureAwait(false));

    /// <summary>A hand-written decoding of a job hash (also the CPU-only twin's): what a raw caller writes.</summary>
    internal static Job? RawJob(HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string? id = null, room = null, category = null, extension = null, user = null, worker = null, error = null;
        JsonElement? data = null, result = null;
        JobStatus status = default;
        JobProvider provider = default;
        DateTime created = default;
        DateTime? started = null, completed = null;
        long? wait = null, exec = null;
        foreach (HashEntry entry in entries)
        {
            RedisValue v = entry.Value;
            switch ((string?)entry.Name)
            {
                case "id": id = v; break;
                case "room": room = v; break;
                case "category": category = v; break;
                case "extension": extension = v; break;
                case "data": data = v.IsNullOrEmpty ? null : Json(v); break;
                case "user_name": user = v; break;
                case "status": status = Status(v); break;
                case "provider": provider = v == "celery" ? JobProvider.Celery : v == "client" ? JobProvider.Client : throw new InvalidOperationException("provider"); break;
                case "created_at": created = Iso(v); break;
                case "started_at": started = v.IsNullOrEmpty ? null : Iso(v); break;
                case "completed_at": completed = v.IsNullOrEmpty ? null : Iso(v); break;
                case "worker_id": worker = v.IsNullOrEmpty ? null : (string?)v; break;
                case "error": error = v.IsNullOrEmpty ? null : (string?)v; break;
                case "result": result = v.IsNullOrEmpty ? null : Json(v); break;
                case "wait_time_ms": wait = v.IsNullOrEmpty ? null : (long)v; break;
                case "execution_time_ms": exec = v.IsNullOrEmpty ? null : (long)v; break;
                default: break;
            }
        }

        return new Job(id!, room!, category!, extension!, data, user!, status, provider, created, started, completed, worker, error, result, wait, exec);

        static JsonElement Json(in RedisValue v)
        {
            using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)v);
            return document.RootElement.Clone();
        }

        static DateTime Iso(in RedisValue v) =>
            DateTime.Parse((string)v!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

        static JobStatus Status(in RedisValue v) =>
            v == "queued" ? JobStatus.Queued : v == "running" ? JobStatus.Running : v == "completed" ? JobStatus.Completed
            : v == "failed" ? JobStatus.Failed : throw new InvalidOperationException("status");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.Exists")]
    public Task Raw_exists() => Repeat(Raw_exists_once);

    public Task<bool> Raw_exists_once() => _db.KeyExistsAsync(_readHash);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.Exists")]
    public Task Lib_exists() => Repeat(Lib_exists_once);

    public ValueTask<bool> Lib_exists_once() => _jobs.ExistsAsync(new JobId(RoomId, ReadJobId));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<Job?> Lib_get_once() => _jobs.GetByIdAsync(new JobId(RoomId, ReadJobId));

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Job.Create")]
    public Task Raw_create() => Repeat(Raw_create_once);

    public async Task Raw_create_once()
    {
        Job job = _writeJob;
        string hash = JobHash(job.Room, job.Id);
        string roomBase = RoomBase(job.Room);
        string extensionJobs = roomBase + "extension:" + job.Category + ":" + job.Extension + ":jobs";
        string created = job.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        RedisKey[] keys = [hash, roomBase + "jobs:active", roomBase + "jobs:inactive", roomBase + "jobs:by_time", extensionJobs, roomBase + "keys"];
        RedisValue[] args =
        [
            job.Id, 86400, ((job.CreatedAt.Ticks - DateTime.UnixEpoch.Ticks) / 10) / 1_000_000.0, job.IsActive ? "1" : "0",
            hash, extensionJobs, RedisValue.EmptyString, RedisValue.EmptyString,
            "id", job.Id, "room", job.Room, "category", job.Category, "extension", job.Extension, "data", RedisValue.EmptyString,
            "user_name", job.UserName, "status", "queued", "provider", "client", "created_at", created,
            "started_at", RedisValue.EmptyString, "completed_at", RedisValue.EmptyString, "worker_id", RedisValue.EmptyString,
            "error", RedisValue.EmptyString, "result", RedisValue.EmptyString, "wait_time_ms", RedisValue.EmptyString,
            "execution_time_ms", RedisValue.EmptyString,
        ];
        await _db.ScriptEvaluateAsync(_create.Sha1, keys, args).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Job.Create")]
    public Task Lib_create() => Repeat(Lib_create_once);

    public ValueTask Lib_create_once() => _jobs.SaveAsync(_writeJob);
}
