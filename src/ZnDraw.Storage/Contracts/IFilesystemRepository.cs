using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Filesystem providers (ZnDraw 6547422b), room-scoped or global: metadata, providing worker, the worker's reverse index and the scope's index.</summary>
/// <remarks>
/// <para>
/// Listing reads the scope's index; filesystems registered by a ZnDraw server are not in it until the reindex operation adds
/// them. Writes are atomic steps that validate the stored data before their first write.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// ids throw <see cref="ArgumentException"/> before anything is stored; stored data of the wrong type or encoding throws
/// <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// The aggregate is one filesystem, <see cref="FilesystemInfo"/>, addressed by <see cref="FilesystemId"/> (scope, room,
/// name). <see cref="IRepository{T, TId}.SaveAsync"/> registers (or replaces) it, provided by
/// <see cref="FilesystemInfo.WorkerId"/>, in one atomic step. A previous provider's reverse index keeps the name;
/// unregistering that worker skips filesystems it no longer provides. <see cref="IRepository{T, TId}.DeleteAsync"/>
/// removes the filesystem, its provider entry and its index entry in one atomic step, and returns whether it existed.
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> reads the global index, then the index of every room in the
/// room index.
/// </para>
/// <para>
/// Redis backend: keys are ZnDraw's (<c>room:{room}:filesystems:{fs}</c>, <c>…:{fs}:worker</c>, <c>…:filesystems:{sid}</c>,
/// and the <c>global:filesystems:</c> equivalents) plus this library's index sets <c>room:{room}:filesystems</c> and
/// <c>global:filesystems</c>, so listing needs no SCAN. Writes are Lua scripts that refuse with WRONGTYPE before their first
/// write (a filesystem named like a worker's sid collides with that worker's reverse index: ZnDraw's own layout).
/// StackExchange.Redis takes no tokens, so a command may still run on the server after the caller gave up.
/// </para>
/// <para>
/// Redis backend: <see cref="IRepository{T, TId}.SaveAsync"/> is one script: DEL + HSET metadata (<c>name</c>,
/// <c>fsType</c>, <c>workerId</c>, <c>userName</c>, <c>public</c>), SET worker, SADD reverse index, SADD the scope's index
/// set, SADD the room key registry (room scope), and under <see cref="KeyLayout.ZnDraw"/> SADD the worker's registrations
/// set. Under <see cref="KeyLayout.ClusterSafe"/> the registrations set (another slot) is written first, idempotently.
/// <see cref="IRepository{T, TId}.GetByIdAsync"/> is one HGETALL of the metadata hash.
/// <see cref="IRepository{T, TId}.ExistsAsync"/> is one TYPE of it (a hash; a worker's reverse index of the same name
/// is not a filesystem). <see cref="IRepository{T, TId}.DeleteAsync"/> removes the metadata, the worker key, its entry in
/// the provider's reverse index, the index set and the room key registry in one script (which reads the worker key to
/// name the reverse index), and returns whether the metadata hash existed.
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> reads <c>global:filesystems</c>, then
/// <c>room:{room}:filesystems</c> of every room in <c>rooms:index</c> (one SMEMBERS each, no SCAN).
/// </para>
/// </remarks>
public interface IFilesystemRepository : IEnumerableRepository<FilesystemInfo, FilesystemId>
{
    /// <summary>Lists a scope's filesystems, ordered by name.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="scope">Room-scoped or global.</param>
    /// <param name="roomId">The room, or null for global.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The readable filesystems; index entries whose hash is gone are skipped.</returns>
    /// <remarks>
    /// <para>
    /// The listing never fails because of one entry and never alters a value: an entry that cannot be read (stored data of the wrong type, unreadable metadata, an invalid name in the index; <see cref="IRepository{T, TId}.GetByIdAsync"/> throws <see cref="StorageDataException"/> for it) is left out and reported: one warning naming where it is stored, and one count on <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged <c>aggregate=filesystem</c>.
    /// </para>
    /// <para>
    /// Redis backend: one round trip: one script reads the index set and every member's metadata hash (HGETALL). The listing never
    /// fails because of one entry and never alters a value: an entry that cannot be read (a metadata key of the wrong
    /// Redis type, unreadable metadata, an invalid name in the index; <see cref="IRepository{T, TId}.GetByIdAsync"/> throws
    /// <see cref="StorageDataException"/> for it) is left out and reported: one warning naming the key, and one count on
    /// <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged <c>aggregate=filesystem</c>.
    /// </para>
    /// </remarks>
    ValueTask<IReadOnlyList<FilesystemInfo>> ListAsync(ExtensionScope scope, string? roomId, CancellationToken cancellationToken = default);

    /// <summary>Removes every filesystem a worker provides, in every room and the global scope.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="workerId">The worker's sid.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>How many filesystems were removed.</returns>
    /// <remarks>
    /// <para>
    /// Each filesystem whose provider is still this worker is deleted, re-checked against the worker's registrations in the step that writes.
    /// </para>
    /// <para>
    /// Redis backend: sMEMBERS of the worker's registrations set, one batch of SMEMBERS of its reverse indexes, then one script that
    /// re-checks them (retrying when they changed) and deletes each filesystem whose worker key still names this worker,
    /// then the reverse indexes. <see cref="KeyLayout.ZnDraw"/>: one script over every scope and the registrations set;
    /// <see cref="KeyLayout.ClusterSafe"/>: one script per scope, then SREM of the processed entries (another slot).
    /// </para>
    /// </remarks>
    ValueTask<int> UnregisterWorkerAsync(string workerId, CancellationToken cancellationToken = default);
}
