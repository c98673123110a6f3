using System.Text.Json;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Extensions (room-scoped and global): schemas, worker sets, the worker reverse index and the task queue.</summary>
/// <remarks>
/// <para>
/// Every state change is one atomic step that validates the stored data before its first write, so nothing is
/// half-written. Deleting the room deletes its room-scoped extensions. Every registration is recorded per worker, so that
/// <see cref="UnregisterWorkerAsync"/> cleans every room and category the worker registered in.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// ids throw <see cref="ArgumentException"/> before anything is stored; stored data of the wrong type or encoding throws
/// <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// The aggregate is one extension's registration, <see cref="ExtensionSchema"/> (its scope, room, category, name and
/// parameter schema), addressed by <see cref="ExtensionId"/>. Its workers and its task queue are runtime state of live
/// connections: they are not part of the saved aggregate (a copy to another backend must not invent workers there);
/// workers join a saved extension with <see cref="RegisterExtensionAsync"/> (the same schema: joined).
/// <see cref="IRepository{T, TId}.GetByIdAsync"/> reads the schema (<see cref="ExtensionSchema.WorkerId"/> and
/// <see cref="ExtensionSchema.RegisteredAt"/> are <see langword="null"/>: ZnDraw stores neither).
/// <see cref="IRepository{T, TId}.SaveAsync"/> writes the schema (create or replace; <see cref="ExtensionSchema.WorkerId"/>
/// and <see cref="ExtensionSchema.RegisteredAt"/> are ignored) in one atomic step.
/// <see cref="IRepository{T, TId}.DeleteAsync"/> removes the whole extension in one atomic step: the schema, its workers
/// (also from each worker's reverse index) and the queue (queued tasks are dropped; their jobs stay, see
/// <see cref="IJobRepository"/>); it returns whether the schema existed.
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> lists the room-scoped extensions of every indexed room and the
/// global extensions of the categories <c>modifiers</c>, <c>selections</c>, <c>analysis</c> and every category found in a
/// room; a global extension of another category is not listed.
/// </para>
/// <para>
/// Redis backend: keys are ZnDraw's (<c>room:{room}:extensions:{category}…</c>, <c>global:extensions:{category}…</c>);
/// every state change is one Lua script (every key in <c>KEYS</c>; a script refuses with WRONGTYPE before its first write
/// when a key has the wrong type). Room-scoped writes also register the room's id-bearing keys in <c>room:{room}:keys</c>
/// in the same script. Every registration is recorded in <c>zndraw-storage:worker:{sid}:registrations</c>; workers a
/// ZnDraw server registered are found through ZnDraw's own reverse indexes. StackExchange.Redis takes no tokens, so a
/// command may still run on the server after the caller gave up.
/// </para>
/// <para>
/// Redis backend: <see cref="IRepository{T, TId}.GetByIdAsync"/> is one HGET of the schema.
/// <see cref="IRepository{T, TId}.ExistsAsync"/> is one HEXISTS. <see cref="IRepository{T, TId}.SaveAsync"/> is one
/// script: HSET, and SADD of the schema hash to the room key registry (room scope).
/// <see cref="IRepository{T, TId}.DeleteAsync"/> is one script: HDEL of the schema, SREM of the name from the reverse index
/// of every idle and progressing worker, DEL of both worker sets and the queue, SREM of those keys from the room key
/// registry. Worker registration sets keep an entry that points at nothing, which the next
/// <see cref="UnregisterWorkerAsync"/> drops. <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> (no SCAN): for every
/// room in <c>rooms:index</c>, the categories named in the room key registry (SMEMBERS) and HKEYS of each schema hash; then
/// HKEYS of the global schema hashes of those categories (global categories have no index). Room-scoped extensions a
/// ZnDraw server registered appear after the reindex operation adds their keys to the registry.
/// </para>
/// </remarks>
public interface IExtensionRepository : IEnumerableRepository<ExtensionSchema, ExtensionId>
{
    /// <summary>Registers <paramref name="workerId"/> as a worker of <paramref name="extension"/>, storing its schema when the extension is new.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension.</param>
    /// <param name="schema">The JSON schema of the extension's parameters (stored as Python's <c>json.dumps</c> writes it).</param>
    /// <param name="workerId">The worker's sid (or <c>celery:{task}</c>).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>
    /// <see cref="ExtensionRegistrationResult.SchemaConflict"/> (nothing written) when a schema is stored under the name and
    /// is not equal as JSON (object member order and <c>1</c> vs <c>1.0</c> do not matter); otherwise
    /// <see cref="ExtensionRegistrationResult.Registered"/> or <see cref="ExtensionRegistrationResult.Joined"/>.
    /// </returns>
    /// <remarks>
    /// <para>
    /// The schema comparison and the registration are one atomic step: the schema is stored when new, the worker joins the idle workers (not while it is progressing), and the registration is recorded for the worker so that <see cref="UnregisterWorkerAsync"/> finds it.
    /// </para>
    /// <para>
    /// Redis backend: one script: HGET (compare), HSET schema, SADD idle_workers (skipped while the worker is in progressing_workers),
    /// SADD reverse index <c>…:extensions:{category}:{sid}</c>, SADD room key registry, and under
    /// <see cref="KeyLayout.ZnDraw"/> SADD the worker's registrations set. Under
    /// <see cref="KeyLayout.ClusterSafe"/> that set is in another slot: it is written first (SADD, idempotent), then
    /// the script runs; a crash in between leaves only an entry that points at nothing, which the next unregister drops.
    /// One round trip (two under ClusterSafe).
    /// </para>
    /// </remarks>
    ValueTask<ExtensionRegistrationResult> RegisterExtensionAsync(ExtensionId extension, JsonElement schema, string workerId, CancellationToken cancellationToken = default);

    /// <summary>Removes a worker from every extension it registered, in every room and the global scope, and every category, whether this library or a ZnDraw server registered it.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="workerId">The worker's sid.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>How many extensions the worker left, and how many of them were deleted.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: the scopes to clean: every entry of the worker's registrations set (what this library registered) and, in the
    /// <see cref="KeyLayout.ZnDraw"/> layout, the scopes a ZnDraw server registers workers in, which it records only
    /// in its reverse indexes <c>room:{room}:extensions:{category}:{sid}</c> and <c>global:extensions:{category}:{sid}</c>:
    /// for the categories <c>modifiers</c>, <c>selections</c>, <c>analysis</c> (the ones ZnDraw's disconnect handler
    /// cleans) plus every category of the registrations set, the global scope and the <c>currentRoom</c> of the sid's
    /// user (<c>sid:{sid}</c> → <c>user:{user}</c>), as ZnDraw's disconnect handler looks it up. No SCAN: a worker that
    /// ZnDraw registered in another room than the user's current one, or in another category, is not found (ZnDraw's
    /// own handler misses it too), and once <c>sid:{sid}</c> is deleted only the global scope is found, so call this
    /// before deleting the session.
    /// </para>
    /// <para>
    /// Per extension the worker is removed from the idle and progressing workers; when the extension then has no worker and an empty queue, it is deleted. The worker's registrations are re-checked in the step that writes, so a worker registering concurrently never loses its schema; an interrupted call is completed by calling again.
    /// </para>
    /// <para>
    /// Redis backend: round trips: SMEMBERS of the registrations set (with GET <c>sid:{sid}</c> in the same batch in the ZnDraw
    /// layout), HGET <c>user:{user}</c> <c>currentRoom</c> (ZnDraw layout, when the sid names a user), one batch of
    /// SMEMBERS of every reverse index, then one script that re-checks each reverse index is unchanged (else everything
    /// is re-read and retried) and, per extension: SREM the worker from idle_workers and progressing_workers; when both
    /// sets are then empty and LLEN queue is 0, DEL the sets and HDEL the schema field. Then DEL the reverse index (ZnDraw's
    /// and the library's: one key) and SREM the registration entry. Because the sets are re-checked inside the script, a
    /// worker registering concurrently never loses its schema.
    /// </para>
    /// <para>
    /// Redis backend: <see cref="KeyLayout.ZnDraw"/>: one script over every scope and the registrations set.
    /// <see cref="KeyLayout.ClusterSafe"/> (no ZnDraw server writes there): one script per scope (room, or global
    /// category), then SREM of the processed entries from the registrations set (another slot). Entries are only removed
    /// after their scope was cleaned, so a crash in between is repaired by calling again. A registration by the same
    /// worker id racing its own unregistration can lose its entry under ClusterSafe; ZnDraw sids are per connection, so a
    /// disconnected worker does not register again. Filesystem entries of the registrations set are left to
    /// <see cref="IFilesystemRepository"/>.
    /// </para>
    /// </remarks>
    ValueTask<ExtensionWorkerRemoval> UnregisterWorkerAsync(string workerId, CancellationToken cancellationToken = default);

    /// <summary>Lists the extensions of one category in a room or the global scope, in stored order.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="scope">Room-scoped or global.</param>
    /// <param name="roomId">The room, for <see cref="ExtensionScope.Room"/>; must be null for <see cref="ExtensionScope.Global"/>.</param>
    /// <param name="category">The category.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The readable schemas; empty when none.</returns>
    /// <remarks>
    /// <para>
    /// The listing never fails because of one extension and never alters a value: a schema whose JSON cannot be read
    /// (for which <see cref="IRepository{T, TId}.GetByIdAsync"/> throws <see cref="StorageDataException"/>) is left out and reported: one
    /// warning naming the key and field, and one count on
    /// <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged <c>aggregate=extension</c>. Stored data that is not a set of entries at all throws <see cref="StorageDataException"/>.
    /// </para>
    /// <para>
    /// Redis backend: HGETALL of the schema hash. A schema hash of the wrong Redis type (WRONGTYPE) holds no entries to list and throws <see cref="StorageDataException"/>.
    /// </para>
    /// </remarks>
    ValueTask<IReadOnlyList<ExtensionSchema>> ListExtensionsAsync(ExtensionScope scope, string? roomId, string category, CancellationToken cancellationToken = default);

    /// <summary>Lists an extension's workers, idle and progressing, read together.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Idle workers first, then progressing ones.</returns>
    /// <remarks><para>Redis backend: SMEMBERS of idle_workers and progressing_workers in one batch.</para></remarks>
    ValueTask<IReadOnlyList<WorkerState>> GetWorkersAsync(ExtensionId extension, CancellationToken cancellationToken = default);

    /// <summary>Takes any idle worker of the extension and marks it progressing, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The worker id, or <see langword="null"/> when no worker is idle.</returns>
    /// <remarks><para>Redis backend: one script: SPOP idle, SADD progressing.</para></remarks>
    ValueTask<string?> AcquireWorkerAsync(ExtensionId extension, CancellationToken cancellationToken = default);

    /// <summary>Marks a worker idle again: for this extension and, as ZnDraw does, for every other extension of its reverse index.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension the worker finished a task of.</param>
    /// <param name="workerId">The worker.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the worker was progressing in <paramref name="extension"/>.</returns>
    /// <remarks>
    /// <para>
    /// The worker becomes idle in every extension it serves, in one atomic step re-checked against its registrations. A worker that is not registered any more is only removed from this extension's progressing workers.
    /// </para>
    /// <para>
    /// Redis backend: reads the reverse index <c>…:extensions:{category}:{sid}</c> (SMEMBERS), then one script re-checks it (retrying
    /// when it changed) and, per extension served, SREM progressing_workers + SADD idle_workers. A worker that is not in
    /// the reverse index (unregistered) is only removed from this extension's progressing set. Two round trips.
    /// </para>
    /// </remarks>
    ValueTask<bool> ReleaseWorkerAsync(ExtensionId extension, string workerId, CancellationToken cancellationToken = default);

    /// <summary>Appends a task to the extension's queue (ZnDraw's JSON), so that deleting the room finds the queue.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension.</param>
    /// <param name="task">The task; for a room-scoped extension its room must be the extension's room.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The queue length after the push.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: one MULTI (RPUSH, SADD <c>room:{room}:keys</c>); for a global extension a single RPUSH.
    /// </para>
    /// <para>
    /// To create the job and queue its task atomically use <see cref="IJobRepository.CreateAsync"/>.
    /// </para>
    /// </remarks>
    ValueTask<long> EnqueueAsync(ExtensionId extension, ExtensionTask task, CancellationToken cancellationToken = default);

    /// <summary>The number of queued tasks.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The queue length.</returns>
    /// <remarks><para>Redis backend: <c>LLEN</c>.</para></remarks>
    ValueTask<long> QueueLengthAsync(ExtensionId extension, CancellationToken cancellationToken = default);

    /// <summary>Hands the oldest queued task to an idle worker: pops it, marks its job running and the worker progressing, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension.</param>
    /// <param name="workerId">The polling worker; must be idle for this extension.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The task (or why there is none) and the stale tasks that were dropped on the way.</returns>
    /// <remarks>
    /// <para>
    /// FIFO. The task is popped and its job marked running together, so no task is lost between pop and job update. A task whose job is gone or already finished is dropped as stale and reported in <see cref="ExtensionDequeueResult.SkippedStaleTasks"/> (never dropped silently); when the worker is not idle nothing changes.
    /// </para>
    /// <para>
    /// Redis backend: FIFO. Reads the head (LINDEX 0) to learn the job's key, then one script: re-checks the head is unchanged (else
    /// retries with the new head it returns); if the job hash is gone or the job already finished, LPOPs the task as
    /// stale and reports it in <see cref="ExtensionDequeueResult.SkippedStaleTasks"/> (never dropped silently); if the
    /// worker is not idle, changes nothing; else SMOVE idle→progressing, LPOP, and HSET the job <c>status</c> running,
    /// <c>started_at</c>, <c>worker_id</c>, <c>wait_time_ms</c> (now − <c>created_at</c>). No task is lost between pop and
    /// job update. Usually two round trips; contention and stale tasks add one each.
    /// </para>
    /// <para>
    /// Redis backend: the job hash is <c>JobKeys(task.room, jobId)</c>. Under <see cref="KeyLayout.ClusterSafe"/> it is in the
    /// task room's slot; when that is not the queue's slot (a global extension, or a task of another room) the job is
    /// marked running by a second script right after the pop. If the job hash expired in between, the task is returned
    /// with <see cref="ExtensionDequeueResult.JobStarted"/> false.
    /// </para>
    /// </remarks>
    ValueTask<ExtensionDequeueResult> DequeueAsync(ExtensionId extension, string workerId, CancellationToken cancellationToken = default);
}
