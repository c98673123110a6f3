using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Scripts;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IJobRepository"/>.</summary>
internal sealed class JobRepository(RedisStoreContext context) : IJobRepository
{
    /// <summary>ZnDraw's TTL of a job hash: one day.</summary>
    internal const int TtlSeconds = 86400;

    private const int FixedArgs = 8;

    private static readonly RedisValue Completed = JobMapping.FormatStatus(JobStatus.Completed);
    private static readonly RedisValue Failed = JobMapping.FormatStatus(JobStatus.Failed);

    private readonly RedisStoreContext _context = context ?? throw new ArgumentNullException(nameof(context));

    private IDatabase Db => _context.Database;

    /// <inheritdoc/>
    public ValueTask CreateAsync(Job job, ExtensionTask enqueue, ExtensionScope queueScope = ExtensionScope.Room, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(enqueue);
        return WriteAsync(job, enqueue, queueScope, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(Job entity, CancellationToken cancellationToken = default) =>
        WriteAsync(entity, null, ExtensionScope.Room, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(JobId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _context.Keys.Job(id.RoomId, id.Id).Hash();
        return RedisReply.Of(Db.KeyExistsAsync(key), key, cancellationToken);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<JobId> ListIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await foreach (string roomId in RedisCalls.ListRoomIdsAsync(_context, cancellationToken).ConfigureAwait(false))
        {
            foreach (string jobId in await ListRoomJobIdsAsync(roomId, cancellationToken).ConfigureAwait(false))
            {
                yield return new JobId(roomId, jobId);
            }
        }
    }

    /// <summary>The active and inactive job ids of one room, each once; a room whose sets are unreadable is reported and skipped.</summary>
    private async ValueTask<IReadOnlyCollection<string>> ListRoomJobIdsAsync(string roomId, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        try
        {
            // Both reads are sent before either reply is awaited: one round trip per room.
            Task<IReadOnlyList<string>> active = ListActiveAsync(roomId, cancellationToken).AsTask();
            Task<IReadOnlyList<string>> inactive = ListInactiveAsync(roomId, cancellationToken).AsTask();
            await Task.WhenAll(active, inactive).ConfigureAwait(false);
            ids.UnionWith(active.Result.Where(id => id.Length > 0));
            ids.UnionWith(inactive.Result.Where(id => id.Length > 0));
        }
        catch (StorageDataException ex)
        {
            UnreadableEntries.Report(_context.Logger, UnreadableEntries.Job, ex);
        }

        return ids;
    }

    /// <summary>The one write of a job: <see cref="CreateAsync"/> with a task, <see cref="SaveAsync"/> without.</summary>
    private ValueTask WriteAsync(Job job, ExtensionTask? enqueue, ExtensionScope queueScope, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(job);
        var keys = _context.Keys.Job(job.Room, job.Id);
        string extensionJobsName = keys.Room.ExtensionJobsText(job.Category, job.Extension);
        RedisKey extensionJobs = extensionJobsName;
        string hashName = (string)keys.Hash()!;
        RedisKey registry = keys.Room.KeyRegistry();
        RedisKey? queue = null;
        string? queueName = null;
        RedisValue taskJson = RedisValue.EmptyString;
        if (enqueue is not null)
        {
            if (enqueue.JobId != job.Id || enqueue.Room != job.Room)
            {
                throw new ArgumentException("The task must carry the job's id and room.", nameof(enqueue));
            }

            var extension = queueScope switch
            {
                ExtensionScope.Room => _context.Keys.Extension(job.Room, job.Category, job.Extension),
                ExtensionScope.Global => _context.Keys.GlobalExtension(job.Category, job.Extension),
                _ => throw new ArgumentOutOfRangeException(nameof(queueScope), queueScope, "Unknown extension scope."),
            };
            queueName = extension.QueueText();
            queue = queueName;
            taskJson = ExtensionMapping.FormatTask(enqueue);
        }

        bool queueInScript = queue is not null && (queueScope == ExtensionScope.Room || !_context.Keys.IsClusterSafe);
        var args = new RedisValue[FixedArgs + (2 * JobMapping.FieldCount)];
        args[0] = job.Id;
        args[1] = TtlSeconds;
        args[2] = ByTimeScore(job.CreatedAt);
        args[3] = job.IsActive ? "1" : "0";
        args[4] = hashName;
        args[5] = extensionJobsName;
        args[6] = taskJson;
        args[7] = queueInScript && queueScope == ExtensionScope.Room ? queueName! : RedisValue.EmptyString;
        JobMapping.WriteFields(job, args, FixedArgs);

        RedisKey[] scriptKeys = queueInScript
            ? [keys.Hash(), keys.Active(), keys.Inactive(), keys.ByTime(), extensionJobs, registry, queue!.Value]
            : [keys.Hash(), keys.Active(), keys.Inactive(), keys.ByTime(), extensionJobs, registry];
        if (queue is null || queueInScript)
        {
            // One script does it all (the common case): no async layer of our own.
            return JobScripts.Create.EvaluateVoidAsync(Db, scriptKeys, args, 0, static (_, _) => true, cancellationToken);
        }

        return CreateThenEnqueueAsync(scriptKeys, args, queue.Value, taskJson, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask CreateThenEnqueueAsync(RedisKey[] scriptKeys, RedisValue[] args, RedisKey queue, RedisValue taskJson, CancellationToken cancellationToken)
    {
        try
        {
            // Cluster-safe, global extension: the queue is in the category's slot. Job first, so a crash in between
            // leaves a job without a task (it expires) rather than a task that a worker would find without its job.
            await JobScripts.Create.EvaluateAsync(Db, scriptKeys, args, cancellationToken).ConfigureAwait(false);
            await RedisStoreContext.WaitAsync(Db.ListRightPushAsync(queue, taskJson), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [.. scriptKeys, queue]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<Job?> GetByIdAsync(JobId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _context.Keys.Job(id.RoomId, id.Id).Hash();
        return RedisReply.Map(Db.HashGetAllAsync(key), key, static (entries, key) => JobMapping.FromHash((string)key!, entries), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<JobTransitionResult> StartAsync(string roomId, string jobId, string workerId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var keys = _context.Keys.Job(roomId, jobId);
        KeyValidation.ValidateSessionId(workerId, _context.Keys.Layout);
        return StartCoreAsync(Db, keys, workerId, _context.UtcNow, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<JobTransitionResult> CompleteAsync(string roomId, string jobId, JsonElement result, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        JsonValues.RequireDefined(result, nameof(result));
        return FinishAsync(roomId, jobId, Completed, JobMapping.ResultField, PythonJsonWriter.ToUtf8(result), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<JobTransitionResult> FailAsync(string roomId, string jobId, string error, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentException.ThrowIfNullOrEmpty(error);
        return FinishAsync(roomId, jobId, Failed, JobMapping.ErrorField, error, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListActiveAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ListAsync(_context.Keys.Room(roomId).JobsActive(), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListInactiveAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ListAsync(_context.Keys.Room(roomId).JobsInactive(), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(JobId id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        (string roomId, string jobId) = id;
        var keys = _context.Keys.Job(roomId, jobId);
        RedisKey hash = keys.Hash();
        RedisKey registry = keys.Room.KeyRegistry();

        // One script: it reads the job's category and extension itself to find the extension's job set, whose name
        // starts with the room's "extension:" head (same slot).
        string extensionHead = _context.Keys.RoomKeyText(roomId, "extension:");
        RedisKey[] scriptKeys = [hash, keys.Active(), keys.Inactive(), keys.ByTime(), registry];
        RedisValue[] args = [jobId, (string)hash!, extensionHead];
        return JobScripts.Delete.EvaluateAsync(Db, scriptKeys, args, 0, static (deleted, _) => (long)deleted == 1, cancellationToken);
    }

    /// <summary>Runs the start script (shared with the cross-slot step of <see cref="ExtensionRepository.DequeueAsync"/>).</summary>
    internal static ValueTask<JobTransitionResult> StartCoreAsync(IDatabase db, JobKeys keys, string workerId, DateTime now, CancellationToken cancellationToken)
    {
        RedisKey[] scriptKeys = [keys.Hash()];
        RedisValue[] args = [workerId, ZnDrawTime.FormatIso(now), ExtensionRepository.EpochMilliseconds(now)];
        return JobScripts.Start.EvaluateAsync(db, scriptKeys, args, 0, static (result, _) => ToTransition((int)result), cancellationToken);
    }

    /// <summary>The <c>jobs:by_time</c> score: epoch seconds of <paramref name="createdAt"/> (UTC; unspecified kind is UTC), microsecond precision.</summary>
    internal static double ByTimeScore(DateTime createdAt)
    {
        DateTime utc = createdAt.Kind == DateTimeKind.Local ? createdAt.ToUniversalTime() : DateTime.SpecifyKind(createdAt, DateTimeKind.Utc);
        long micros = (utc.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        return micros / 1_000_000.0;
    }

    private static JobTransitionResult ToTransition(int code) => code switch
    {
        1 => JobTransitionResult.Applied,
        0 => JobTransitionResult.NotFound,
        _ => JobTransitionResult.WrongStatus,
    };

    private ValueTask<JobTransitionResult> FinishAsync(string roomId, string jobId, RedisValue status, string field, RedisValue value, CancellationToken cancellationToken)
    {
        var keys = _context.Keys.Job(roomId, jobId);
        DateTime now = _context.UtcNow;
        RedisKey[] scriptKeys = [keys.Hash(), keys.Active(), keys.Inactive()];
        RedisValue[] args = [status, ZnDrawTime.FormatIso(now), ExtensionRepository.EpochMilliseconds(now), field, value, jobId];
        return JobScripts.Finish.EvaluateAsync(Db, scriptKeys, args, 0, static (result, _) => ToTransition((int)result), cancellationToken);
    }

    private ValueTask<IReadOnlyList<string>> ListAsync(RedisKey key, CancellationToken cancellationToken) =>
        RedisReply.Map(Db.SetMembersAsync(key), 0, static (members, _) => (IReadOnlyList<string>)ExtensionWorkerRegistrations.ToStrings(members), key, cancellationToken);
}
