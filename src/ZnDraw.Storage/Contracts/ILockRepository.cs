using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Room locks (per target, with their metadata) and the room's presenter lock.</summary>
/// <remarks>
/// <para>
/// The owner token of a lock is the holder's user name, which is what ZnDraw stores in the lock key: a ZnDraw server
/// and a .NET host can then take, refresh and release each other's locks by the same rules. As in ZnDraw, every session
/// of one user therefore shares that user's locks. The presenter lock is owned by a Socket.IO sid, as in ZnDraw.
/// </para>
/// <para>
/// Every conditional write is one atomic step that compares the owner and changes the lock and its metadata together,
/// where ZnDraw uses GET-then-write sequences (a lock could expire and be taken by someone else in between, and two
/// clients could both become presenter). Deleting the room removes its locks.
/// </para>
/// <para>
/// TTLs must be more than zero and at most <see cref="LockLimits.MaxTimeToLive"/>; they are stored as whole seconds,
/// rounded up. The token is checked before anything is sent and then bounds the
/// wait; a backend may still complete the call. Invalid ids, targets, holders and TTLs throw before anything is stored;
/// unreadable metadata throws <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// Redis backend: a lock is the string <c>room:{room}:lock:{target}</c> (the holder, with a TTL) with its metadata key; the
/// presenter lock is <c>room:{room}:presenter_lock</c>. Every conditional write is one Lua script. All keys of one room
/// share a slot under <see cref="KeyLayout.ClusterSafe"/>, including the room's key registry (<c>room:{room}:keys</c>),
/// in which the scripts record the lock and metadata key names so that deleting the room removes them. TTLs are sent as
/// whole seconds. StackExchange.Redis takes no cancellation tokens, so a command may still run on the server after the
/// caller stopped waiting. A key of the wrong Redis type (WRONGTYPE) throws <see cref="StorageDataException"/> naming the key.
/// </para>
/// </remarks>
public interface ILockRepository
{
    /// <summary>Takes the lock for <paramref name="holder"/>; <see langword="false"/> when another holder has it. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target, usually <see cref="LockInfo.TrajectoryMetaTarget"/>.</param>
    /// <param name="holder">The user name that will hold the lock (the owner token).</param>
    /// <param name="timeToLive">The TTL: more than zero, at most 300 s; rounded up to whole seconds.</param>
    /// <param name="metadata">Metadata to store with the same TTL, or <see langword="null"/>; its <see cref="LockMetadata.UserName"/> must be <paramref name="holder"/>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when <paramref name="holder"/> holds the lock after the call.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: one Lua script: <c>GET</c> the lock; when free, <c>SET lock holder EX ttl</c> (ZnDraw's <c>SET NX EX</c>) and
    /// <c>SET metadata json EX ttl</c> when metadata is given, otherwise <c>DEL</c> of a stale metadata key; and
    /// <c>SADD</c> of both key names to the room's key registry.
    /// </para>
    /// <para>
    /// Re-acquiring a lock the same holder already has succeeds and refreshes it: the lock gets the new TTL, the metadata
    /// is replaced when given and otherwise kept with the new TTL. (ZnDraw's <c>SET NX</c> refuses its own holder; since
    /// all sessions of a user share the lock, a second session asking for it would otherwise be told that the lock is
    /// held by itself.)
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is out of range.</exception>
    /// <exception cref="ArgumentException">An id is invalid, or the metadata names another user.</exception>
    ValueTask<bool> AcquireAsync(string roomId, string target, string holder, TimeSpan timeToLive, LockMetadata? metadata = null, CancellationToken cancellationToken = default);

    /// <summary>Extends the lock held by <paramref name="holder"/>; <see langword="false"/> when it does not hold it (expired or someone else's). In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="holder">The user name that must hold the lock.</param>
    /// <param name="timeToLive">The new TTL: more than zero, at most 300 s; rounded up to whole seconds.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the lock was extended.</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>GET</c> compares the holder, then <c>EXPIRE</c> of the lock and of its metadata.</para></remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is out of range.</exception>
    ValueTask<bool> RefreshAsync(string roomId, string target, string holder, TimeSpan timeToLive, CancellationToken cancellationToken = default);

    /// <summary>Releases the lock held by <paramref name="holder"/>; <see langword="false"/> when it does not hold it. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="holder">The user name that must hold the lock.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the lock was released.</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>GET</c> compares the holder, then <c>DEL</c> of the lock and its metadata and <c>SREM</c> of both names from the room's key registry.</para></remarks>
    ValueTask<bool> ReleaseAsync(string roomId, string target, string holder, CancellationToken cancellationToken = default);

    /// <summary>Replaces the lock's metadata, only by its holder; <see langword="false"/> when <paramref name="holder"/> does not hold the lock.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="holder">The user name that must hold the lock.</param>
    /// <param name="metadata">The metadata; its <see cref="LockMetadata.UserName"/> must be <paramref name="holder"/>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the metadata was written.</returns>
    /// <remarks>
    /// <para>
    /// The holder check and the write are one atomic step; the metadata gets the lock's remaining time to live in the same step (ZnDraw sets the TTL in a second command, leaving a window in which the metadata never expires).
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: <c>GET</c> compares the holder, <c>PTTL</c> reads the lock's remaining TTL, and
    /// <c>SET metadata json PX remaining</c> writes the metadata with it in the same command (ZnDraw sets the TTL in a
    /// second command, leaving a window in which the metadata never expires); <c>SADD</c> to the key registry.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException">An id is invalid, or the metadata names another user.</exception>
    ValueTask<bool> SetMetadataAsync(string roomId, string target, string holder, LockMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Reads the lock: holder, remaining TTL and metadata; <see langword="null"/> when nobody holds it.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The lock, or <see langword="null"/>.</returns>
    /// <remarks>
    /// <para>
    /// Holder, remaining time to live and metadata are read in one atomic step, so the three values belong together.
    /// </para>
    /// <para>
    /// Redis backend: one read-only Lua script (<c>GET</c>, <c>PTTL</c>, <c>GET</c> metadata), so the three values belong together.
    /// </para>
    /// </remarks>
    ValueTask<LockInfo?> GetAsync(string roomId, string target, CancellationToken cancellationToken = default);

    /// <summary>Becomes (or stays) presenter of the room; <see langword="false"/> when another session presents. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="sid">The Socket.IO session that wants to present.</param>
    /// <param name="timeToLive">The TTL, <see cref="LockLimits.DefaultPresenterTimeToLive"/> (10 s) when <see langword="null"/>; more than zero, at most 300 s.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when <paramref name="sid"/> is presenter after the call (its TTL renewed).</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>GET</c>; when free or already this sid, <c>SET presenter_lock sid EX ttl</c>. ZnDraw does <c>GET</c> then a plain <c>SET EX</c>, so two clients can both become presenter.</para></remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is out of range.</exception>
    ValueTask<bool> AcquirePresenterAsync(string roomId, string sid, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default);

    /// <summary>Stops presenting, only by the presenting session; <see langword="false"/> when <paramref name="sid"/> is not presenter. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="sid">The Socket.IO session that presents.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the presenter lock was released.</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>GET</c> compares the sid, then <c>DEL</c>.</para></remarks>
    ValueTask<bool> ReleasePresenterAsync(string roomId, string sid, CancellationToken cancellationToken = default);

    /// <summary>The sid of the room's presenter, or <see langword="null"/> when nobody presents.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The sid, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: one <c>GET</c>.</para></remarks>
    ValueTask<string?> GetPresenterAsync(string roomId, CancellationToken cancellationToken = default);
}
