using System.Runtime.CompilerServices;
using System.Text;
using StackExchange.Redis;
using ZnDraw.Storage.Keys;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Repositories;

/// <summary>The Redis implementation of <see cref="IIndexMaintenance"/>.</summary>
internal sealed class IndexMaintenance(RedisStoreContext context) : IIndexMaintenance
{
    /// <summary>The default <c>SCAN COUNT</c>.</summary>
    public const int DefaultPageSize = 1000;

    private const int MaxPageSize = 100_000;

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReindexResult> ReindexAsync(int pageSize = IIndexMaintenance.DefaultPageSize, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);

        var found = new Found(context.Keys);
        RedisValue pattern = EscapeGlob(context.Keys.Prefix) + "*";
        int database = context.Database.Database;
        foreach (IServer server in context.Multiplexer.GetServers())
        {
            if (server.IsReplica || !server.IsConnected)
            {
                continue;
            }

            await foreach (RedisKey key in server.KeysAsync(database, pattern, pageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                cancellationToken.ThrowIfCancellationRequested();
                found.Classify(key.ToString());
            }
        }

        found.AttachJobHashes();
        IDatabase db = context.Database;
        string[] users = await FilterAsync(found.UserCandidates, pageSize, static (b, c) => b.KeyTypeAsync(c.Key), static t => t == RedisType.Hash, cancellationToken).ConfigureAwait(false);
        string[] admins = await FilterAsync(found.AdminCandidates, pageSize, static (b, c) => b.StringGetAsync(c.Key), static v => RedisText.IsOne(v), cancellationToken).ConfigureAwait(false);
        string[] rooms = [.. found.Rooms.Keys];

        GlobalKeys global = context.Global;
        await AddAllAsync(global.RoomsIndex(), rooms, pageSize, cancellationToken).ConfigureAwait(false);
        await AddAllAsync(global.UsersIndex(), users, pageSize, cancellationToken).ConfigureAwait(false);
        await AddAllAsync(global.AdminsIndex(), admins, pageSize, cancellationToken).ConfigureAwait(false);

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

        int stale = 0;
        stale += await RemoveStaleAsync(global.RoomsIndex(), rooms, RoomStillExists, cancellationToken).ConfigureAwait(false);
        stale += await RemoveStaleAsync(global.UsersIndex(), users, UserStillExists, cancellationToken).ConfigureAwait(false);
        stale += await RemoveStaleAsync(global.AdminsIndex(), admins, AdminStillExists, cancellationToken).ConfigureAwait(false);

        return new ReindexResult(found.KeysScanned, rooms.Length, users.Length, admins.Length, registered, stale, found.Skipped);
    }

    private static string EscapeGlob(string prefix)
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

    /// <summary>Keeps the candidates whose key passes <paramref name="keep"/>, asking Redis in batches; a command error counts as "no".</summary>
    private async Task<string[]> FilterAsync<T>(
        List<(string Name, RedisKey Key)> candidates,
        int pageSize,
        Func<IBatch, (string Name, RedisKey Key), Task<T>> ask,
        Func<T, bool> keep,
        CancellationToken cancellationToken)
    {
        var result = new List<string>();
        for (int start = 0; start < candidates.Count; start += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int end = Math.Min(candidates.Count, start + pageSize);
            IBatch batch = context.Database.CreateBatch();
            var tasks = new Task<T>[end - start];
            for (int i = start; i < end; i++)
            {
                tasks[i - start] = ask(batch, candidates[i]);
            }

            batch.Execute();
            await RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(tasks)), cancellationToken).ConfigureAwait(false);
            for (int i = start; i < end; i++)
            {
                Task<T> task = tasks[i - start];
                if (task.IsCompletedSuccessfully && keep(task.Result))
                {
                    result.Add(candidates[i].Name);
                }
            }
        }

        return [.. result.Distinct(StringComparer.Ordinal)];
    }

    private async Task AddAllAsync(RedisKey set, IReadOnlyList<string> members, int pageSize, CancellationToken cancellationToken)
    {
        for (int start = 0; start < members.Count; start += pageSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            int count = Math.Min(pageSize, members.Count - start);
            var values = new RedisValue[count];
            for (int i = 0; i < count; i++)
            {
                values[i] = members[start + i];
            }

            await RedisCalls.OneKeyAsync(context.Database.SetAddAsync(set, values), set, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the members of <paramref name="set"/> not in <paramref name="found"/> that <paramref name="stillExists"/> confirms are gone.</summary>
    private async Task<int> RemoveStaleAsync(
        RedisKey set,
        string[] found,
        Func<IBatch, string, Task<bool>?> stillExists,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisValue[] members = await RedisCalls.OneKeyAsync(context.Database.SetMembersAsync(set), set, cancellationToken).ConfigureAwait(false);
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

        batch.Execute();
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

        return (int)await RedisCalls.OneKeyAsync(context.Database.SetRemoveAsync(set, [.. gone]), set, cancellationToken).ConfigureAwait(false);
    }

    private Task<bool>? RoomStillExists(IBatch batch, string roomId) =>
        KeyValidation.IsValidRoomId(roomId) ? batch.KeyExistsAsync(context.Keys.Room(roomId).CurrentFrame()) : null;

    private Task<bool>? UserStillExists(IBatch batch, string userName) =>
        TryUserKeys(userName, out UserKeys keys)
            ? batch.KeyTypeAsync(keys.HashKey()).ContinueWith(static t => t.Result == RedisType.Hash, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
            : null;

    private Task<bool>? AdminStillExists(IBatch batch, string userName) =>
        TryUserKeys(userName, out UserKeys keys)
            ? batch.StringGetAsync(keys.AdminKey()).ContinueWith(static t => RedisText.IsOne(t.Result), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
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

    /// <summary>The keys the scan found, sorted by what they are.</summary>
    private sealed class Found(KeySpace space)
    {
        private const string RoomHead = "room:";
        private const string UserHead = "user:";
        private const string AdminHead = "admin:user:";
        private const string JobHead = "job:";

        private readonly Dictionary<string, List<string>> _jobHashes = new(StringComparer.Ordinal);

        public Dictionary<string, List<string>> Rooms { get; } = new(StringComparer.Ordinal);

        public List<(string Name, RedisKey Key)> UserCandidates { get; } = [];

        public List<(string Name, RedisKey Key)> AdminCandidates { get; } = [];

        public long KeysScanned { get; private set; }

        public long Skipped { get; private set; }

        public void Classify(string key)
        {
            KeysScanned++;
            if (!key.StartsWith(space.Prefix, StringComparison.Ordinal))
            {
                return;
            }

            ReadOnlySpan<char> rest = key.AsSpan(space.Prefix.Length);
            if (rest.StartsWith(RoomHead, StringComparison.Ordinal))
            {
                ClassifyRoomKey(key, rest[RoomHead.Length..]);
            }
            else if (rest.StartsWith(AdminHead, StringComparison.Ordinal))
            {
                AddUserCandidate(AdminCandidates, key, rest[AdminHead.Length..], admin: true);
            }
            else if (rest.StartsWith(UserHead, StringComparison.Ordinal))
            {
                AddUserCandidate(UserCandidates, key, rest[UserHead.Length..], admin: false);
            }
            else if (space.Layout == KeyLayout.ClusterSafe && rest.StartsWith(JobHead, StringComparison.Ordinal))
            {
                // job:{room}:{job} — belongs to the room's registry if the room turns out to exist.
                if (SplitTagged(rest[JobHead.Length..], out string roomId, out ReadOnlySpan<char> jobId) && !jobId.IsEmpty
                    && KeyValidation.IsValidRoomId(roomId))
                {
                    Get(_jobHashes, roomId).Add(key);
                }
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

        /// <summary>Splits <c>{id}:rest</c> (cluster-safe) into the id and the rest after the colon.</summary>
        private static bool SplitTagged(ReadOnlySpan<char> text, out string id, out ReadOnlySpan<char> rest)
        {
            id = string.Empty;
            rest = default;
            int close = text.IndexOf('}');
            if (text.IsEmpty || text[0] != '{' || close < 2 || close + 1 >= text.Length || text[close + 1] != ':')
            {
                return false;
            }

            id = text[1..close].ToString();
            rest = text[(close + 2)..];
            return true;
        }

        private void ClassifyRoomKey(string key, ReadOnlySpan<char> afterHead)
        {
            string roomId;
            ReadOnlySpan<char> suffix;
            if (space.Layout == KeyLayout.ClusterSafe)
            {
                if (!SplitTagged(afterHead, out roomId, out suffix))
                {
                    Skipped++;
                    return;
                }
            }
            else
            {
                int colon = afterHead.IndexOf(':');
                if (colon <= 0)
                {
                    Skipped++;
                    return;
                }

                roomId = afterHead[..colon].ToString();
                suffix = afterHead[(colon + 1)..];
            }

            if (!KeyValidation.IsValidRoomId(roomId))
            {
                Skipped++;
                return;
            }

            List<string> registry = Get(Rooms, roomId);
            if (!RoomFixedKeys.Suffixes.GetAlternateLookup<ReadOnlySpan<char>>().Contains(suffix))
            {
                registry.Add(key);
            }
        }

        private void AddUserCandidate(List<(string Name, RedisKey Key)> list, string key, ReadOnlySpan<char> afterHead, bool admin)
        {
            string name;
            if (space.Layout == KeyLayout.ClusterSafe)
            {
                if (afterHead.Length < 3 || afterHead[0] != '{' || afterHead[^1] != '}')
                {
                    Skipped++;
                    return;
                }

                name = afterHead[1..^1].ToString();
            }
            else
            {
                name = afterHead.ToString();
            }

            try
            {
                UserKeys keys = space.User(name);
                if (!string.Equals(admin ? keys.AdminKey().ToString() : keys.HashKey().ToString(), key, StringComparison.Ordinal))
                {
                    Skipped++;
                    return;
                }
            }
            catch (ArgumentException)
            {
                Skipped++;
                return;
            }

            list.Add((name, key));
        }
    }
}
