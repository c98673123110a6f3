using System.Runtime.CompilerServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IJobRepository"/>.</summary>
internal sealed class JobRepository(RedisStoreContext context) : IJobRepository
{
    /// <summary>ZnDraw's TTL of a job hash: one day.</summary>
    internal const int TtlSeconds = 86400;

    private const int FixedArgs = 8;

    // KEYS: hash, active, inactive, by_time, extension jobs, room registry, [queue]
    // ARGV: job id, ttl, score, active?, hash name, extension-jobs name, task JSON, queue name for the registry ('' for none), field/value pairs...
    // KEYS: job hash, jobs:active, jobs:inactive, jobs:by_time, room key registry.
    // ARGV: job id, job hash name, the room's extension-job-set head ("...room:{r}:extension:").
    // The extension's job set is named from the hash's category and extension (a category with ':' names none).
    // Every read that can raise WRONGTYPE runs before the first write. Returns 1 when the hash existed.
    private static readonly RedisScript DeleteScript = new("job-delete", """
        local names = redis.call('HMGET', KEYS[1], 'category', 'extension')
        redis.call('SCARD', KEYS[2]); redis.call('SCARD', KEYS[3]); redis.call('ZCARD', KEYS[4]); redis.call('SCARD', KEYS[5])
        local extensionJobs = nil
        local cat, ext = names[1], names[2]
        if cat and ext and cat ~= '' and ext ~= '' and not string.find(cat, ':', 1, true) then
          extensionJobs = ARGV[3] .. cat .. ':' .. ext .. ':jobs'
          redis.call('SCARD', extensionJobs)
        end
        local deleted = redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[2], ARGV[1])
        redis.call('SREM', KEYS[3], ARGV[1])
        redis.call('ZREM', KEYS[4], ARGV[1])
        if extensionJobs then redis.call('SREM', extensionJobs, ARGV[1]) end
        redis.call('SREM', KEYS[5], ARGV[2])
        return deleted
        """);

    private static readonly RedisScript CreateScript = new("job-create", ExtensionLua.CheckType + """
        check(KEYS[1], 'hash'); check(KEYS[2], 'set'); check(KEYS[3], 'set'); check(KEYS[4], 'zset')
        check(KEYS[5], 'set'); check(KEYS[6], 'set')
        local queue = KEYS[7]
        if queue then check(queue, 'list') end
        local id = ARGV[1]
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 9))
        redis.call('EXPIRE', KEYS[1], ARGV[2])
        if ARGV[4] == '1' then
          redis.call('SREM', KEYS[3], id); redis.call('SADD', KEYS[2], id)
        else
          redis.call('SREM', KEYS[2], id); redis.call('SADD', KEYS[3], id)
        end
        redis.call('ZADD', KEYS[4], ARGV[3], id)
        redis.call('SADD', KEYS[5], id)
        redis.call('SADD', KEYS[6], ARGV[5], ARGV[6])
        if queue then
          redis.call('RPUSH', queue, ARGV[7])
          if ARGV[8] ~= '' then redis.call('SADD', KEYS[6], ARGV[8]) end
        end
        return 1
        """);

    // KEYS: hash. ARGV: worker id, now ISO, now epoch ms. Returns 1 applied, 0 not found, 2 wrong status.
    private static readonly RedisScript StartScript = new("job-start", ExtensionLua.CheckType + ExtensionLua.IsoToMilliseconds + """
        check(KEYS[1], 'hash')
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 2 end
        local wait = ''
        local created = iso_ms(redis.call('HGET', KEYS[1], 'created_at'))
        if created then wait = string.format('%.0f', tonumber(ARGV[3]) - created) end
        redis.call('HSET', KEYS[1], 'status', 'running', 'started_at', ARGV[2], 'worker_id', ARGV[1], 'wait_time_ms', wait)
        return 1
        """);

    // KEYS: hash, active, inactive. ARGV: status, now ISO, now epoch ms, field (result/error), value, job id.
    // Returns 1 applied, 0 not found, 2 already finished.
    private static readonly RedisScript FinishScript = new("job-finish", ExtensionLua.CheckType + ExtensionLua.IsoToMilliseconds + """
        check(KEYS[1], 'hash'); check(KEYS[2], 'set'); check(KEYS[3], 'set')
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local status = redis.call('HGET', KEYS[1], 'status')
        if status ~= 'queued' and status ~= 'running' then return 2 end
        local exec = ''
        local started = iso_ms(redis.call('HGET', KEYS[1], 'started_at'))
        if started then exec = string.format('%.0f', tonumber(ARGV[3]) - started) end
        redis.call('HSET', KEYS[1], 'status', ARGV[1], 'completed_at', ARGV[2], 'execution_time_ms', exec, ARGV[4], ARGV[5])
        redis.call('SREM', KEYS[2], ARGV[6])
        redis.call('SADD', KEYS[3], ARGV[6])
        return 1
        """);

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
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (string roomId in RedisCalls.ListRoomIdsAsync(_context, cancellationToken).ConfigureAwait(false))
        {
            seen.Clear();
            foreach (string jobId in await ListActiveAsync(roomId, cancellationToken).ConfigureAwait(false))
            {
                if (jobId.Length > 0 && seen.Add(jobId))
                {
                    yield return new JobId(roomId, jobId);
                }
            }

            foreach (string jobId in await ListInactiveAsync(roomId, cancellationToken).ConfigureAwait(false))
            {
                if (jobId.Length > 0 && seen.Add(jobId))
                {
                    yield return new JobId(roomId, jobId);
                }
            }
        }
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
            return CreateScript.EvaluateVoidAsync(Db, scriptKeys, args, 0, static (_, _) => true, cancellationToken);
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
            await CreateScript.EvaluateAsync(Db, scriptKeys, args, cancellationToken).ConfigureAwait(false);
            await RedisStoreContext.WaitAsync(Db.ListRightPushAsync(queue, taskJson), cancellationToken).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType([.. scriptKeys, queue], ex);
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
        return DeleteScript.EvaluateAsync(Db, scriptKeys, args, 0, static (deleted, _) => (long)deleted == 1, cancellationToken);
    }

    /// <summary>Runs the start script (shared with the cross-slot step of <see cref="ExtensionRepository.DequeueAsync"/>).</summary>
    internal static ValueTask<JobTransitionResult> StartCoreAsync(IDatabase db, JobKeys keys, string workerId, DateTime now, CancellationToken cancellationToken)
    {
        RedisKey[] scriptKeys = [keys.Hash()];
        RedisValue[] args = [workerId, ZnDrawTime.FormatIso(now), ExtensionRepository.EpochMilliseconds(now)];
        return StartScript.EvaluateAsync(db, scriptKeys, args, 0, static (result, _) => ToTransition((int)result), cancellationToken);
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
        return FinishScript.EvaluateAsync(Db, scriptKeys, args, 0, static (result, _) => ToTransition((int)result), cancellationToken);
    }

    private ValueTask<IReadOnlyList<string>> ListAsync(RedisKey key, CancellationToken cancellationToken) =>
        RedisReply.Map(Db.SetMembersAsync(key), 0, static (members, _) => (IReadOnlyList<string>)ExtensionWorkerRegistrations.ToStrings(members), key, cancellationToken);
}
