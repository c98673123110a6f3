using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IIndexMaintenance"/>.</summary>
internal sealed class IndexMaintenance(RedisStoreContext context) : IIndexMaintenance
{
    /// <summary>The default <c>SCAN COUNT</c>.</summary>
    public const int DefaultPageSize = 1000;

    private const int MaxPageSize = 100_000;

    /// <summary>The <c>index</c> tag values of <see cref="ZnDrawStorageDiagnostics.IndexReconciledInstrument"/>.</summary>
    internal const string RoomsTag = "rooms";
    internal const string UsersTag = "users";
    internal const string AdminsTag = "admins";
    internal const string WorkersTag = "workers";

    /// <inheritdoc/>
    public ValueTask<ReindexResult> ReindexAsync(int pageSize = IIndexMaintenance.DefaultPageSize, CancellationToken cancellationToken = default) =>
        ReindexAsync(pageSize, TimeSpan.Zero, cancellationToken);

    /// <summary>
    /// <see cref="ReindexAsync(int, CancellationToken)"/>, pausing <paramref name="pauseBetweenPages"/> after each
    /// <paramref name="pageSize"/> keys scanned (the background reconciler's entry point; the one SCAN of the library).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<ReindexResult> ReindexAsync(int pageSize, TimeSpan pauseBetweenPages, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        var found = new Found(context.Keys);
        RedisValue pattern = EscapeGlob(context.Keys.Prefix) + "*";
        int database = context.Database.Database;
        try
        {
            foreach (IServer server in context.Multiplexer.GetServers())
            {
                if (server.IsReplica || !server.IsConnected)
                {
                    continue;
                }

                long seen = 0;
                await foreach (RedisKey key in server.KeysAsync(database, pattern, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    found.Classify(key.ToString());
                    if (++seen % pageSize == 0 && pauseBetweenPages > TimeSpan.Zero)
                    {
                        await Task.Delay(pauseBetweenPages, context.Time, cancellationToken).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, default(RedisKey));
        }

        found.AttachJobHashes();
        IDatabase db = context.Database;
        string[] users = await FilterAsync(found.UserCandidates, pageSize, IsUserAsync, cancellationToken).ConfigureAwait(false);
        string[] admins = await FilterAsync(found.AdminCandidates, pageSize, IsAdminAsync, cancellationToken).ConfigureAwait(false);
        string[] rooms = [.. found.Rooms.Keys];

        GlobalKeys global = context.Global;
        ZnDrawStorageDiagnostics.RecordReconciled(RoomsTag, "added", await AddAllAsync(global.RoomsIndex(), rooms, pageSize, cancellationToken).ConfigureAwait(false));
        ZnDrawStorageDiagnostics.RecordReconciled(UsersTag, "added", await AddAllAsync(global.UsersIndex(), users, pageSize, cancellationToken).ConfigureAwait(false));
        ZnDrawStorageDiagnostics.RecordReconciled(AdminsTag, "added", await AddAllAsync(global.AdminsIndex(), admins, pageSize, cancellationToken).ConfigureAwait(false));

        long registered = 0;
        foreach (KeyValuePair<string, List<string>> room in found.Rooms)
        {
            if (room.Value.Count == 0)
            {
                continue;
            }

            registered += room.Value.Count;
            await AddAllAsync(context.Keys.Room(room.Key).KeyRegistry(), room.Value, pageSize, cancellationToken).ConfigureAwait(false);
        }

        ZnDrawStorageDiagnostics.RecordReconciled(WorkersTag, "added", await RebuildWorkerRegistrationsAsync(found.WorkerSets, pageSize, cancellationToken).ConfigureAwait(false));

        int staleRooms = await RemoveStaleAsync(global.RoomsIndex(), rooms, RoomStillExists, cancellationToken).ConfigureAwait(false);
        int staleUsers = await RemoveStaleAsync(global.UsersIndex(), users, UserStillExists, cancellationToken).ConfigureAwait(false);
        int staleAdmins = await RemoveStaleAsync(global.AdminsIndex(), admins, AdminStillExists, cancellationToken).ConfigureAwait(false);
        ZnDrawStorageDiagnostics.RecordReconciled(RoomsTag, "removed", staleRooms);
        ZnDrawStorageDiagnostics.RecordReconciled(UsersTag, "removed", staleUsers);
        ZnDrawStorageDiagnostics.RecordReconciled(AdminsTag, "removed", staleAdmins);

        return new ReindexResult(found.KeysScanned, rooms.Length, users.Length, admins.Length, registered, staleRooms + staleUsers + staleAdmins, found.Skipped);
    }

    /// <summary>
    /// Brings the index entries of <paramref name="entries"/> (rooms, users and admins named by keyspace notifications)
    /// in line with their keys: added when the room's <c>current_frame</c>, the user hash or the admin flag <c>"1"</c>
    /// exists; removed when the user hash or the admin flag is gone, or when the room has none of its fixed keys left
    /// (a room with other keys but no <c>current_frame</c> is left as it is: ZnDraw still lists it, and so does the
    /// scan). Two round trips: one batch of checks, one batch of <c>SADD</c>/<c>SREM</c>.
    /// </summary>
    /// <returns>How many entries were added and removed.</returns>
    internal async ValueTask<(long Added, long Removed)> ReconcileEntriesAsync(IReadOnlyList<IndexEntry> entries, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (entries.Count == 0)
        {
            return (0, 0);
        }

        IBatch checks = context.Database.CreateBatch();
        var present = new Task<bool>[entries.Count];
        var anyLeft = new Task<long>?[entries.Count];
        for (int i = 0; i < entries.Count; i++)
        {
            IndexEntry entry = entries[i];
            switch (entry.Kind)
            {
                case IndexKind.Room:
                    RoomKeys room = context.Keys.Room(entry.Id);
                    present[i] = checks.KeyExistsAsync(room.CurrentFrame());
                    anyLeft[i] = checks.KeyExistsAsync(RoomFixedKeys.For(room));
                    break;
                case IndexKind.User:
                    present[i] = IsUserAsync(checks, context.Keys.User(entry.Id).HashKey());
                    break;
                default:
                    present[i] = IsAdminAsync(checks, context.Keys.User(entry.Id).AdminKey());
                    break;
            }
        }

        RedisStoreContext.Execute(checks);
        await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll([.. present, .. anyLeft.Where(static t => t is not null).Select(static t => (Task)t!)])), cancellationToken).ConfigureAwait(false);

        IBatch writes = context.Database.CreateBatch();
        var changes = new List<(IndexKind Kind, bool Add, Task<bool> Reply)>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            if (!present[i].IsCompletedSuccessfully)
            {
                continue; // unreadable (e.g. a wrong type on the admin flag): the next scan decides
            }

            IndexEntry entry = entries[i];
            RedisKey set = IndexOf(entry.Kind);
            if (present[i].Result)
            {
                changes.Add((entry.Kind, true, writes.SetAddAsync(set, entry.Id)));
            }
            else if (entry.Kind != IndexKind.Room || (anyLeft[i]!.IsCompletedSuccessfully && anyLeft[i]!.Result == 0))
            {
                changes.Add((entry.Kind, false, writes.SetRemoveAsync(set, entry.Id)));
            }
        }

        if (changes.Count == 0)
        {
            return (0, 0);
        }

        RedisStoreContext.Execute(writes);
        await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(changes.Select(static c => (Task)c.Reply))), cancellationToken).ConfigureAwait(false);
        long added = 0, removed = 0;
        foreach ((IndexKind kind, bool add, Task<bool> reply) in changes)
        {
            if (reply.IsCompletedSuccessfully && reply.Result)
            {
                ZnDrawStorageDiagnostics.RecordReconciled(TagOf(kind), add ? "added" : "removed", 1);
                if (add)
                {
                    added++;
                }
                else
                {
                    removed++;
                }
            }
        }

        return (added, removed);
    }

    /// <summary>
    /// Reads the index entry a key names: <c>room:{room}:current_frame</c> (a room), <c>user:{name}</c> (a user) or
    /// <c>admin:user:{name}</c> (an admin) of <paramref name="space"/>, with the same rules as the scan.
    /// </summary>
    /// <returns><see langword="false"/> for every other key and for ids the library refuses.</returns>
    internal static bool TryReadIndexEntry(KeySpace space, string key, out IndexEntry entry)
    {
        ScannedKey scanned = ScannedKey.Read(space, key);
        entry = scanned.Kind switch
        {
            ScannedKeyKind.Room when scanned.RoomSuffix.SequenceEqual(CurrentFrameSuffix) => new IndexEntry(IndexKind.Room, scanned.RoomId!),
            ScannedKeyKind.User => new IndexEntry(IndexKind.User, scanned.Id!),
            ScannedKeyKind.Admin => new IndexEntry(IndexKind.Admin, scanned.Id!),
            _ => default,
        };
        return entry.Id is not null;
    }

    private const string CurrentFrameSuffix = "current_frame";

    private static string TagOf(IndexKind kind) => kind switch
    {
        IndexKind.Room => RoomsTag,
        IndexKind.User => UsersTag,
        _ => AdminsTag,
    };

    private RedisKey IndexOf(IndexKind kind) => kind switch
    {
        IndexKind.Room => context.Global.RoomsIndex(),
        IndexKind.User => context.Global.UsersIndex(),
        _ => context.Global.AdminsIndex(),
    };

    /// <summary>
    /// Adds to each worker's reverse index (<see cref="WorkerKeys.Registrations"/>) the scope of every extension worker
    /// set it is a member of, so that disconnect cleanup finds workers another writer (ZnDraw) registered.
    /// </summary>
    /// <returns>The number of entries added.</returns>
    private async Task<long> RebuildWorkerRegistrationsAsync(List<WorkerSetKey> sets, int pageSize, CancellationToken cancellationToken)
    {
        long added = 0;
        for (int start = 0; start < sets.Count; start += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int end = Math.Min(sets.Count, start + pageSize);
            IBatch reads = context.Database.CreateBatch();
            var members = new Task<RedisValue[]>[end - start];
            for (int i = start; i < end; i++)
            {
                members[i - start] = reads.SetMembersAsync(sets[i].Key);
            }

            RedisStoreContext.Execute(reads);
            await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(members)), cancellationToken).ConfigureAwait(false);

            var entries = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
            for (int i = start; i < end; i++)
            {
                Task<RedisValue[]> read = members[i - start];
                if (!read.IsCompletedSuccessfully)
                {
                    continue; // not a set: nothing to follow
                }

                WorkerSetKey set = sets[i];
                string entry = ExtensionWorkerRegistrations.ForExtensions(set.RoomId is null ? ExtensionScope.Global : ExtensionScope.Room, set.RoomId, set.Category);
                foreach (RedisValue member in read.Result)
                {
                    string sid = member.ToString();
                    if (!entries.TryGetValue(sid, out HashSet<string>? scopes))
                    {
                        scopes = new HashSet<string>(StringComparer.Ordinal);
                        entries.Add(sid, scopes);
                    }

                    scopes.Add(entry);
                }
            }

            IBatch writes = context.Database.CreateBatch();
            var replies = new List<Task<long>>(entries.Count);
            foreach (KeyValuePair<string, HashSet<string>> worker in entries)
            {
                RedisKey registrations;
                try
                {
                    registrations = context.Keys.Worker(worker.Key).Registrations();
                }
                catch (ArgumentException)
                {
                    continue; // a member this library cannot name a key for
                }

                replies.Add(writes.SetAddAsync(registrations, [.. worker.Value.Select(static e => (RedisValue)e)]));
            }

            RedisStoreContext.Execute(writes);
            await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(replies)), cancellationToken).ConfigureAwait(false);
            foreach (Task<long> reply in replies)
            {
                if (reply.IsCompletedSuccessfully)
                {
                    added += reply.Result;
                }
            }
        }

        return added;
    }

    /// <summary>Escapes the glob characters of <paramref name="prefix"/> for a MATCH or PSUBSCRIBE pattern.</summary>
    internal static string EscapeGlob(string prefix)
    {
        if (prefix.AsSpan().IndexOfAny("*?[]\\") < 0)
        {
            return prefix;
        }

        var builder = new StringBuilder(prefix.Length + 4);
        foreach (char c in prefix)
        {
            if (c is '*' or '?' or '[' or ']' or '\\')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static Task IgnoreErrors(Task task) =>
        task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// ZnDraw's rule for a user, read in <paramref name="batch"/>: <c>user:{name}</c> (<paramref name="hashKey"/>) is a hash.
    /// Faults when the read does.
    /// </summary>
    internal static Task<bool> IsUserAsync(IBatch batch, RedisKey hashKey) =>
        batch.KeyTypeAsync(hashKey).ContinueWith(static t => t.Result == RedisType.Hash, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>
    /// ZnDraw's rule for an admin, read in <paramref name="batch"/>: <c>admin:user:{name}</c> (<paramref name="flagKey"/>)
    /// holds <c>"1"</c>. Faults when the read does.
    /// </summary>
    internal static Task<bool> IsAdminAsync(IBatch batch, RedisKey flagKey) =>
        batch.StringGetAsync(flagKey).ContinueWith(static t => RedisText.IsOne(t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Keeps the candidates whose key passes <paramref name="rule"/>, asking Redis in batches; a command error counts as "no".</summary>
    private async Task<string[]> FilterAsync(
        List<(string Name, RedisKey Key)> candidates,
        int pageSize,
        Func<IBatch, RedisKey, Task<bool>> rule,
        CancellationToken cancellationToken)
    {
        var result = new List<string>();
        for (int start = 0; start < candidates.Count; start += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int end = Math.Min(candidates.Count, start + pageSize);
            IBatch batch = context.Database.CreateBatch();
            var tasks = new Task<bool>[end - start];
            for (int i = start; i < end; i++)
            {
                tasks[i - start] = rule(batch, candidates[i].Key);
            }

            RedisStoreContext.Execute(batch);
            await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(tasks)), cancellationToken).ConfigureAwait(false);
            for (int i = start; i < end; i++)
            {
                Task<bool> task = tasks[i - start];
                if (task.IsCompletedSuccessfully && task.Result)
                {
                    result.Add(candidates[i].Name);
                }
            }
        }

        return [.. result.Distinct(StringComparer.Ordinal)];
    }

    /// <returns>How many members were new.</returns>
    private async Task<long> AddAllAsync(RedisKey set, IReadOnlyList<string> members, int pageSize, CancellationToken cancellationToken)
    {
        long added = 0;
        for (int start = 0; start < members.Count; start += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(pageSize, members.Count - start);
            var values = new RedisValue[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = members[start + i];
            }

            added += await RedisReply.Of(context.Database.SetAddAsync(set, values), set, cancellationToken).ConfigureAwait(false);
        }

        return added;
    }

    /// <summary>Removes the members of <paramref name="set"/> not in <paramref name="found"/> that <paramref name="stillExists"/> confirms are gone.</summary>
    private async Task<int> RemoveStaleAsync(
        RedisKey set,
        string[] found,
        Func<IBatch, string, Task<bool>?> stillExists,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] members = await RedisReply.Of(context.Database.SetMembersAsync(set), set, cancellationToken).ConfigureAwait(false);
        var known = new HashSet<string>(found, StringComparer.Ordinal);
        var suspects = new List<string>();
        foreach (RedisValue member in members)
        {
            string name = member.ToString();
            if (!known.Contains(name))
            {
                suspects.Add(name);
            }
        }

        if (suspects.Count == 0)
        {
            return 0;
        }

        IBatch batch = context.Database.CreateBatch();
        var checks = new Task<bool>?[suspects.Count];
        for (int i = 0; i < suspects.Count; i++)
        {
            checks[i] = stillExists(batch, suspects[i]); // null: not a valid id, stale by definition
        }

        RedisStoreContext.Execute(batch);
        Task[] pending = [.. checks.Where(static t => t is not null).Select(static t => (Task)t!)];
        await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(pending)), cancellationToken).ConfigureAwait(false);
        var gone = new List<RedisValue>();
        for (int i = 0; i < suspects.Count; i++)
        {
            Task<bool>? check = checks[i];
            if (check is null || (check.IsCompletedSuccessfully && !check.Result))
            {
                gone.Add(suspects[i]);
            }
        }

        if (gone.Count == 0)
        {
            return 0;
        }

        return (int)await RedisReply.Of(context.Database.SetRemoveAsync(set, [.. gone]), set, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool>? RoomStillExists(IBatch batch, string roomId) =>
        KeyValidation.IsValidRoomId(roomId) ? batch.KeyExistsAsync(context.Keys.Room(roomId).CurrentFrame()) : null;

    private Task<bool>? UserStillExists(IBatch batch, string userName) =>
        TryUserKeys(userName, out UserKeys keys)
            ? IsUserAsync(batch, keys.HashKey())
            : null;

    private Task<bool>? AdminStillExists(IBatch batch, string userName) =>
        TryUserKeys(userName, out UserKeys keys)
            ? IsAdminAsync(batch, keys.AdminKey())
            : null;

    private bool TryUserKeys(string userName, out UserKeys keys)
    {
        try
        {
            keys = context.Keys.User(userName);
            return true;
        }
        catch (ArgumentException)
        {
            keys = default;
            return false;
        }
    }

    /// <summary>The keys the scan found, sorted by what they are (read by <see cref="ScannedKey"/>).</summary>
    private sealed class Found(KeySpace space)
    {
        private readonly Dictionary<string, List<string>> _jobHashes = new(StringComparer.Ordinal);

        public Dictionary<string, List<string>> Rooms { get; } = new(StringComparer.Ordinal);

        public List<(string Name, RedisKey Key)> UserCandidates { get; } = [];

        public List<(string Name, RedisKey Key)> AdminCandidates { get; } = [];

        /// <summary>Extension worker sets (<c>…:idle_workers</c>, <c>…:progressing_workers</c>), room-scoped and global.</summary>
        public List<WorkerSetKey> WorkerSets { get; } = [];

        public long KeysScanned { get; private set; }

        public long Skipped { get; private set; }

        public void Classify(string key)
        {
            KeysScanned++;
            ScannedKey scanned = ScannedKey.Read(space, key);
            switch (scanned.Kind)
            {
                case ScannedKeyKind.Refused:
                    Skipped++;
                    break;
                case ScannedKeyKind.Room:
                    List<string> registry = Get(Rooms, scanned.RoomId!);
                    if (!RoomFixedKeys.Suffixes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(scanned.RoomSuffix))
                    {
                        registry.Add(key);
                        if (scanned.WorkerSet is { } roomWorkers)
                        {
                            WorkerSets.Add(roomWorkers);
                        }
                    }

                    break;
                case ScannedKeyKind.User:
                    UserCandidates.Add((scanned.Id!, key));
                    break;
                case ScannedKeyKind.Admin:
                    AdminCandidates.Add((scanned.Id!, key));
                    break;
                case ScannedKeyKind.GlobalWorkerSet:
                    WorkerSets.Add(scanned.WorkerSet!);
                    break;
                case ScannedKeyKind.Job when scanned.RoomId is { } jobRoom:
                    // job:{room}:{job} (cluster-safe) belongs to the room's registry if the room turns out to exist.
                    Get(_jobHashes, jobRoom).Add(key);
                    break;
            }
        }

        public void AttachJobHashes()
        {
            foreach (KeyValuePair<string, List<string>> job in _jobHashes)
            {
                if (Rooms.TryGetValue(job.Key, out List<string>? registry))
                {
                    registry.AddRange(job.Value);
                }
            }
        }

        private static List<string> Get(Dictionary<string, List<string>> map, string id)
        {
            if (!map.TryGetValue(id, out List<string>? list))
            {
                list = [];
                map.Add(id, list);
            }

            return list;
        }
    }
}

/// <summary>What an index entry is.</summary>
internal enum IndexKind
{
    /// <summary>A member of <c>rooms:index</c>.</summary>
    Room,

    /// <summary>A member of <c>users:index</c>.</summary>
    User,

    /// <summary>A member of <c>admins:index</c>.</summary>
    Admin,
}

/// <summary>One entry of an index set: its kind and its id (room id or user name).</summary>
internal readonly record struct IndexEntry(IndexKind Kind, string Id);
