using System.Text.Json;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Extension jobs: the hash <c>job:{job}</c> and the room's job sets (active, inactive, by time, per extension).</summary>
/// <remarks>
/// <para>
/// Under <see cref="KeyLayout.ZnDraw"/> the hash is ZnDraw's <c>job:{job}</c>; under
/// <see cref="KeyLayout.ClusterSafe"/> it is <c>job:{room}:{job}</c>, in the room's slot, so every job write
/// (hash, sets, registry, and a room-scoped queue) is one script. Job ids must be unique across rooms (ZnDraw uses
/// UUIDs). State changes are Lua scripts that refuse with WRONGTYPE before their first write.
/// </para>
/// <para>
/// A <see cref="CancellationToken"/> is checked before anything is sent and then bounds the wait only; a command may
/// still run on the server after the caller gave up. Invalid ids throw <see cref="ArgumentException"/> before anything
/// is sent; stored data of the wrong type or encoding throws <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// The aggregate is one job (<see cref="Job"/>), addressed by <see cref="JobId"/> (room and job id).
/// <see cref="IRepository{T, TId}.SaveAsync"/> is <see cref="CreateAsync"/> without a task: one script writes the hash
/// (all sixteen fields, a fresh TTL of 86400 s) and the room's job sets. <see cref="IRepository{T, TId}.GetByIdAsync"/>
/// is one HGETALL (<see langword="null"/> when the hash does not exist: never created, deleted or expired).
/// <see cref="IRepository{T, TId}.ExistsAsync"/> is one EXISTS of the hash. <see cref="IRepository{T, TId}.DeleteAsync"/>
/// is one script: it reads the hash's <c>category</c> and <c>extension</c> (to name the extension job set), then deletes
/// the hash and removes the id from the job sets and the key registry; it returns whether the hash existed (when the
/// hash already expired, the extension job set cannot be named and keeps the id).
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> reads <c>jobs:active</c> and <c>jobs:inactive</c> of every
/// room in <c>rooms:index</c> (no SCAN); like those sets it is not pruned, so it may name jobs whose hash expired.
/// </para>
/// </remarks>
public interface IJobRepository : IEnumerableRepository<Job, JobId>
{
    /// <summary>Creates (or replaces) a job and queues its task, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="job">The job; all sixteen fields are written (<c>""</c> for unset ones), as ZnDraw writes them.</param>
    /// <param name="enqueue">The task to RPUSH to the extension's queue in the same step; its room and job id must be the job's. To store a job without a task use <see cref="IRepository{T, TId}.SaveAsync"/>.</param>
    /// <param name="queueScope">Whether <paramref name="enqueue"/> goes to the room-scoped or the global extension's queue.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the job is stored.</returns>
    /// <remarks>
    /// <para>
    /// One script: DEL + HSET of the hash, EXPIRE 86400, SADD <c>jobs:active</c> (or <c>jobs:inactive</c> for a finished
    /// job, removing it from the other), ZADD <c>jobs:by_time</c>, SADD <c>extension:{category}:{ext}:jobs</c>, SADD the
    /// job hash and the extension job set to <c>room:{room}:keys</c>, and RPUSH the task. One round trip.
    /// </para>
    /// <para>
    /// The <c>jobs:by_time</c> score is the creation time in epoch seconds computed in UTC (microsecond precision).
    /// ZnDraw computes it from a naive UTC time read as local time, so its scores are shifted by the server's UTC offset
    /// unless that server runs in UTC; mixed data sorts consistently only then.
    /// </para>
    /// <para>
    /// A global extension's queue is in another slot under <see cref="KeyLayout.ClusterSafe"/>: the job is written
    /// first and the RPUSH follows as a second command, so a crash in between leaves a queued job without a task (it
    /// expires with its hash) rather than a task without a job.
    /// </para>
    /// </remarks>
    ValueTask CreateAsync(Job job, ExtensionTask enqueue, ExtensionScope queueScope = ExtensionScope.Room, CancellationToken cancellationToken = default);

    /// <summary>Marks a queued job running: <c>status</c>, <c>started_at</c>, <c>worker_id</c>, <c>wait_time_ms</c> (now − <c>created_at</c>), in one script.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="workerId">The worker running it.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see cref="JobTransitionResult.WrongStatus"/> unless the job is queued. <see cref="IExtensionRepository.DequeueAsync"/> already does this.</returns>
    ValueTask<JobTransitionResult> StartAsync(string roomId, string jobId, string workerId, CancellationToken cancellationToken = default);

    /// <summary>Completes a queued or running job with its result, and moves it from <c>jobs:active</c> to <c>jobs:inactive</c>, in one script.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="result">The result JSON (field <c>result</c>).</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>
    /// <see cref="JobTransitionResult.WrongStatus"/> (nothing written) when the job already completed or failed.
    /// Writes <c>status</c>, <c>completed_at</c>, <c>execution_time_ms</c> (now − <c>started_at</c>, <c>""</c> when never started).
    /// </returns>
    ValueTask<JobTransitionResult> CompleteAsync(string roomId, string jobId, JsonElement result, CancellationToken cancellationToken = default);

    /// <summary>Fails a queued or running job with an error message, and moves it to <c>jobs:inactive</c>, in one script.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="error">The error text (field <c>error</c>); not empty.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>As <see cref="CompleteAsync"/>.</returns>
    ValueTask<JobTransitionResult> FailAsync(string roomId, string jobId, string error, CancellationToken cancellationToken = default);

    /// <summary>The ids in <c>room:{room}:jobs:active</c> (SMEMBERS).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The ids, unordered.</returns>
    /// <remarks>Not pruned: like ZnDraw, ids whose hash expired stay listed (pruning would need every hash's key, one more round trip); <see cref="IRepository{T, TId}.GetByIdAsync"/> returns null for them and <see cref="IRepository{T, TId}.DeleteAsync"/> removes them.</remarks>
    ValueTask<IReadOnlyList<string>> ListActiveAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The ids in <c>room:{room}:jobs:inactive</c> (SMEMBERS); not pruned, as <see cref="ListActiveAsync"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The ids, unordered.</returns>
    ValueTask<IReadOnlyList<string>> ListInactiveAsync(string roomId, CancellationToken cancellationToken = default);
}
