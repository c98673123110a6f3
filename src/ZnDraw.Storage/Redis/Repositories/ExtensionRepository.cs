using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IExtensionRepository"/>.</summary>
internal sealed class ExtensionRepository(RedisStoreContext context) : IExtensionRepository
{
    /// <summary>How often a read-then-verified-script step is retried when the data changed in between.</summary>
    internal const int MaxAttempts = 1000;

    /// <summary>The categories whose workers ZnDraw's disconnect handler cleans (and whose reverse indexes cleanup looks up).</summary>
    internal static readonly string[] ZnDrawWorkerCategories = ["modifiers", "selections", "analysis"];

    private static readonly RedisValue One = "1";
    private static readonly RedisValue Zero = "0";

    private readonly Action<StorageDataException> _unreadableExtension = ex => UnreadableEntries.Report(context.Logger, UnreadableEntries.Extension, ex);

    private readonly RedisStoreContext _context = context ?? throw new ArgumentNullException(nameof(context));

    private IDatabase Db => _context.Database;

    private bool ClusterSafe => _context.Keys.Layout == KeyLayout.ClusterSafe;

    /// <inheritdoc/>
    public ValueTask<ExtensionRegistrationResult> RegisterExtensionAsync(ExtensionId extension, JsonElement schema, string workerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(extension);
        var registrations = _context.Keys.Worker(workerId).Registrations(); // validates the worker id
        RedisValue schemaText = ExtensionMapping.FormatSchema(schema);
        string entry = ExtensionWorkerRegistrations.ForExtensions(extension.Scope, extension.RoomId, extension.Category);
        bool hasRegistry = !keys.IsGlobal;
        bool registrationsInScript = !ClusterSafe;

        // KEYS and ARGV built straight into their final arrays. A room's registry also gets the key names as ARGV:
        // each name is made once as text and sent as both key and argument.
        var keyArray = new RedisKey[4 + (hasRegistry ? 1 : 0) + (registrationsInScript ? 1 : 0)];
        var args = new RedisValue[hasRegistry ? 11 : 6];
        args[0] = keys.Extension;
        args[1] = schemaText;
        args[2] = workerId;
        args[3] = hasRegistry ? One : Zero;
        args[4] = registrationsInScript ? One : Zero;
        args[5] = entry;
        if (hasRegistry)
        {
            string schemaKey = keys.SchemaText(), idle = keys.IdleWorkersText(), progressing = keys.ProgressingWorkersText();
            string reverse = keys.UserExtensionsText(workerId);
            keyArray[0] = schemaKey;
            keyArray[1] = idle;
            keyArray[2] = progressing;
            keyArray[3] = reverse;
            keyArray[4] = _context.Keys.Room(keys.RoomId!).KeyRegistry();
            args[6] = schemaKey;
            args[7] = idle;
            args[8] = progressing;
            args[9] = keys.QueueText();
            args[10] = reverse;
        }
        else
        {
            keyArray[0] = keys.Schema();
            keyArray[1] = keys.IdleWorkers();
            keyArray[2] = keys.ProgressingWorkers();
            keyArray[3] = keys.UserExtensions(workerId);
        }

        if (registrationsInScript)
        {
            keyArray[^1] = registrations;

            // One script (ZnDraw's layout): no async layer of our own. keyArray[0] is the schema hash.
            ValueTask<ExtensionRegistrationResult> write = ExtensionScripts.Register.EvaluateAsync(
                Db, keyArray, args, (Schema: keyArray[0], keys.Extension), static (result, s) => ToRegistrationResult(result, s.Schema, s.Extension), cancellationToken);
            return _context.Replicas is { } replicas ? replicas.AfterAsync(write, Always, keyArray[0], nameof(RegisterExtensionAsync), cancellationToken) : write;
        }

        return AddEntryThenRegisterAsync(registrations, entry, keyArray, args, keys.Extension, cancellationToken);
    }

    /// <summary>A registration always writes (the schema, the worker's idle entry): it always waits for replicas when asked.</summary>
    private static readonly Func<ExtensionRegistrationResult, bool> Always = static _ => true;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<ExtensionRegistrationResult> AddEntryThenRegisterAsync(
        RedisKey registrations, string entry, RedisKey[] keyArray, RedisValue[] args, string extension, CancellationToken cancellationToken)
    {
        try
        {
            // Cluster-safe: the registrations set is in the worker's slot. Written first, idempotently: a crash
            // after this leaves an entry that points at nothing, which UnregisterWorkerAsync drops.
            await RedisContext(Db.SetAddAsync(registrations, entry), cancellationToken).ConfigureAwait(false);
            var result = await ExtensionScripts.Register.EvaluateAsync(Db, keyArray, args, cancellationToken).ConfigureAwait(false);
            ExtensionRegistrationResult registered = ToRegistrationResult(result, keyArray[0], extension);
            if (_context.Replicas is { } replicas)
            {
                // Two slots were written: wait on the primary of each (once when they share one).
                await replicas.WaitAsync(keyArray[0], nameof(RegisterExtensionAsync), cancellationToken, registrations).ConfigureAwait(false);
            }

            return registered;
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, keyArray);
        }
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ExtensionWorkerRemoval> UnregisterWorkerAsync(string workerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var registrations = _context.Keys.Worker(workerId).Registrations();
        int removed = 0, deleted = 0;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var groups = await ReadGroupsAsync(workerId, registrations, cancellationToken).ConfigureAwait(false);
            int count = groups.Length;
            if (count == 0)
            {
                return new ExtensionWorkerRemoval(removed, deleted);
            }

            bool changed = false;
            if (!ClusterSafe)
            {
                var (r, d, ok) = await RunUnregisterAsync(workerId, registrations, groups, 0, count, cancellationToken).ConfigureAwait(false);
                removed += r;
                deleted += d;
                changed = !ok;
            }
            else
            {
                var done = new List<RedisValue>(count);
                for (int i = 0; i < count; i++)
                {
                    var (r, d, ok) = await RunUnregisterAsync(workerId, null, groups, i, 1, cancellationToken).ConfigureAwait(false);
                    removed += r;
                    deleted += d;
                    if (ok && groups[i].Entry.Length > 0)
                    {
                        done.Add(groups[i].Entry);
                    }
                    else if (!ok)
                    {
                        changed = true;
                    }
                }

                // Second step (the registrations set is in the worker's slot): only entries whose scope was cleaned.
                if (done.Count > 0)
                {
                    await RedisReply.Of(Db.SetRemoveAsync(registrations, [.. done]), registrations, cancellationToken).ConfigureAwait(false);
                }
            }

            if (!changed)
            {
                return new ExtensionWorkerRemoval(removed, deleted);
            }
        }

        throw new InvalidOperationException($"The registrations of worker '{workerId}' kept changing while it was being unregistered.");
    }

    /// <inheritdoc/>
    public ValueTask<ExtensionSchema?> GetByIdAsync(ExtensionId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(id);
        RedisKey schema = keys.Schema();
        return RedisReply.Map(
            Db.HashGetAsync(schema, keys.Extension),
            (schema, keys.Extension, keys.Category, id.Scope, keys.RoomId),
            static (value, s) => ExtensionMapping.FromValue((string)s.schema!, s.Extension, s.Category, s.Scope, s.RoomId, value),
            schema,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(ExtensionId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(id);
        RedisKey schema = keys.Schema();
        return RedisReply.Of(Db.HashExistsAsync(schema, keys.Extension), schema, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(ExtensionSchema entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        var keys = _context.Keys.Extension(ExtensionId.Of(entity));
        RedisValue schemaText = ExtensionMapping.FormatSchema(entity.Schema);
        if (keys.IsGlobal)
        {
            return ExtensionScripts.Save.EvaluateVoidAsync(Db, [keys.Schema()], [keys.Extension, schemaText], 0, static (_, _) => true, cancellationToken);
        }

        string schemaKey = keys.SchemaText();
        RedisKey[] keyArray = [schemaKey, _context.Keys.Room(keys.RoomId!).KeyRegistry()];
        return ExtensionScripts.Save.EvaluateVoidAsync(Db, keyArray, [keys.Extension, schemaText, schemaKey], 0, static (_, _) => true, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(ExtensionId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(id);
        string schema = keys.SchemaText(), idle = keys.IdleWorkersText(), progressing = keys.ProgressingWorkersText(), queue = keys.QueueText();
        RedisKey[] keyArray = keys.IsGlobal
            ? [schema, idle, progressing, queue]
            : [schema, idle, progressing, queue, _context.Keys.Room(keys.RoomId!).KeyRegistry()];
        RedisValue[] args = [keys.Extension, keys.CategoryHeadText(), schema, idle, progressing, queue];
        return ExtensionScripts.Delete.EvaluateAsync(Db, keyArray, args, 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <summary>
    /// The extensions of one room, found through its key registry; adds the room's categories to
    /// <paramref name="categories"/>. A room whose keys are unreadable is reported and skipped (empty), as listings do.
    /// </summary>
    private async ValueTask<List<ExtensionId>> ListRoomIdsAsync(string roomId, SortedSet<string> categories, CancellationToken cancellationToken)
    {
        var ids = new List<ExtensionId>();
        try
        {
            RedisKey registry = _context.Keys.Room(roomId).KeyRegistry();
            string head = _context.Keys.RoomKeyText(roomId, "extensions:");
            var roomCategories = new SortedSet<string>(StringComparer.Ordinal);
            foreach (RedisValue member in await RedisReply.Of(Db.SetMembersAsync(registry), registry, cancellationToken).ConfigureAwait(false))
            {
                string name = (string)member!;
                if (name.Length > head.Length && name.StartsWith(head, StringComparison.Ordinal) && name.IndexOf(':', head.Length) < 0
                    && IsValidCategory(name[head.Length..]))
                {
                    roomCategories.Add(name[head.Length..]);
                }
            }

            foreach (string category in roomCategories)
            {
                categories.Add(category);
                foreach (string extension in await ListNamesAsync(ExtensionScope.Room, roomId, category, cancellationToken).ConfigureAwait(false))
                {
                    ids.Add(ExtensionId.InRoom(roomId, category, extension));
                }
            }
        }
        catch (StorageDataException ex)
        {
            UnreadableEntries.Report(_context.Logger, UnreadableEntries.Extension, ex);
        }

        return ids;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ExtensionId> ListIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();

        // Global categories have no index: ZnDraw's own categories, and every category found in a room.
        var globalCategories = new SortedSet<string>(ZnDrawWorkerCategories, StringComparer.Ordinal);
        await foreach (string roomId in RedisCalls.ListRoomIdsAsync(_context, cancellationToken).ConfigureAwait(false))
        {
            foreach (ExtensionId id in await ListRoomIdsAsync(roomId, globalCategories, cancellationToken).ConfigureAwait(false))
            {
                yield return id;
            }
        }

        foreach (string category in globalCategories)
        {
            foreach (string extension in await ListNamesAsync(ExtensionScope.Global, null, category, cancellationToken).ConfigureAwait(false))
            {
                yield return ExtensionId.Global(category, extension);
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ExtensionSchema>> ListExtensionsAsync(ExtensionScope scope, string? roomId, string category, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey schemaKey = SchemaKey(scope, roomId, category);
        return RedisReply.Map(
            Db.HashGetAllAsync(schemaKey),
            (schemaKey, category, scope, roomId, _unreadableExtension),
            static (entries, s) => (IReadOnlyList<ExtensionSchema>)ExtensionMapping.FromHash(
                (string)s.schemaKey!, s.category, s.scope, s.roomId, entries, s._unreadableExtension),
            schemaKey,
            cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<IReadOnlyList<WorkerState>> GetWorkersAsync(ExtensionId extension, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(extension);
        var batch = Db.CreateBatch();
        var idle = batch.SetMembersAsync(keys.IdleWorkers());
        var progressing = batch.SetMembersAsync(keys.ProgressingWorkers());
        RedisStoreContext.Execute(batch);
        RedisValue[] idleWorkers, progressingWorkers;
        try
        {
            // One by one: both replies arrive together; awaiting each costs nothing, Task.WhenAll an object.
            idleWorkers = await RedisContext(idle, cancellationToken).ConfigureAwait(false);
            progressingWorkers = await RedisContext(progressing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [keys.IdleWorkers(), keys.ProgressingWorkers()]);
        }

        var result = new List<WorkerState>(idleWorkers.Length + progressingWorkers.Length);
        foreach (var w in idleWorkers)
        {
            result.Add(new WorkerState((string)w!, extension.Scope, keys.RoomId, keys.Category, keys.Extension, WorkerAvailability.Idle));
        }

        foreach (var w in progressingWorkers)
        {
            result.Add(new WorkerState((string)w!, extension.Scope, keys.RoomId, keys.Category, keys.Extension, WorkerAvailability.Progressing));
        }

        return result;
    }

    /// <inheritdoc/>
    public ValueTask<string?> AcquireWorkerAsync(ExtensionId extension, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(extension);
        RedisKey[] scriptKeys = [keys.IdleWorkers(), keys.ProgressingWorkers()];
        ValueTask<string?> write = ExtensionScripts.Acquire.EvaluateAsync(Db, scriptKeys, [], 0, static (result, _) => result.IsNull ? null : (string?)result, cancellationToken);
        return _context.Replicas is { } replicas ? replicas.AfterAsync(write, Acquired, scriptKeys[1], nameof(AcquireWorkerAsync), cancellationToken) : write;
    }

    /// <summary>Whether a worker acquisition moved a worker (and so waits for replicas when <see cref="ZnDrawReplicationOptions"/> asks).</summary>
    private static readonly Func<string?, bool> Acquired = static worker => worker is not null;

    /// <inheritdoc/>
    public ValueTask<bool> ReleaseWorkerAsync(ExtensionId extension, string workerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(extension);

        // One script: it reads the worker's reverse index itself and builds the other extensions' set names from the
        // category's key head (same room and category, so the same slot under the cluster-safe layout).
        RedisKey[] keyArray = [keys.UserExtensions(workerId), keys.IdleWorkers(), keys.ProgressingWorkers()];
        RedisValue[] args = [workerId, keys.Extension, keys.CategoryHeadText()];
        return ExtensionScripts.Release.EvaluateAsync(Db, keyArray, args, 0, static (result, _) => (int)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> EnqueueAsync(ExtensionId extension, ExtensionTask task, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(task);
        var keys = _context.Keys.Extension(extension);
        ValidateTask(task, keys);
        RedisValue json = ExtensionMapping.FormatTask(task);
        RedisKey queue = keys.Queue();
        if (keys.IsGlobal)
        {
            // One command (RPUSH): no async layer of our own.
            return RedisReply.Of(Db.ListRightPushAsync(queue, json), queue, cancellationToken);
        }

        return PushAndRegisterAsync(queue, json, _context.Keys.Room(keys.RoomId!).KeyRegistry(), cancellationToken);
    }

    /// <summary>A room-scoped queue push: RPUSH and the room's key registry in one MULTI.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<long> PushAndRegisterAsync(RedisKey queue, RedisValue json, RedisKey registry, CancellationToken cancellationToken)
    {
        try
        {
            var tx = Db.CreateTransaction();
            var push = tx.ListRightPushAsync(queue, json);
            _ = tx.SetAddAsync(registry, (string)queue!);
            await RedisContext(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);
            return await push.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, (string)queue!);
        }
    }

    /// <inheritdoc/>
    public ValueTask<long> QueueLengthAsync(ExtensionId extension, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey queue = _context.Keys.Extension(extension).Queue();
        return RedisReply.Of(Db.ListLengthAsync(queue), queue, cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ExtensionDequeueResult> DequeueAsync(ExtensionId extension, string workerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Extension(extension);
        KeyValidation.ValidateSessionId(workerId, _context.Keys.Layout);
        string queueName = (string)keys.Queue()!;
        List<ExtensionTask>? skipped = null;

        RedisValue head;
        try
        {
            head = await RedisContext(Db.ListGetByIndexAsync(keys.Queue(), 0), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, queueName);
        }

        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (head.IsNull)
            {
                return new ExtensionDequeueResult(ExtensionDequeueStatus.QueueEmpty, null, false, Skipped(skipped));
            }

            var task = ExtensionMapping.ParseTask(queueName, head)!;
            JobKeys jobKeys = TaskJobKeys(queueName, task);
            bool sameSlot = !ClusterSafe || (!keys.IsGlobal && task.Room == keys.RoomId);
            DateTime now = _context.UtcNow;
            RedisKey[] scriptKeys = sameSlot
                ? [keys.Queue(), keys.IdleWorkers(), keys.ProgressingWorkers(), jobKeys.Hash()]
                : [keys.Queue(), keys.IdleWorkers(), keys.ProgressingWorkers()];
            RedisValue[] args = [head, workerId, ZnDrawTime.FormatIso(now), EpochMilliseconds(now), sameSlot ? One : Zero];
            RedisResult[] reply;
            reply = (RedisResult[])(await ExtensionScripts.Dequeue.EvaluateAsync(Db, scriptKeys, args, cancellationToken).ConfigureAwait(false))!;

            switch ((int)reply[0])
            {
                case 0:
                    return new ExtensionDequeueResult(ExtensionDequeueStatus.QueueEmpty, null, false, Skipped(skipped));
                case -1:
                    head = (RedisValue)reply[1];
                    continue;
                case 2:
                    (skipped ??= []).Add(task);
                    head = reply.Length > 1 ? (RedisValue)reply[1] : RedisValue.Null;
                    continue;
                case 3:
                    return new ExtensionDequeueResult(ExtensionDequeueStatus.WorkerNotIdle, null, false, Skipped(skipped));
                default:
                    bool started = sameSlot || await JobRepository.StartCoreAsync(Db, jobKeys, workerId, now, cancellationToken).ConfigureAwait(false) == JobTransitionResult.Applied;
                    return new ExtensionDequeueResult(ExtensionDequeueStatus.Dequeued, task, started, Skipped(skipped));
            }
        }

        throw new InvalidOperationException($"The queue '{queueName}' kept changing; no task could be taken.");
    }

    internal static RedisValue EpochMilliseconds(DateTime utc) =>
        RedisText.Integer(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)).ToUnixTimeMilliseconds());

    private static ExtensionRegistrationResult ToRegistrationResult(RedisResult result, RedisKey schema, string extension) => (int)result switch
    {
        1 => ExtensionRegistrationResult.Registered,
        2 => ExtensionRegistrationResult.Joined,
        0 => ExtensionRegistrationResult.SchemaConflict,
        _ => throw new StorageDataException((string)schema!, extension, "the stored schema is not valid JSON."),
    };

    private static IReadOnlyList<ExtensionTask> Skipped(List<ExtensionTask>? skipped) => skipped is null ? [] : skipped;

    private static Task<T> RedisContext<T>(Task<T> task, CancellationToken cancellationToken) =>
        RedisStoreContext.WaitAsync(task, cancellationToken);

    private static void ValidateTask(ExtensionTask task, ExtensionKeys keys)
    {
        KeyValidation.ValidateRoomId(task.Room, nameof(task));
        KeyValidation.ValidateJobId(task.JobId, nameof(task));
        if (!keys.IsGlobal && task.Room != keys.RoomId)
        {
            throw new ArgumentException("The task's room must be the room of the room-scoped extension.", nameof(task));
        }
    }

    private JobKeys TaskJobKeys(string queueName, ExtensionTask task)
    {
        try
        {
            return _context.Keys.Job(task.Room, task.JobId);
        }
        catch (ArgumentException ex)
        {
            throw new StorageDataException(queueName, "room", "the queued task names an invalid room or job id.", ex);
        }
    }

    /// <summary>The valid extension names of one schema hash (HKEYS), for <see cref="ListIdsAsync"/>.</summary>
    private async ValueTask<List<string>> ListNamesAsync(ExtensionScope scope, string? roomId, string category, CancellationToken cancellationToken)
    {
        RedisKey schemaKey = SchemaKey(scope, roomId, category);
        var fields = await RedisReply.Of(Db.HashKeysAsync(schemaKey), schemaKey, cancellationToken).ConfigureAwait(false);
        var names = new List<string>(fields.Length);
        foreach (RedisValue field in fields)
        {
            string name = (string)field!;
            try
            {
                KeyValidation.ValidateExtensionName(name);
                names.Add(name);
            }
            catch (ArgumentException)
            {
                // No key can be built for it: not listed (ListExtensionsAsync does not list it either).
            }
        }

        names.Sort(StringComparer.Ordinal);
        return names;
    }

    private bool IsValidCategory(string category)
    {
        try
        {
            KeyValidation.ValidateCategory(category, _context.Keys.Layout);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private RedisKey SchemaKey(ExtensionScope scope, string? roomId, string category) => scope switch
    {
        ExtensionScope.Room => ExtensionKeys.SchemaKey(roomId ?? throw new ArgumentException("A room-scoped extension needs a room id.", nameof(roomId)), category, _context.Keys),
        ExtensionScope.Global => roomId is null
            ? ExtensionKeys.GlobalSchemaKey(category, _context.Keys)
            : throw new ArgumentException("A global extension has no room id.", nameof(roomId)),
        _ => throw new ArgumentOutOfRangeException(nameof(scope), scope, "Unknown extension scope."),
    };

    /// <summary>
    /// The scopes to clean for <paramref name="workerId"/>, each with the extension names of its reverse index as read
    /// now: every extension entry of the worker's registrations set and, in the <see cref="KeyLayout.ZnDraw"/> layout,
    /// the scopes a ZnDraw server registers the worker in (which it records in no registrations set).
    /// </summary>
    /// <remarks>
    /// ZnDraw scopes, found without SCAN: the categories <see cref="ZnDrawWorkerCategories"/> plus every category of the
    /// registrations set, each in the global scope and in the <c>currentRoom</c> of the sid's user (<c>sid:{sid}</c>,
    /// then <c>user:{user}</c>). A ZnDraw scope whose reverse index is empty is dropped (nothing to clean). Round trips:
    /// SMEMBERS registrations (+ GET <c>sid:{sid}</c> in the same batch), HGET <c>currentRoom</c> (ZnDraw layout, when
    /// the sid names a user), then one batch of SMEMBERS of every reverse index.
    /// </remarks>
    private async ValueTask<Group[]> ReadGroupsAsync(string workerId, RedisKey registrations, CancellationToken cancellationToken)
    {
        bool znDraw = _context.Keys.Layout == KeyLayout.ZnDraw;
        RedisValue[] members;
        RedisValue userName = RedisValue.Null;
        RedisKey sessionKey = default;
        if (znDraw)
        {
            sessionKey = _context.Keys.Session(workerId).Username();
            var first = Db.CreateBatch();
            var membersRead = first.SetMembersAsync(registrations);
            var userRead = first.StringGetAsync(sessionKey);
            RedisStoreContext.Execute(first);
            members = await RedisReply.Of(membersRead, registrations, cancellationToken).ConfigureAwait(false);
            userName = await RedisReply.Of(userRead, sessionKey, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            members = await RedisReply.Of(Db.SetMembersAsync(registrations), registrations, cancellationToken).ConfigureAwait(false);
        }

        // The registrations' scopes first, in their order; then the ZnDraw scopes not already among them.
        var groups = new List<Group>(members.Length + (znDraw ? 2 * ZnDrawWorkerCategories.Length : 0));
        foreach (var member in members)
        {
            string entry = (string)member!;
            if (ExtensionWorkerRegistrations.TryParseExtensions(entry, out var scope, out var roomId, out var category)
                && TryScopeKeys(scope, roomId, category, workerId, out var schemaKey, out var reverse))
            {
                groups.Add(new Group(entry, scope, roomId, category, schemaKey, reverse));
            }
        }

        int fromRegistrations = groups.Count;
        if (znDraw)
        {
            string? currentRoom = await CurrentRoomAsync(userName, cancellationToken).ConfigureAwait(false);
            var categories = new List<string>(ZnDrawWorkerCategories);
            for (int i = 0; i < fromRegistrations; i++)
            {
                if (!categories.Contains(groups[i].Category))
                {
                    categories.Add(groups[i].Category);
                }
            }

            foreach (string category in categories)
            {
                if (currentRoom is not null)
                {
                    AddZnDrawScope(groups, ExtensionScope.Room, currentRoom, category, workerId);
                }

                AddZnDrawScope(groups, ExtensionScope.Global, null, category, workerId);
            }
        }

        if (groups.Count == 0)
        {
            return [];
        }

        // Read every reverse index in one batch; the replies arrive together and are awaited one by one.
        var batch = Db.CreateBatch();
        var reads = new Task<RedisValue[]>[groups.Count];
        for (int i = 0; i < groups.Count; i++)
        {
            reads[i] = batch.SetMembersAsync(groups[i].Reverse);
        }

        RedisStoreContext.Execute(batch);
        var result = new List<Group>(groups.Count);
        try
        {
            for (int i = 0; i < groups.Count; i++)
            {
                var group = groups[i];
                group.Names = await RedisContext(reads[i], cancellationToken).ConfigureAwait(false);

                // A registrations entry is kept even when empty (the script drops the entry); a ZnDraw scope only when
                // the worker serves something there.
                if (i < fromRegistrations || group.Names.Length > 0)
                {
                    result.Add(group);
                }
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            var keys = new RedisKey[groups.Count];
            for (int i = 0; i < keys.Length; i++)
            {
                keys[i] = groups[i].Reverse;
            }

            throw RedisErrors.Map(ex, keys);
        }

        return [.. result];
    }

    /// <summary>The <c>currentRoom</c> of the user <paramref name="userName"/> (HGET), or null when there is no user, no room, or an id no key can be built from.</summary>
    private async ValueTask<string?> CurrentRoomAsync(RedisValue userName, CancellationToken cancellationToken)
    {
        if (userName.IsNullOrEmpty)
        {
            return null;
        }

        RedisKey userKey;
        try
        {
            userKey = _context.Keys.User((string)userName!).HashKey();
        }
        catch (ArgumentException)
        {
            // sid:{sid} names a user no key can be built for (written by hand): no room to look in.
            return null;
        }

        var room = await RedisReply.Of(Db.HashGetAsync(userKey, UserMapping.CurrentRoomField), userKey, cancellationToken).ConfigureAwait(false);
        return room.IsNullOrEmpty ? null : (string?)room;
    }

    /// <summary>Adds the ZnDraw scope (<paramref name="scope"/>, <paramref name="roomId"/>, <paramref name="category"/>) unless it is already listed or no key can be built for it.</summary>
    private void AddZnDrawScope(List<Group> groups, ExtensionScope scope, string? roomId, string category, string workerId)
    {
        foreach (var group in groups)
        {
            if (group.Scope == scope && group.Category == category && string.Equals(group.RoomId, roomId, StringComparison.Ordinal))
            {
                return;
            }
        }

        if (TryScopeKeys(scope, roomId, category, workerId, out var schemaKey, out var reverse))
        {
            groups.Add(new Group(string.Empty, scope, roomId, category, schemaKey, reverse));
        }
    }

    private bool TryScopeKeys(ExtensionScope scope, string? roomId, string category, string workerId, out RedisKey schema, out RedisKey reverse)
    {
        try
        {
            (schema, reverse) = ExtensionKeys.ScopeKeys(scope == ExtensionScope.Room ? roomId! : null, category, workerId, _context.Keys);
            return true;
        }
        catch (ArgumentException)
        {
            // An entry naming an invalid room or category (written by hand): no key can be built, nothing to clean.
            schema = default;
            reverse = default;
            return false;
        }
    }

    /// <summary>
    /// Runs the unregister script over <paramref name="count"/> groups from <paramref name="start"/> on; ok is false when
    /// a reverse index changed. KEYS and ARGV are counted first and written straight into their final arrays.
    /// </summary>
    private ValueTask<(int Removed, int Deleted, bool Ok)> RunUnregisterAsync(string workerId, RedisKey? registrations, Group[] groups, int start, int count, CancellationToken cancellationToken)
    {
        int keyCount = registrations is null ? 0 : 1, argCount = 3;
        for (int g = start; g < start + count; g++)
        {
            int n = groups[g].Names.Length;
            keyCount += 2 + (groups[g].Scope == ExtensionScope.Room ? 1 : 0) + (3 * n);
            argCount += 3 + n;
        }

        var scriptKeys = new RedisKey[keyCount];
        var args = new RedisValue[argCount];
        int k = 0, a = 0;
        args[a++] = workerId;
        args[a++] = registrations is null ? Zero : One;
        args[a++] = count;
        if (registrations is { } r)
        {
            scriptKeys[k++] = r;
        }

        for (int g = start; g < start + count; g++)
        {
            Group group = groups[g];
            bool hasRegistry = group.Scope == ExtensionScope.Room;
            scriptKeys[k++] = group.Reverse;
            scriptKeys[k++] = group.Schema;
            if (hasRegistry)
            {
                scriptKeys[k++] = _context.Keys.Room(group.RoomId!).KeyRegistry();
            }

            args[a++] = group.Entry;
            args[a++] = hasRegistry ? One : Zero;
            args[a++] = group.Names.Length;
            foreach (RedisValue value in group.Names)
            {
                string name = (string)value!;
                var keys = hasRegistry
                    ? _context.Keys.Extension(group.RoomId!, group.Category, name)
                    : _context.Keys.GlobalExtension(group.Category, name);
                scriptKeys[k++] = keys.IdleWorkers();
                scriptKeys[k++] = keys.ProgressingWorkers();
                scriptKeys[k++] = keys.Queue();
                args[a++] = name;
            }
        }

        // WRONGTYPE names every key of the script (the script has no history variant, so exactly these keys).
        return ExtensionScripts.Unregister.EvaluateAsync(
            Db,
            scriptKeys,
            args,
            0,
            static (result, _) =>
            {
                var reply = (RedisResult[])result!;
                int first = (int)reply[0];
                return first < 0 ? (0, 0, false) : (first, (int)reply[1], true);
            },
            cancellationToken);
    }

    // One scope of a worker's registrations: a room's or the global category. Names: the reverse index as read.
    private struct Group(string entry, ExtensionScope scope, string? roomId, string category, RedisKey schema, RedisKey reverse)
    {
        public readonly string Entry = entry;

        public readonly ExtensionScope Scope = scope;

        public readonly string? RoomId = roomId;

        public readonly string Category = category;

        public readonly RedisKey Schema = schema;

        public readonly RedisKey Reverse = reverse;

        public RedisValue[] Names = [];
    }
}
