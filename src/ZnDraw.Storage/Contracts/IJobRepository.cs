using System.Text.Json;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Extension jobs: each job's fields and the room's job indexes (active, inactive, by time, per extension).</summary>
/// <remarks>
/// <para>
/// Job ids must be unique across rooms (ZnDraw uses UUIDs). Every job write (the job, its room's job indexes and, for
/// <see cref="CreateAsync"/>, a room-scoped queue) is one atomic step; state changes validate the stored data before their
/// first write.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// ids throw <see cref="ArgumentException"/> before anything is stored; stored data of the wrong type or encoding throws
/// <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// The aggregate is one job (<see cref="Job"/>), addressed by <see cref="JobId"/> (room and job id).
/// <see cref="IRepository{T, TId}.SaveAsync"/> is <see cref="CreateAsync"/> without a task: one atomic step writes the job
/// (all sixteen fields, a fresh time to live of 86400 s) and the room's job indexes.
/// <see cref="IRepository{T, TId}.GetByIdAsync"/> returns <see langword="null"/> when the job does not exist (never created,
/// deleted or expired). <see cref="IRepository{T, TId}.DeleteAsync"/> deletes the job and removes its id from the job
/// indexes in one atomic step; it returns whether the job existed.
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> reads the active and inactive job ids of every room in the room
/// index; like those indexes it is not pruned, so it may name jobs that expired.
/// </para>
/// <para>
/// Redis backend: under <see cref="KeyLayout.ZnDraw"/> the job is ZnDraw's hash <c>job:{job}</c>; under
/// <see cref="KeyLayout.ClusterSafe"/> it is <c>job:{room}:{job}</c>, in the room's slot, so every job write (hash, sets,
/// registry, and a room-scoped queue) is one script. The room's job sets are <c>room:{room}:jobs:active</c>,
/// <c>jobs:inactive</c>, <c>jobs:by_time</c> and <c>extensions:{category}:{ext}:jobs</c>. State changes are Lua scripts that
/// refuse with WRONGTYPE before their first write. <see cref="IRepository{T, TId}.SaveAsync"/> is one script (hash with a TTL
/// of 86400 s, job sets). <see cref="IRepository{T, TId}.GetByIdAsync"/> is one HGETALL.
/// <see cref="IRepository{T, TId}.ExistsAsync"/> is one EXISTS of the hash. <see cref="IRepository{T, TId}.DeleteAsync"/>
/// is one script: it reads the hash's <c>category</c> and <c>extension</c> (to name the extension job set), then deletes
/// the hash and removes the id from the job sets and the key registry (when the hash already expired, the extension job
/// set cannot be named and keeps the id). <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> reads
/// <c>jobs:active</c> and <c>jobs:inactive</c> of every room in <c>rooms:index</c> (no SCAN). StackExchange.Redis takes
/// no cancellation tokens, so a command may still run on the server after the caller gave up.
/// </para>
/// </remarks>
public interface IJobRepository : IEnumerableRepository<Job, JobId>
{
    /// <summary>Creates (or replaces) a job and queues its task, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="job">The job; all sixteen fields are written (<c>""</c> for unset ones), as ZnDraw writes them.</param>
    /// <param name="enqueue">The task to append to the extension's queue in the same step (Redis backend: RPUSH); its room and job id must be the job's. To store a job without a task use <see cref="IRepository{T, TId}.SaveAsync"/>.</param>
    /// <param name="queueScope">Whether <paramref name="enqueue"/> goes to the room-scoped or the global extension's queue.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the job is stored.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: one script: DEL + HSET of the hash, EXPIRE 86400, SADD <c>jobs:active</c> (or <c>jobs:inactive</c> for a finished
    /// job, removing it from the other), ZADD <c>jobs:by_time</c>, SADD <c>extension:{category}:{ext}:jobs</c>, SADD the
    /// job hash and the extension job set to <c>room:{room}:keys</c>, and RPUSH the task. One round trip.
    /// </para>
    /// <para>
    /// Redis backend: the <c>jobs:by_time</c> score is the creation time in epoch seconds computed in UTC (microsecond precision).
    /// ZnDraw computes it from a naive UTC time read as local time, so its scores are shifted by the server's UTC offset
    /// unless that server runs in UTC; mixed data sorts consistently only then.
    /// </para>
    /// <para>
    /// Redis backend: a global extension's queue is in another slot under <see cref="KeyLayout.ClusterSafe"/>: the job is written
    /// first and the RPUSH follows as a second command, so a crash in between leaves a queued job without a task (it
    /// expires with its hash) rather than a task without a job.
    /// </para>
    /// </remarks>
    ValueTask CreateAsync(Job job, ExtensionTask enqueue, ExtensionScope queueScope = ExtensionScope.Room, CancellationToken cancellationToken = default);

    /// <summary>Marks a queued job running: <c>status</c>, <c>started_at</c>, <c>worker_id</c>, <c>wait_time_ms</c> (now − <c>created_at</c>), in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="workerId">The worker running it.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see cref="JobTransitionResult.WrongStatus"/> unless the job is queued. <see cref="IExtensionRepository.DequeueAsync"/> already does this.</returns>
    /// <remarks><para>Redis backend: one script (HSET of the hash).</para></remarks>
    ValueTask<JobTransitionResult> StartAsync(string roomId, string jobId, string workerId, CancellationToken cancellationToken = default);

    /// <summary>Completes a queued or running job with its result, and moves it from the room's active to its inactive jobs, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="result">The result JSON (field <c>result</c>).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>
    /// <see cref="JobTransitionResult.WrongStatus"/> (nothing written) when the job already completed or failed.
    /// Writes <c>status</c>, <c>completed_at</c>, <c>execution_time_ms</c> (now − <c>started_at</c>, <c>""</c> when never started).
    /// </returns>
    /// <remarks><para>Redis backend: one script: HSET of the hash, SREM <c>room:{room}:jobs:active</c>, SADD <c>room:{room}:jobs:inactive</c>.</para></remarks>
    ValueTask<JobTransitionResult> CompleteAsync(string roomId, string jobId, JsonElement result, CancellationToken cancellationToken = default);

    /// <summary>Fails a queued or running job with an error message, and moves it to the room's inactive jobs, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="error">The error text (field <c>error</c>); not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>As <see cref="CompleteAsync"/>.</returns>
    /// <remarks><para>Redis backend: one script, as <see cref="CompleteAsync"/> (the job moves to <c>room:{room}:jobs:inactive</c>).</para></remarks>
    ValueTask<JobTransitionResult> FailAsync(string roomId, string jobId, string error, CancellationToken cancellationToken = default);

    /// <summary>The ids of the room's active jobs.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The ids, unordered.</returns>
    /// <remarks>
    /// <para>Not pruned: like ZnDraw, ids of expired jobs stay listed; <see cref="IRepository{T, TId}.GetByIdAsync"/> returns null for them and <see cref="IRepository{T, TId}.DeleteAsync"/> removes them.</para>
    /// <para>Redis backend: <c>SMEMBERS room:{room}:jobs:active</c>; ids whose hash expired stay listed because pruning would need every hash's key, one more round trip.</para>
    /// </remarks>
    ValueTask<IReadOnlyList<string>> ListActiveAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The ids of the room's inactive jobs; not pruned, as <see cref="ListActiveAsync"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The ids, unordered.</returns>
    /// <remarks><para>Redis backend: <c>SMEMBERS room:{room}:jobs:inactive</c>.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListInactiveAsync(string roomId, CancellationToken cancellationToken = default);
}
