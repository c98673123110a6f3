using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Cluster;

/// <summary>
/// Mixed calls by many concurrent callers over rooms on every primary of an <see cref="OwnRedisCluster"/>, through a
/// store built with the public DI in the cluster-safe layout: room create/get/delete/list, frame appends, locks, extension
/// registration, worker acquire/release, job submit/start/complete, users. Every call is timed and its outcome recorded;
/// a ledger keeps what each acknowledged write promised, for the checks afterwards.
/// </summary>
internal sealed class ClusterWorkload
{
    /// <summary>StackExchange.Redis' async timeout of the store: every call must end within a small multiple of it.</summary>
    public const int AsyncTimeoutMs = 2000;

    /// <summary>A call still running this long is recorded as hung and no longer awaited.</summary>
    public static readonly TimeSpan HardCallCap = TimeSpan.FromSeconds(15);

    private const string Category = "modifiers";
    private const string ExtensionName = "Rotate";
    private const int FrameBatch = 3;
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"angle": {"type": "number"}}""").RootElement.Clone();
    private static readonly JsonElement Data = JsonDocument.Parse("""{"angle": 1.0}""").RootElement.Clone();

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<CallRecord> _records = new();
    private readonly ConcurrentDictionary<string, Acked> _tempRooms = new();
    private readonly ConcurrentDictionary<string, Acked> _users = new();
    private readonly ConcurrentDictionary<(string Room, int Batch), Acked> _frames = new();
    private readonly ConcurrentDictionary<(string Room, string Job), JobStatus?> _jobs = new();
    private int _sequence;

    private ClusterWorkload(ServiceProvider store, IReadOnlyList<string> rooms, IReadOnlyDictionary<string, int> primaryOfRoom)
    {
        Store = store;
        Rooms = rooms;
        PrimaryOfRoom = primaryOfRoom;
        RoomRepository = store.GetRequiredService<IRoomRepository>();
        Frames = store.GetRequiredService<IFrameRepository>();
        Locks = store.GetRequiredService<ILockRepository>();
        Extensions = store.GetRequiredService<IExtensionRepository>();
        Jobs = store.GetRequiredService<IJobRepository>();
        Users = store.GetRequiredService<IUserRepository>();
        Index = store.GetRequiredService<IIndexMaintenance>();
    }

    /// <summary>What an acknowledged write left: present, absent, or unknown (a call on it failed).</summary>
    public enum Acked
    {
        Present,
        Absent,
        Unknown,
    }

    public ServiceProvider Store { get; }

    /// <summary>The fixed rooms (each with an extension and two workers), spread over the primaries.</summary>
    public IReadOnlyList<string> Rooms { get; }

    /// <summary>The port of the primary that served each fixed room's slot at the start.</summary>
    public IReadOnlyDictionary<string, int> PrimaryOfRoom { get; }

    public IRoomRepository RoomRepository { get; }

    public IFrameRepository Frames { get; }

    public ILockRepository Locks { get; }

    public IExtensionRepository Extensions { get; }

    public IJobRepository Jobs { get; }

    public IUserRepository Users { get; }

    public IIndexMaintenance Index { get; }

    /// <summary>Retries of a call that failed as unavailable (0: none).</summary>
    public int Retries { get; init; }

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyCollection<CallRecord> Records => _records;

    /// <summary>Builds the store through <c>AddZnDrawStorage</c> on the cluster and creates <paramref name="rooms"/>.</summary>
    public static async Task<ClusterWorkload> StartAsync(OwnRedisCluster cluster, IReadOnlyList<string> rooms, int retries = 0)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddZnDrawStorage(o =>
        {
            o.ConnectionString = cluster.ConnectionString + string.Create(
                CultureInfo.InvariantCulture,
                // a generous first connect (a loaded CI machine), short command timeouts (the failover behaviour under test)
                $",connectTimeout=5000,asyncTimeout={AsyncTimeoutMs},syncTimeout={AsyncTimeoutMs},connectRetry=2");
            o.Layout = KeyLayout.ClusterSafe;
            o.KeyPrefix = string.Create(CultureInfo.InvariantCulture, $"c{Guid.NewGuid():N}:");
            o.IndexReconciliation.Enabled = false; // the test runs the reindex itself, when the callers have stopped
        });
        ServiceProvider store = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        var primaries = new Dictionary<string, int>();
        foreach (string room in rooms)
        {
            primaries[room] = (await cluster.PrimaryOfSlotAsync(ClusterSlot.Of(room))).Port;
        }

        var workload = new ClusterWorkload(store, rooms, primaries) { Retries = retries };
        foreach (string room in rooms)
        {
            Assert.True(await workload.RoomRepository.CreateAsync(room));
            for (int w = 0; w < 2; w++)
            {
                await workload.Extensions.RegisterExtensionAsync(Extension(room), Schema, $"seed{w}");
            }
        }

        return workload;
    }

    /// <summary>Room ids whose slots lie in [<paramref name="first"/>, <paramref name="last"/>].</summary>
    public static IEnumerable<string> RoomsInSlots(string stem, int first, int last)
    {
        for (int i = 0; ; i++)
        {
            string id = string.Create(CultureInfo.InvariantCulture, $"{stem}{i}");
            int slot = ClusterSlot.Of(id);
            if (slot >= first && slot <= last)
            {
                yield return id;
            }
        }
    }

    public static ExtensionId Extension(string room) => ExtensionId.InRoom(room, Category, ExtensionName);

    /// <summary>Runs <paramref name="callers"/> callers until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(int callers, CancellationToken stop) =>
        Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() => CallerAsync(c, stop), CancellationToken.None)));

    /// <summary>The group a record belongs to: the start-time primary of its room, or 0 for calls on global keys.</summary>
    public int GroupOf(CallRecord record) => record.Room is { } room && PrimaryOfRoom.TryGetValue(room, out int port) ? port : 0;

    /// <summary>
    /// For each group: the start (since the workload's clock) of the first call after <paramref name="after"/> from which
    /// every later call of the group succeeded; null when the group never settled.
    /// </summary>
    public IReadOnlyDictionary<int, TimeSpan?> ResumedAt(TimeSpan after)
    {
        var result = new Dictionary<int, TimeSpan?>();
        foreach (IGrouping<int, CallRecord> group in _records.GroupBy(GroupOf))
        {
            CallRecord[] ordered = [.. group.Where(r => r.Start + r.Duration >= after).OrderBy(r => r.Start)];
            TimeSpan? lastFailureEnd = ordered.Where(r => !r.Succeeded && !r.CancelledByOwnToken).Select(r => (TimeSpan?)(r.Start + r.Duration)).Max();
            CallRecord? firstGood = ordered.FirstOrDefault(r => r.Succeeded && (lastFailureEnd is null || r.Start >= lastFailureEnd));
            result[group.Key] = lastFailureEnd is null ? after : firstGood?.Start;
        }

        return result;
    }

    /// <summary>True when every group had calls in the last <paramref name="window"/> and all of them succeeded.</summary>
    public bool AllGroupsHealthyFor(TimeSpan window)
    {
        TimeSpan from = Now - window;
        var recent = _records.Where(r => r.Start >= from).ToList();
        return PrimaryOfRoom.Values.Distinct().Append(0).All(g => recent.Any(r => GroupOf(r) == g))
            && recent.All(r => r.Succeeded || r.CancelledByOwnToken);
    }

    /// <summary>A per-phase report: calls, successes, failures by exception type, slowest call.</summary>
    public string Report(string phase, TimeSpan from, TimeSpan to)
    {
        var calls = _records.Where(r => r.Start >= from && r.Start < to).ToList();
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{phase,-9} {(to - from).TotalSeconds,5:F1} s: {calls.Count,6} calls, {calls.Count(r => r.Succeeded),6} ok");
        foreach (IGrouping<string, CallRecord> kind in calls.Where(r => !r.Succeeded).GroupBy(r => r.Error!.GetType().Name + (r.CancelledByOwnToken ? "(own token)" : string.Empty)))
        {
            text.Append(CultureInfo.InvariantCulture, $", {kind.Count()} {kind.Key}");
        }

        text.Append(CultureInfo.InvariantCulture, $"; slowest {(calls.Count == 0 ? 0 : calls.Max(r => r.Duration.TotalMilliseconds)):F0} ms");
        return text.ToString();
    }

    /// <summary>The failures of [<paramref name="from"/>, <paramref name="to"/>) by exception type and reason (the message's last parenthesis), most frequent first.</summary>
    public IEnumerable<string> FailureReasons(TimeSpan from, TimeSpan to) =>
        _records.Where(r => r.Start >= from && r.Start < to && !r.Succeeded)
            .GroupBy(r => $"{r.Error!.GetType().Name}: {Reason(r.Error!.Message)}")
            .OrderByDescending(g => g.Count())
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count(),6} × {g.Key} (e.g. {g.First().Name}; client: {Shorten(g.First().Error!.InnerException?.Message)})"));

    private static string Shorten(string? message) =>
        message is null ? "-" : message.Length <= 140 ? message : message[..140] + "…";

    /// <summary>Every call that failed otherwise than as the contract allows (unavailable, or cancelled by its own token).</summary>
    public IEnumerable<CallRecord> Unexpected() =>
        _records.Where(r => !r.Succeeded && !(r.Error is StorageUnavailableException || (r.Error is OperationCanceledException && r.CancelledByOwnToken)));

    /// <summary>
    /// Checks the invariants with no caller running: after the library's reindex the room and user listings equal the
    /// rooms and users that exist; each worker is in exactly one of idle/progressing; each job is in exactly one job set
    /// and the one its status says; each frame batch is whole or absent. Returns a description of every acknowledged write
    /// that is gone (what asynchronous replication lost), and the index drift found before the reindex.
    /// </summary>
    public async Task<(IReadOnlyList<string> Lost, string Drift)> CheckInvariantsAsync()
    {
        var lost = new List<string>();

        // Rooms and users: listing vs existence, repaired by the reindex.
        var candidateRooms = Rooms.Concat(_tempRooms.Keys).ToList();
        var existingRooms = new HashSet<string>(StringComparer.Ordinal);
        foreach (string room in candidateRooms)
        {
            if (await RoomRepository.ExistsAsync(room))
            {
                existingRooms.Add(room);
            }
        }

        var existingUsers = new HashSet<string>(StringComparer.Ordinal);
        foreach (string user in _users.Keys)
        {
            if (await Users.ExistsAsync(user))
            {
                existingUsers.Add(user);
            }
        }

        var listedBefore = (await RoomRepository.ListAllAsync()).ToHashSet(StringComparer.Ordinal);
        var usersBefore = (await Users.ListAllAsync()).ToHashSet(StringComparer.Ordinal);
        string drift = string.Create(
            CultureInfo.InvariantCulture,
            $"before reindex: {listedBefore.Except(existingRooms).Count()} listed rooms absent, {existingRooms.Except(listedBefore).Count()} rooms unlisted, "
            + $"{usersBefore.Except(existingUsers).Count()} listed users absent, {existingUsers.Except(usersBefore).Count()} users unlisted");
        await Index.ReindexAsync();
        var listed = (await RoomRepository.ListAllAsync()).ToHashSet(StringComparer.Ordinal);
        Assert.True(listed.SetEquals(existingRooms), $"rooms listed but absent: [{string.Join(", ", listed.Except(existingRooms))}]; existing but unlisted: [{string.Join(", ", existingRooms.Except(listed))}]");
        var users = (await Users.ListAllAsync()).ToHashSet(StringComparer.Ordinal);
        Assert.True(users.SetEquals(existingUsers), $"users listed but absent: [{string.Join(", ", users.Except(existingUsers))}]; existing but unlisted: [{string.Join(", ", existingUsers.Except(users))}]");
        lost.AddRange(_tempRooms.Where(p => p.Value == Acked.Present && !existingRooms.Contains(p.Key)).Select(p => $"room {p.Key} (created)"));
        lost.AddRange(_tempRooms.Where(p => p.Value == Acked.Absent && existingRooms.Contains(p.Key)).Select(p => $"room {p.Key} (deleted, back)"));
        lost.AddRange(_users.Where(p => p.Value == Acked.Present && !existingUsers.Contains(p.Key)).Select(p => $"user {p.Key}"));

        foreach (string room in Rooms)
        {
            // Workers: each in exactly one of idle / progressing.
            IReadOnlyList<WorkerState> workers = await Extensions.GetWorkersAsync(Extension(room));
            var twice = workers.GroupBy(w => w.WorkerId).Where(g => g.Count() != 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"{room}: workers both idle and progressing: {string.Join(", ", twice)}");

            // Jobs: exactly one set, the one the status says.
            var active = (await Jobs.ListActiveAsync(room)).ToHashSet(StringComparer.Ordinal);
            var inactive = (await Jobs.ListInactiveAsync(room)).ToHashSet(StringComparer.Ordinal);
            Assert.Empty(active.Intersect(inactive));
            foreach (string id in active.Concat(inactive))
            {
                Job? job = await Jobs.GetByIdAsync(new JobId(room, id));
                Assert.True(job is not null, $"{room}: job {id} is in a job set without its hash");
                Assert.True(job.IsActive == active.Contains(id), $"{room}: job {id} is {job.Status} but in the {(active.Contains(id) ? "active" : "inactive")} set");
            }

            foreach (((string _, string jobId), JobStatus? acked) in _jobs.Where(p => p.Key.Room == room && p.Value is not null))
            {
                Job? job = active.Contains(jobId) || inactive.Contains(jobId) ? await Jobs.GetByIdAsync(new JobId(room, jobId)) : null;
                if (job is null || job.Status < acked!.Value)
                {
                    lost.Add($"job {room}/{jobId} ({acked}, now {job?.Status.ToString() ?? "absent"})");
                }
            }

            // Frames: every batch whole or absent.
            IReadOnlyList<TrajectoryEntry> entries = await Frames.GetRangeAsync(room);
            foreach (IGrouping<int, TrajectoryEntry> batch in entries.GroupBy(e => e.Frame.PhysicalIndex / FrameBatch))
            {
                Assert.True(batch.Count() == FrameBatch, $"{room}: frame batch {batch.Key} has {batch.Count()} of {FrameBatch} frames");
            }

            var present = entries.Select(e => e.Frame.PhysicalIndex / FrameBatch).ToHashSet();
            lost.AddRange(_frames.Where(p => p.Key.Room == room && p.Value == Acked.Present && !present.Contains(p.Key.Batch)).Select(p => $"frames {room}#{p.Key.Batch}"));
        }

        return (lost, drift);
    }

    /// <summary>The reason of a library exception's message (<c>… failed (reason).</c>), or the whole message.</summary>
    private static string Reason(string message)
    {
        int open = message.IndexOf(" failed (", StringComparison.Ordinal);
        return open >= 0 && message.EndsWith(").", StringComparison.Ordinal) ? message[(open + 9)..^2] : message;
    }

    private async Task CallerAsync(int caller, CancellationToken stop)
    {
        var random = new Random(caller);
        var myRooms = new List<string>();
        for (int i = 0; !stop.IsCancellationRequested; i++)
        {
            // A short pause per call keeps 16 callers from taking both cores of a CI machine whose other tests run
            // meanwhile (and from spinning on fast CLUSTERDOWN replies); still thousands of calls per second.
            await Task.Delay(2, CancellationToken.None);
            string room = Rooms[random.Next(Rooms.Count)];
            int n = Next();
            switch (i % 10)
            {
                case 0:
                    string created = $"t{caller}x{n}";
                    _tempRooms[created] = Acked.Unknown;
                    if (await CallAsync("room.create", created, ct => RoomRepository.CreateAsync(created, cancellationToken: ct)))
                    {
                        _tempRooms[created] = Acked.Present;
                        myRooms.Add(created);
                    }

                    break;
                case 1:
                    await CallAsync("room.get", room, ct => RoomRepository.GetByIdAsync(room, ct));
                    if (myRooms.Count > 2)
                    {
                        string doomed = myRooms[0];
                        myRooms.RemoveAt(0);
                        _tempRooms[doomed] = Acked.Unknown;
                        if (await CallAsync("room.delete", doomed, ct => RoomRepository.DeleteAsync(doomed, ct)))
                        {
                            _tempRooms[doomed] = Acked.Absent;
                        }
                    }

                    break;
                case 2:
                    await CallAsync("room.list", null, ct => RoomRepository.ListAllAsync(ct));
                    break;
                case 3:
                    FrameIndex[] batch = [.. Enumerable.Range(0, FrameBatch).Select(k => new FrameIndex(room, (n * FrameBatch) + k))];
                    _frames[(room, n)] = Acked.Unknown;
                    if (await CallAsync("frames.append", room, ct => Frames.AppendAsync(room, batch, ct), alreadyDone: ex => ex is InvalidOperationException and not StorageBackendException))
                    {
                        _frames[(room, n)] = Acked.Present;
                    }

                    break;
                case 4:
                    string holder = $"h{caller}";
                    bool acquired = false;
                    if (await CallAsync("lock.acquire", room, async ct => acquired = await Locks.AcquireAsync(room, LockInfo.TrajectoryMetaTarget, holder, TimeSpan.FromSeconds(10), cancellationToken: ct)) && acquired)
                    {
                        await CallAsync("lock.release", room, ct => Locks.ReleaseAsync(room, LockInfo.TrajectoryMetaTarget, holder, ct));
                    }

                    break;
                case 5:
                    await CallAsync("extension.register", room, ct => Extensions.RegisterExtensionAsync(Extension(room), Schema, $"w{caller}x{n}", ct));
                    break;
                case 6:
                    string? worker = null;
                    if (await CallAsync("worker.acquire", room, async ct => worker = await Extensions.AcquireWorkerAsync(Extension(room), ct)) && worker is not null)
                    {
                        await CallAsync("worker.release", room, ct => Extensions.ReleaseWorkerAsync(Extension(room), worker, ct));
                    }

                    break;
                case 7:
                    await JobAsync(room, caller, n);
                    break;
                case 8:
                    string user = $"u{caller}x{n}";
                    _users[user] = Acked.Unknown;
                    if (await CallAsync("user.create", null, ct => Users.CreateAsync(new User(user), ct)))
                    {
                        _users[user] = Acked.Present;
                        await CallAsync("user.get", null, ct => Users.GetByIdAsync(user, ct));
                    }

                    break;
                default:
                    await CallAsync("user.list", null, ct => Users.ListAllAsync(ct));
                    break;
            }
        }
    }

    private async Task JobAsync(string room, int caller, int n)
    {
        string id = Guid.NewGuid().ToString();
        var key = (room, id);
        _jobs[key] = null;
        var job = new Job(id, room, Category, ExtensionName, Data, $"u{caller}", JobStatus.Queued, JobProvider.Client, DateTime.UtcNow);
        if (!await CallAsync("job.submit", room, ct => Jobs.CreateAsync(job, new ExtensionTask(job.UserName, Data, room, id), cancellationToken: ct)))
        {
            return;
        }

        _jobs[key] = JobStatus.Queued;
        if (!await CallAsync("job.start", room, ct => Jobs.StartAsync(room, id, $"w{caller}x{n}", ct)))
        {
            return;
        }

        _jobs[key] = JobStatus.Running;
        if (await CallAsync("job.complete", room, ct => Jobs.CompleteAsync(room, id, Data, ct)))
        {
            _jobs[key] = JobStatus.Completed;
        }
    }

    private Task<bool> CallAsync<T>(string name, string? room, Func<CancellationToken, ValueTask<T>> call, Func<Exception, bool>? alreadyDone = null) =>
        RecordAsync(name, room, async ct => { await call(ct); }, alreadyDone);

    private Task<bool> CallAsync(string name, string? room, Func<CancellationToken, ValueTask> call, Func<Exception, bool>? alreadyDone = null) =>
        RecordAsync(name, room, async ct => await call(ct), alreadyDone);

    /// <summary>
    /// Runs one call (and its retries when unavailable), records each attempt, and returns whether it succeeded. Every
    /// seventh call carries a token that cancels after 300 ms.
    /// </summary>
    private async Task<bool> RecordAsync(string name, string? room, Func<CancellationToken, Task> call, Func<Exception, bool>? alreadyDone)
    {
        for (int attempt = 0; ; attempt++)
        {
            int n = Next();
            using var cts = n % 7 == 0 ? new CancellationTokenSource(TimeSpan.FromMilliseconds(300)) : null;
            TimeSpan start = Now;
            Task running = call(cts?.Token ?? CancellationToken.None);
            if (await Task.WhenAny(running, Task.Delay(HardCallCap)) != running)
            {
                _records.Enqueue(new CallRecord(name, room, start, Now - start, attempt, new TimeoutException("hung"), Hung: true, CancelledByOwnToken: false));
                _ = running.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                return false;
            }

            try
            {
                await running;
                _records.Enqueue(new CallRecord(name, room, start, Now - start, attempt, null, Hung: false, CancelledByOwnToken: false));
                return true;
            }
#pragma warning disable CA1031 // every failure is recorded; the test asserts on the types
            catch (Exception ex)
#pragma warning restore CA1031
            {
                bool own = ex is OperationCanceledException && cts?.IsCancellationRequested == true;
                if (attempt > 0 && alreadyDone?.Invoke(ex) == true)
                {
                    // a retry found the first attempt's effect: that attempt had succeeded after all
                    _records.Enqueue(new CallRecord(name, room, start, Now - start, attempt, null, Hung: false, CancelledByOwnToken: false));
                    return true;
                }

                _records.Enqueue(new CallRecord(name, room, start, Now - start, attempt, ex, Hung: false, CancelledByOwnToken: own));
                if ((ex is StorageUnavailableException || own) && attempt < Retries)
                {
                    await Task.Delay(100);
                    continue;
                }

                return false;
            }
        }
    }

    private int Next() => Interlocked.Increment(ref _sequence);
}

/// <summary>One attempt of one call: what, on which room, when (since the workload started), how long, and how it ended.</summary>
internal sealed record CallRecord(string Name, string? Room, TimeSpan Start, TimeSpan Duration, int Attempt, Exception? Error, bool Hung, bool CancelledByOwnToken)
{
    public bool Succeeded => Error is null;
}
