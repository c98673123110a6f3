using System.Diagnostics;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Check;

/// <summary>The Redis implementation of the check (<c>StorageCheck</c>): one scan, then batched checks and reads.</summary>
internal sealed class RedisStorageCheck(
    RedisStoreContext context,
    IJobRepository jobs,
    IIndexMaintenance maintenance,
    IStorageCrossCheck? cross) : IStorageCheckBackend
{
    /// <summary>A job younger than this is never an orphan: its writer (ZnDraw pipelines the hash and the set) may not be done.</summary>
    internal static readonly TimeSpan JobGrace = TimeSpan.FromMinutes(1);

    private const int BatchSize = 1000;

    private KeySpace Space => context.Keys;

    public async Task<StorageCheckReport> RunAsync(StorageCheckOptions options, IProgress<StorageCheckProgress>? progress, StorageCheckReader reader, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var found = new CheckScan(Space);
        var problems = new List<StorageProblem>();
        long estimate = 0, read = 0, total = 0;
        void Report() => progress?.Report(new StorageCheckProgress(found.KeysScanned, estimate, Interlocked.Read(ref read), total, Stopwatch.GetElapsedTime(started)));

        try
        {
            IServer[] primaries = [.. context.Multiplexer.GetServers().Where(static s => !s.IsReplica && s.IsConnected)];
            int database = context.Database.Database;
            foreach (IServer server in primaries)
            {
                estimate += await RedisStoreContext.WaitAsync(server.DatabaseSizeAsync(database), cancellationToken).ConfigureAwait(false);
            }

            Report();
            RedisValue pattern = IndexMaintenance.EscapeGlob(Space.Prefix) + "*";
            long scanStart = Stopwatch.GetTimestamp();
            long work = 0;

            // The rate limit bounds all the check's load on the server in keys per second: each key scanned counts one,
            // and reading an aggregate counts the keys it has (a room: its keys found by the scan; a user or job: one).
            // Ahead of the allowed rate the check waits (wall-clock time, as the load on the server is).
            async ValueTask PaceAsync(long done)
            {
                if (options.MaxKeysPerSecond is int rate)
                {
                    TimeSpan due = TimeSpan.FromSeconds((double)done / rate) - Stopwatch.GetElapsedTime(scanStart);
                    if (due > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(due, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            foreach (IServer server in primaries)
            {
                long page = 0;
                await foreach (RedisKey key in server.KeysAsync(database, pattern, options.PageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    found.Classify(key.ToString());
                    if (++page % options.PageSize == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        Report();
                        await PaceAsync(Interlocked.Add(ref work, options.PageSize)).ConfigureAwait(false);
                    }
                }
            }

            Report();

            if (cross is null || !cross.OwnsRooms)
            {
                await CheckRoomIndexAsync(found, problems, cancellationToken).ConfigureAwait(false);
            }

            if (cross is null || !cross.OwnsUsers)
            {
                await CheckUserIndexesAsync(found, problems, cancellationToken).ConfigureAwait(false);
            }

            await CheckWorkerSetsAsync(found, problems, cancellationToken).ConfigureAwait(false);
            List<(string Key, string? Room, string Id)> jobList = await ResolveJobRoomsAsync(found, problems, cancellationToken).ConfigureAwait(false);

            // Every aggregate through the library: rooms and users as the migration reads them, jobs by id.
            (IReadOnlyList<string> listedRooms, IReadOnlyList<string> listedUsers) = await reader.ListAsync(cancellationToken).ConfigureAwait(false);
            var rooms = new SortedSet<string>(listedRooms, StringComparer.Ordinal);
            var users = new SortedSet<string>(listedUsers, StringComparer.Ordinal);
            if (cross is null || !cross.OwnsRooms)
            {
                rooms.UnionWith(found.Rooms.Keys);
            }

            if (cross is null || !cross.OwnsUsers)
            {
                users.UnionWith(found.UserNames);
            }

            string[] roomIds = [.. rooms];
            string[] userNames = [.. users];
            total = roomIds.Length + userNames.Length + jobList.Count + 1;
            Report();
            var unreadable = new List<StorageProblem>();
            async Task ReadAsync(int count, Func<int, CancellationToken, Task<StorageProblem?>> one, Func<int, int>? cost = null)
            {
                await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = cancellationToken }, async (i, ct) =>
                {
                    await PaceAsync(Interlocked.Add(ref work, cost?.Invoke(i) ?? 1)).ConfigureAwait(false);
                    StorageProblem? problem = await one(i, ct).ConfigureAwait(false);
                    if (problem is not null)
                    {
                        lock (unreadable)
                        {
                            unreadable.Add(problem);
                        }
                    }

                    if (Interlocked.Increment(ref read) % 100 == 0)
                    {
                        Report();
                    }
                }).ConfigureAwait(false);
            }

            await ReadAsync(roomIds.Length, (i, ct) => ReadAggregateAsync(reader, StorageCheckAggregate.Room, "room", roomIds[i], ct), i => found.Rooms.GetValueOrDefault(roomIds[i], 1)).ConfigureAwait(false);
            await ReadAsync(userNames.Length, (i, ct) => ReadAggregateAsync(reader, StorageCheckAggregate.User, "user", userNames[i], ct)).ConfigureAwait(false);
            await ReadAsync(1, (_, ct) => ReadAggregateAsync(reader, StorageCheckAggregate.DefaultRoom, "default room", "default_room", ct)).ConfigureAwait(false);
            var orphanJobs = new List<StorageProblem>();
            await ReadAsync(jobList.Count, async (i, ct) =>
            {
                (string key, string? room, string id) = jobList[i];
                if (room is null)
                {
                    return null; // reported by ResolveJobRoomsAsync
                }

                try
                {
                    Job? job = await jobs.GetByIdAsync(new JobId(room, id), ct).ConfigureAwait(false);
                    if (job is not null && await IsOrphanJobAsync(key, room, id, job, ct).ConfigureAwait(false))
                    {
                        lock (orphanJobs)
                        {
                            orphanJobs.Add(new StorageProblem(StorageProblemKind.OrphanJob, key, $"job {id} of room {room} ({job.Status}) is in neither jobs:active nor jobs:inactive", true)
                            {
                                Target = new JobTarget(room, id),
                            });
                        }
                    }

                    return null;
                }
                catch (StorageDataException ex)
                {
                    return new StorageProblem(StorageProblemKind.Unreadable, key, "job: " + ex.Message, false);
                }
            }).ConfigureAwait(false);
            problems.AddRange(unreadable);
            problems.AddRange(orphanJobs);

            if (cross is not null)
            {
                problems.AddRange(await cross.CheckAsync(new HashSet<string>(found.Rooms.Keys, StringComparer.Ordinal), cancellationToken).ConfigureAwait(false));
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, default(RedisKey));
        }

        Report();
        problems.Sort(static (a, b) => a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind) : string.CompareOrdinal(a.Key, b.Key));
        return new StorageCheckReport(problems, found.KeysScanned, read, Stopwatch.GetElapsedTime(started));
    }

    public async Task<StorageRepairResult> RepairAsync(StorageCheckReport report, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var repairs = new List<StorageRepair>();
        var skipped = new List<StorageProblem>();
        try
        {
            StorageProblem[] drift = [.. report.Problems.Where(static p => p.Repairable && p.Kind is StorageProblemKind.MissingIndexEntry or StorageProblemKind.StaleIndexEntry)];
            if (drift.Length > 0)
            {
                ReindexResult reindex = await maintenance.ReindexAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                foreach (StorageProblem problem in drift)
                {
                    var target = (IndexTarget)problem.Target!;
                    bool member = await RedisStoreContext.WaitAsync(context.Database.SetContainsAsync(target.Index, target.Id), cancellationToken).ConfigureAwait(false);
                    bool fixedNow = problem.Kind == StorageProblemKind.MissingIndexEntry ? member : !member;
                    if (fixedNow)
                    {
                        repairs.Add(new StorageRepair(problem.Kind, problem.Key, problem.Kind == StorageProblemKind.MissingIndexEntry
                            ? $"added {target.Id} to {target.Index} (reindex: {reindex.KeysScanned} keys scanned)"
                            : $"removed {target.Id} from {target.Index} (reindex: {reindex.KeysScanned} keys scanned)"));
                    }
                    else
                    {
                        skipped.Add(problem with { Detail = "the reindex left it: its data changed meanwhile" });
                    }
                }
            }

            foreach (StorageProblem problem in report.Problems)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (!problem.Repairable)
                {
                    continue;
                }

                string? action = problem.Kind switch
                {
                    StorageProblemKind.OrphanJob => await DeleteOrphanJobAsync(problem, cancellationToken).ConfigureAwait(false),
                    StorageProblemKind.OrphanWorkers => await DeleteOrphanWorkersAsync(problem, cancellationToken).ConfigureAwait(false),
                    StorageProblemKind.PendingCleanup when cross is not null => await cross.RepairAsync(problem, cancellationToken).ConfigureAwait(false),
                    _ => string.Empty,
                };
                if (action is null)
                {
                    skipped.Add(problem with { Detail = "no longer holds when checked again: left alone" });
                }
                else if (action.Length > 0)
                {
                    repairs.Add(new StorageRepair(problem.Kind, problem.Key, action));
                }
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, default(RedisKey));
        }

        return new StorageRepairResult(repairs, skipped, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Index drift of <c>rooms:index</c>: ZnDraw's rule, a room is any id with a key under <c>room:{id}:</c>.</summary>
    private async Task CheckRoomIndexAsync(CheckScan found, List<StorageProblem> problems, CancellationToken cancellationToken)
    {
        RedisKey index = context.Global.RoomsIndex();
        HashSet<string> members = await MembersAsync(index, cancellationToken).ConfigureAwait(false);
        foreach (string room in found.Rooms.Keys)
        {
            if (!members.Contains(room))
            {
                problems.Add(new StorageProblem(StorageProblemKind.MissingIndexEntry, (string)index! + " " + room, $"room {room} has keys but is not in {index}", true) { Target = new IndexTarget(index, room) });
            }
        }

        // An entry without any key: stale once its current_frame is still absent (created meanwhile otherwise).
        string[] candidates = [.. members.Where(m => !found.Rooms.ContainsKey(m) && KeyValidation.IsValidRoomId(m))];
        bool[] present = await BatchAsync(candidates, (b, id) => b.KeyExistsAsync(Space.Room(id).CurrentFrame()), cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < candidates.Length; i++)
        {
            if (!present[i])
            {
                problems.Add(new StorageProblem(StorageProblemKind.StaleIndexEntry, (string)index! + " " + candidates[i], $"{index} names room {candidates[i]}, which has no keys", true) { Target = new IndexTarget(index, candidates[i]) });
            }
        }
    }

    /// <summary>Index drift of <c>users:index</c> (a <c>user:{name}</c> hash) and <c>admins:index</c> (<c>admin:user:{name}</c> = <c>"1"</c>).</summary>
    private async Task CheckUserIndexesAsync(CheckScan found, List<StorageProblem> problems, CancellationToken cancellationToken)
    {
        string[] userCandidates = [.. found.UserNames];
        bool[] isHash = await BatchAsync(userCandidates, (b, n) => IndexMaintenance.IsUserAsync(b, Space.User(n).HashKey()), cancellationToken).ConfigureAwait(false);
        var users = new HashSet<string>(userCandidates.Where((_, i) => isHash[i]), StringComparer.Ordinal);
        string[] adminCandidates = [.. found.AdminNames];
        bool[] isOne = await BatchAsync(adminCandidates, (b, n) => IndexMaintenance.IsAdminAsync(b, Space.User(n).AdminKey()), cancellationToken).ConfigureAwait(false);
        var admins = new HashSet<string>(adminCandidates.Where((_, i) => isOne[i]), StringComparer.Ordinal);

        await CompareAsync(context.Global.UsersIndex(), users, "user", n => Space.User(n).HashKey(), IndexMaintenance.IsUserAsync).ConfigureAwait(false);
        await CompareAsync(context.Global.AdminsIndex(), admins, "admin", n => Space.User(n).AdminKey(), IndexMaintenance.IsAdminAsync).ConfigureAwait(false);

        async Task CompareAsync(RedisKey index, HashSet<string> present, string what, Func<string, RedisKey> keyOf, Func<IBatch, RedisKey, Task<bool>> stillThere)
        {
            HashSet<string> members = await MembersAsync(index, cancellationToken).ConfigureAwait(false);
            foreach (string name in present.Order(StringComparer.Ordinal))
            {
                if (!members.Contains(name))
                {
                    problems.Add(new StorageProblem(StorageProblemKind.MissingIndexEntry, (string)index! + " " + name, $"{what} {name} exists but is not in {index}", true) { Target = new IndexTarget(index, name) });
                }
            }

            string[] candidates = [.. members.Where(m => !present.Contains(m) && IsUserName(m))];
            bool[] again = await BatchAsync(candidates, (b, n) => stillThere(b, keyOf(n)), cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < candidates.Length; i++)
            {
                if (!again[i])
                {
                    problems.Add(new StorageProblem(StorageProblemKind.StaleIndexEntry, (string)index! + " " + candidates[i], $"{index} names {what} {candidates[i]}, which does not exist", true) { Target = new IndexTarget(index, candidates[i]) });
                }
            }
        }
    }

    /// <summary>Worker sets of an extension without schema: what a crashed disconnect or registration left.</summary>
    private async Task CheckWorkerSetsAsync(CheckScan found, List<StorageProblem> problems, CancellationToken cancellationToken)
    {
        WorkerSetKey[] sets = [.. found.WorkerSets];
        bool[] registered = await BatchAsync(sets, (b, s) => b.HashExistsAsync(s.Keys.Schema(), s.Keys.Extension), cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < sets.Length; i++)
        {
            if (!registered[i])
            {
                WorkerSetKey set = sets[i];
                problems.Add(new StorageProblem(StorageProblemKind.OrphanWorkers, set.Key, $"worker set of extension {set.Keys.Category}/{set.Keys.Extension}{(set.Keys.RoomId is null ? " (global)" : " in room " + set.Keys.RoomId)}, which is not registered", true) { Target = set });
            }
        }
    }

    /// <summary>The room of each job hash: from the key in the cluster-safe layout, from its <c>room</c> field in ZnDraw's.</summary>
    private async Task<List<(string Key, string? Room, string Id)>> ResolveJobRoomsAsync(CheckScan found, List<StorageProblem> problems, CancellationToken cancellationToken)
    {
        (string Key, string? Room, string Id)[] list = [.. found.Jobs];
        int[] missing = [.. Enumerable.Range(0, list.Length).Where(i => list[i].Room is null)];
        RedisValue[] rooms = await BatchAsync(missing, (b, i) => b.HashGetAsync(list[i].Key, "room"), cancellationToken, RedisValue.Null).ConfigureAwait(false);
        for (int j = 0; j < missing.Length; j++)
        {
            int i = missing[j];
            string? room = rooms[j].IsNull ? null : rooms[j].ToString();
            if (room is not null && KeyValidation.IsValidRoomId(room))
            {
                list[i].Room = room;
            }
            else
            {
                problems.Add(new StorageProblem(StorageProblemKind.Unreadable, list[i].Key, "job: no valid room field", false));
            }
        }

        return [.. list];
    }

    private async Task<bool> IsOrphanJobAsync(string key, string room, string id, Job job, CancellationToken cancellationToken)
    {
        if (context.UtcNow - job.CreatedAt < JobGrace)
        {
            return false;
        }

        JobKeys keys = Space.Job(room, id);
        IBatch batch = context.Database.CreateBatch();
        Task<bool> active = batch.SetContainsAsync(keys.Active(), id);
        Task<bool> inactive = batch.SetContainsAsync(keys.Inactive(), id);
        Task<bool> exists = batch.KeyExistsAsync(key);
        RedisStoreContext.Execute(batch);
        await RedisStoreContext.WaitAsync(Task.WhenAll(active, inactive, exists), cancellationToken).ConfigureAwait(false);
        return exists.Result && !active.Result && !inactive.Result;
    }

    /// <summary>Deletes the job hash (and its <c>by_time</c> entry) only while it is still in neither set.</summary>
    private async Task<string?> DeleteOrphanJobAsync(StorageProblem problem, CancellationToken cancellationToken)
    {
        var target = (JobTarget)problem.Target!;
        Job? job;
        try
        {
            job = await jobs.GetByIdAsync(new JobId(target.Room, target.Id), cancellationToken).ConfigureAwait(false);
        }
        catch (StorageDataException)
        {
            return null;
        }

        if (job is null || context.UtcNow - job.CreatedAt < JobGrace)
        {
            return null;
        }

        JobKeys keys = Space.Job(target.Room, target.Id);
        ITransaction tx = context.Database.CreateTransaction();
        tx.AddCondition(Condition.SetNotContains(keys.Active(), target.Id));
        tx.AddCondition(Condition.SetNotContains(keys.Inactive(), target.Id));
        tx.AddCondition(Condition.KeyExists(keys.Hash()));
        _ = tx.KeyDeleteAsync(keys.Hash());
        _ = tx.SortedSetRemoveAsync(keys.ByTime(), target.Id);
        _ = tx.SetRemoveAsync(keys.ExtensionJobs(job.Category, job.Extension), target.Id);
        bool done = await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
        return done ? $"deleted job {target.Id} of room {target.Room} (and its jobs:by_time and extension entries)" : null;
    }

    /// <summary>Deletes the worker set only while its extension is still unregistered.</summary>
    private async Task<string?> DeleteOrphanWorkersAsync(StorageProblem problem, CancellationToken cancellationToken)
    {
        var target = (WorkerSetKey)problem.Target!;
        ITransaction tx = context.Database.CreateTransaction();
        tx.AddCondition(Condition.HashNotExists(target.Keys.Schema(), target.Keys.Extension));
        tx.AddCondition(Condition.KeyExists(target.Key));
        _ = tx.KeyDeleteAsync(target.Key);
        bool done = await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
        return done ? $"deleted {target.Key}" : null;
    }

    private static async Task<StorageProblem?> ReadAggregateAsync(StorageCheckReader reader, StorageCheckAggregate kind, string what, string id, CancellationToken cancellationToken) =>
        await reader.ReadAsync(kind, id, cancellationToken).ConfigureAwait(false) is { } error
            ? new StorageProblem(StorageProblemKind.Unreadable, what + " " + id, error, false)
            : null;

    private async Task<HashSet<string>> MembersAsync(RedisKey set, CancellationToken cancellationToken)
    {
        try
        {
            RedisValue[] members = await RedisStoreContext.WaitAsync(context.Database.SetMembersAsync(set), cancellationToken).ConfigureAwait(false);
            return new HashSet<string>(members.Select(static m => m.ToString()), StringComparer.Ordinal);
        }
        catch (RedisServerException ex) when (IsWrongType(ex))
        {
            return new HashSet<string>(StringComparer.Ordinal); // not a set: the reindex reports it as it writes
        }
    }

    private Task<bool[]> BatchAsync<T>(IReadOnlyList<T> items, Func<IBatch, T, Task<bool>> call, CancellationToken cancellationToken) =>
        BatchAsync(items, call, cancellationToken, fallback: true);

    /// <summary>One command per item, sent in batches of <see cref="BatchSize"/>; an item whose command fails gets <paramref name="fallback"/>.</summary>
    private async Task<TResult[]> BatchAsync<T, TResult>(IReadOnlyList<T> items, Func<IBatch, T, Task<TResult>> call, CancellationToken cancellationToken, TResult fallback)
    {
        var results = new TResult[items.Count];
        for (int start = 0; start < items.Count; start += BatchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int end = Math.Min(items.Count, start + BatchSize);
            IBatch batch = context.Database.CreateBatch();
            var tasks = new Task<TResult>[end - start];
            for (int i = start; i < end; i++)
            {
                tasks[i - start] = call(batch, items[i]);
            }

            RedisStoreContext.Execute(batch);
            try
            {
                await RedisStoreContext.WaitAsync(Task.WhenAll(tasks), cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (IsWrongType(ex))
            {
                // a wrong type on one key: that item gets the fallback below (any other server error, e.g. a
                // command the ACL user may not run, propagates and is mapped like every other failure)
            }

            for (int i = start; i < end; i++)
            {
                Task<TResult> t = tasks[i - start];
                if (t.Exception?.InnerException is { } error && !(error is RedisServerException server && IsWrongType(server)))
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error); // not a wrong type: never a silent fallback
                }

                results[i] = t.IsCompletedSuccessfully ? t.Result : fallback;
            }
        }

        return results;
    }

    private static bool IsWrongType(RedisServerException ex) => ex.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal);

    private bool IsUserName(string name)
    {
        try
        {
            _ = Space.User(name);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>What the repair of an index problem needs: the index set and the member.</summary>
internal sealed record IndexTarget(RedisKey Index, string Id);

/// <summary>What the repair of an orphan job needs.</summary>
internal sealed record JobTarget(string Room, string Id);
