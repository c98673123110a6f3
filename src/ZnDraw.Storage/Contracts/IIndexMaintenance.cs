
namespace ZnDraw.Storage.Contracts;

/// <summary>Rebuilds the backend's indexes and room key registries from the stored data, for data written by an older ZnDraw server.</summary>
/// <remarks>
/// <para>
/// Every backend: adds to the room, user and admin indexes every room, user and admin found in the stored data, records each
/// room's id-bearing entries so that deleting the room finds them, records the registrations of workers a ZnDraw server
/// registered so that disconnect cleanup finds them, and removes index entries whose data was not found and is still absent
/// when checked again, so that writers running concurrently are not undone. Idempotent: running it twice gives the same
/// indexes. Safe to run against a live server; data created during the run is indexed by its own writers. The token is
/// checked between reads; work already written stays.
/// </para>
/// <para>
/// Redis backend: with the integrity check (<c>StorageCheck</c>), the only place in the library that uses <c>SCAN</c>. It walks every key of the key space (MATCH
/// <c>{prefix}*</c>) on every primary of the connection, page by page, and then:
/// </para>
/// <list type="bullet">
/// <item><description><c>rooms:index</c>: adds every room id that has any key under <c>{prefix}room:{id}:</c> (ZnDraw's own
/// room listing rule: the second segment of <c>room:*</c>); ids that are not valid room ids are skipped.</description></item>
/// <item><description><c>users:index</c>: adds every user name whose <c>user:{name}</c> key is a hash.</description></item>
/// <item><description><c>admins:index</c>: adds every user name whose <c>admin:user:{name}</c> holds <c>"1"</c>.</description></item>
/// <item><description>each room's key registry (<c>room:{room}:keys</c>): adds every key under the room's prefix
/// whose name is not one of the fixed room keys (lock targets, frame selections, per-user settings and extension data,
/// extension and filesystem keys), and in the cluster-safe layout the room's job hashes (<c>job:{room}:…</c>).</description></item>
/// <item><description>each worker's reverse index (<c>zndraw-storage:worker:{sid}:registrations</c>): adds the scope of every
/// extension <c>idle_workers</c> / <c>progressing_workers</c> set (room-scoped and global) the worker is a member of,
/// so that disconnect cleanup finds workers ZnDraw registered.</description></item>
/// <item><description>removes index entries whose keys were not found and are still absent when checked again (a
/// room without <c>current_frame</c>, a user without hash, an admin flag not <c>"1"</c>), so that writers running
/// concurrently are not undone. Registries are only added to: a stale name in a registry costs nothing.</description></item>
/// </list>
/// <para>
/// Redis backend: idempotent: running it twice gives the same sets. Keys created during the scan are indexed by their own
/// writers. The token is checked between keys and pages.
/// </para>
/// <para>
/// A host started with <c>AddZnDrawStorage</c> runs this in the background at start and every
/// <see cref="ZnDrawIndexReconciliationOptions.Interval"/> (see <c>docs/index-reconciliation.md</c>); entries added
/// and removed are counted by <see cref="Diagnostics.ZnDrawStorageDiagnostics.IndexReconciledInstrument"/>.
/// </para>
/// </remarks>
public interface IIndexMaintenance
{
    /// <summary>The default <c>COUNT</c> hint of each <c>SCAN</c>: 1000 keys.</summary>
    public const int DefaultPageSize = 1000;

    /// <summary>Rebuilds the index sets and room key registries, scanning <paramref name="pageSize"/> keys per <c>SCAN</c> call.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="pageSize">The <c>COUNT</c> hint of each <c>SCAN</c>, 1 to 100000; default <see cref="DefaultPageSize"/>.</param>
    /// <param name="cancellationToken">Stops the scan between keys and pages.</param>
    /// <returns>What was found and written.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pageSize"/> is out of range.</exception>
    ValueTask<ReindexResult> ReindexAsync(int pageSize = DefaultPageSize, CancellationToken cancellationToken = default);
}

/// <summary>What <see cref="IIndexMaintenance.ReindexAsync(int, CancellationToken)"/> found and wrote.</summary>
/// <param name="KeysScanned">Keys the scan visited (under the key space's prefix).</param>
/// <param name="Rooms">Room ids found (now in <c>rooms:index</c>).</param>
/// <param name="Users">User names found (now in <c>users:index</c>).</param>
/// <param name="Admins">Admin user names found (now in <c>admins:index</c>).</param>
/// <param name="RegisteredKeys">Id-bearing room keys found (now in their room's key registry).</param>
/// <param name="StaleEntriesRemoved">Index entries removed because their keys no longer exist.</param>
/// <param name="SkippedKeys">Keys that looked like room, user or admin keys but carry an id this library refuses.</param>
public sealed record ReindexResult(
    long KeysScanned,
    int Rooms,
    int Users,
    int Admins,
    long RegisteredKeys,
    int StaleEntriesRemoved,
    long SkippedKeys);
