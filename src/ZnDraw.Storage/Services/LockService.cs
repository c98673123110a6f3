using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>
/// Room locks (e.g. <c>trajectory:meta</c>, held by a user name) and the presenter lock (held by a Socket.IO sid), with
/// ZnDraw's TTL rules, on <see cref="ILockRepository"/>.
/// </summary>
/// <remarks>
/// <para>
/// The owner token of a lock is the holder's user name, as ZnDraw stores it, so a ZnDraw server and a .NET host honour
/// each other's locks; all sessions of one user share that user's locks, as in ZnDraw. Refresh, release and metadata
/// changes compare the owner and act in one Lua script, so a lock that expired and was taken by someone else is never
/// extended or deleted by its former holder. The lock metadata is written with the lock's TTL in the same step.
/// </para>
/// <para>
/// TTLs must be more than zero and at most 300 s (<see cref="LockLimits.MaxTimeToLive"/>); they are sent as whole
/// seconds rounded up, so a sub-second TTL becomes 1 s (ZnDraw truncates it to 0, which Redis rejects). Defaults come
/// from <see cref="ZnDrawStorageOptions.Locks"/>. Metadata timestamps come from the injected <see cref="TimeProvider"/>.
/// </para>
/// <para>
/// Refusals (held by another, not the owner) are return values, not exceptions. Every method is one round trip and is
/// timed as an operation of <see cref="ZnDrawStorageDiagnostics"/> (<c>lock.acquire</c>, ...). A cancellation token
/// bounds the wait only: a command already sent may still run.
/// </para>
/// </remarks>
public sealed class LockService
{
    private readonly ILockRepository _locks;
    private readonly ZnDrawLockOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _dbSystem; // db.system.name of the locks repository, for telemetry

    /// <summary>Creates the service.</summary>
    /// <param name="locks">The lock repository.</param>
    /// <param name="options">The storage options; <see cref="ZnDrawStorageOptions.Locks"/> gives the default TTLs.</param>
    /// <param name="timeProvider">The clock for metadata timestamps and lease expiries.</param>
    /// <param name="logger">The logger.</param>
    public LockService(ILockRepository locks, IOptions<ZnDrawStorageOptions> options, TimeProvider timeProvider, ILogger<LockService> logger)
    {
        ArgumentNullException.ThrowIfNull(locks);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _locks = locks;
        _dbSystem = DbSystem.Of(locks);
        _options = options.Value.Locks;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>Takes a lock for <paramref name="holder"/>; <see langword="null"/> when another holder has it.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target, usually <see cref="LockInfo.TrajectoryMetaTarget"/>.</param>
    /// <param name="holder">The user name that will hold the lock (the owner token).</param>
    /// <param name="timeToLive">The TTL; <see cref="ZnDrawLockOptions.DefaultTtl"/> when <see langword="null"/>. More than 0, at most 300 s.</param>
    /// <param name="message">A message for the metadata (ZnDraw's <c>msg</c>), or <see langword="null"/> to write no metadata.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The lease, or <see langword="null"/> when another holder has the lock (see <see cref="GetAsync"/> for who).</returns>
    /// <remarks>
    /// One Lua script (ZnDraw's <c>SET NX EX</c>): when the lock is free it is set with the TTL and, when a message is
    /// given, the metadata <c>{"userName", "timestamp", "msg"}</c> with the same TTL in the same step. A holder that
    /// already has the lock gets it again with the new TTL (all sessions of a user share its locks).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is zero, negative or above 300 s.</exception>
    /// <exception cref="ArgumentException">An id, the target or the holder is empty or invalid.</exception>
    public async ValueTask<LockLease?> AcquireAsync(string roomId, string target, string holder, TimeSpan? timeToLive = null, string? message = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(roomId, target, holder);
        var ttl = timeToLive ?? _options.DefaultTtl;
        var seconds = LockLimits.ToSeconds(ttl, nameof(timeToLive));
        using var op = StorageOperation.Start("lock.acquire", _dbSystem);
        try
        {
            var now = _time.GetUtcNow();
            var metadata = message is null ? null : Metadata(holder, now, message);
            if (!await _locks.AcquireAsync(roomId, target, holder, ttl, metadata, cancellationToken).ConfigureAwait(false))
            {
                LockServiceLog.AcquireRefused(_logger, roomId, target, holder);
                return null;
            }

            LockServiceLog.Acquired(_logger, roomId, target, holder, seconds);
            return Lease(roomId, target, holder, now, seconds);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Extends a lock, only by its holder; <see langword="null"/> when <paramref name="holder"/> does not hold it (expired or someone else's).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="holder">The user name that must hold the lock.</param>
    /// <param name="timeToLive">The new TTL; <see cref="ZnDrawLockOptions.DefaultTtl"/> when <see langword="null"/>. More than 0, at most 300 s.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The renewed lease, or <see langword="null"/>.</returns>
    /// <remarks>One Lua script: compares the holder, then <c>EXPIRE</c> of the lock and of its metadata.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is zero, negative or above 300 s.</exception>
    /// <exception cref="ArgumentException">An id, the target or the holder is empty or invalid.</exception>
    public async ValueTask<LockLease?> RefreshAsync(string roomId, string target, string holder, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ValidateNames(roomId, target, holder);
        var ttl = timeToLive ?? _options.DefaultTtl;
        var seconds = LockLimits.ToSeconds(ttl, nameof(timeToLive));
        using var op = StorageOperation.Start("lock.refresh", _dbSystem);
        try
        {
            var now = _time.GetUtcNow();
            if (!await _locks.RefreshAsync(roomId, target, holder, ttl, cancellationToken).ConfigureAwait(false))
            {
                LockServiceLog.NotOwner(_logger, "refresh", roomId, target, holder);
                return null;
            }

            LockServiceLog.Refreshed(_logger, roomId, target, holder, seconds);
            return Lease(roomId, target, holder, now, seconds);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Releases a lock, only by its holder; <see langword="false"/> when <paramref name="holder"/> does not hold it.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="holder">The user name that must hold the lock.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see langword="true"/> when the lock and its metadata were deleted.</returns>
    /// <remarks>One Lua script: compares the holder, then deletes the lock and its metadata together.</remarks>
    /// <exception cref="ArgumentException">An id, the target or the holder is empty or invalid.</exception>
    public async ValueTask<bool> ReleaseAsync(string roomId, string target, string holder, CancellationToken cancellationToken = default)
    {
        ValidateNames(roomId, target, holder);
        using var op = StorageOperation.Start("lock.release", _dbSystem);
        try
        {
            var released = await _locks.ReleaseAsync(roomId, target, holder, cancellationToken).ConfigureAwait(false);
            if (released)
            {
                LockServiceLog.Released(_logger, roomId, target, holder);
            }
            else
            {
                LockServiceLog.NotOwner(_logger, "release", roomId, target, holder);
            }

            return released;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Replaces a lock's metadata message, only by its holder; <see langword="false"/> when <paramref name="holder"/> does not hold it.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="holder">The user name that must hold the lock.</param>
    /// <param name="message">The message (ZnDraw's <c>msg</c>).</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see langword="true"/> when the metadata was written.</returns>
    /// <remarks>
    /// One Lua script: compares the holder and writes <c>{"userName", "timestamp", "msg"}</c> with the lock's remaining
    /// TTL in the same command (ZnDraw sets the TTL in a second command).
    /// </remarks>
    /// <exception cref="ArgumentException">An id, the target or the holder is empty or invalid.</exception>
    public async ValueTask<bool> SetMetadataAsync(string roomId, string target, string holder, string message, CancellationToken cancellationToken = default)
    {
        ValidateNames(roomId, target, holder);
        ArgumentNullException.ThrowIfNull(message);
        using var op = StorageOperation.Start("lock.set_metadata", _dbSystem);
        try
        {
            var written = await _locks.SetMetadataAsync(roomId, target, holder, Metadata(holder, _time.GetUtcNow(), message), cancellationToken).ConfigureAwait(false);
            if (!written)
            {
                LockServiceLog.NotOwner(_logger, "set metadata of", roomId, target, holder);
            }

            return written;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Reads a lock: holder, remaining TTL and metadata; <see langword="null"/> when nobody holds it.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="target">The lock target.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The lock, or <see langword="null"/>.</returns>
    /// <remarks>One read-only Lua script, so holder, TTL and metadata belong together.</remarks>
    /// <exception cref="ArgumentException">The id or the target is empty or invalid.</exception>
    public async ValueTask<LockInfo?> GetAsync(string roomId, string target, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentException.ThrowIfNullOrEmpty(target);
        using var op = StorageOperation.Start("lock.get", _dbSystem);
        try
        {
            return await _locks.GetAsync(roomId, target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Becomes (or stays) presenter of a room; <see langword="false"/> when another session presents.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="sid">The Socket.IO session that wants to present.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see langword="true"/> when <paramref name="sid"/> presents after the call, its TTL (<see cref="ZnDrawLockOptions.PresenterTtl"/>) renewed.</returns>
    /// <remarks>
    /// One Lua script with NX semantics: set when free or already this sid. ZnDraw does <c>GET</c> then a plain
    /// <c>SET EX</c>, so two clients can both become presenter; here exactly one does. Request it again before the TTL
    /// runs out to stay presenter.
    /// </remarks>
    /// <exception cref="ArgumentException">The id or the sid is empty or invalid.</exception>
    public async ValueTask<bool> AcquirePresenterAsync(string roomId, string sid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentException.ThrowIfNullOrEmpty(sid);
        using var op = StorageOperation.Start("lock.acquire_presenter", _dbSystem);
        try
        {
            var acquired = await _locks.AcquirePresenterAsync(roomId, sid, _options.PresenterTtl, cancellationToken).ConfigureAwait(false);
            LockServiceLog.Presenter(_logger, roomId, sid, acquired);
            return acquired;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Stops presenting, only by the presenting session; <see langword="false"/> when <paramref name="sid"/> is not presenter.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="sid">The Socket.IO session that presents.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see langword="true"/> when the presenter lock was released.</returns>
    /// <remarks>One Lua script: compares the sid, then <c>DEL</c>.</remarks>
    /// <exception cref="ArgumentException">The id or the sid is empty or invalid.</exception>
    public async ValueTask<bool> ReleasePresenterAsync(string roomId, string sid, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentException.ThrowIfNullOrEmpty(sid);
        using var op = StorageOperation.Start("lock.release_presenter", _dbSystem);
        try
        {
            var released = await _locks.ReleasePresenterAsync(roomId, sid, cancellationToken).ConfigureAwait(false);
            LockServiceLog.PresenterReleased(_logger, roomId, sid, released);
            return released;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>The sid of the room's presenter, or <see langword="null"/> when nobody presents.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The sid, or <see langword="null"/>.</returns>
    /// <remarks>One <c>GET</c>.</remarks>
    /// <exception cref="ArgumentException">The id is empty or invalid.</exception>
    public async ValueTask<string?> GetPresenterAsync(string roomId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        using var op = StorageOperation.Start("lock.get_presenter", _dbSystem);
        try
        {
            return await _locks.GetPresenterAsync(roomId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    private static void ValidateNames(string roomId, string target, string holder)
    {
        ArgumentException.ThrowIfNullOrEmpty(roomId);
        ArgumentException.ThrowIfNullOrEmpty(target);
        ArgumentException.ThrowIfNullOrEmpty(holder);
    }

    private static LockMetadata Metadata(string holder, DateTimeOffset now, string message) =>
        new(holder, ZnDrawTime.TruncateToMicroseconds(now.UtcDateTime), [new KeyValuePair<string, JsonElement>("msg", JsonSerializer.SerializeToElement(message, LockServiceJson.Default.String))]);

    private static LockLease Lease(string roomId, string target, string holder, DateTimeOffset now, long seconds)
    {
        var ttl = TimeSpan.FromSeconds(seconds);
        return new LockLease(roomId, target, holder, ttl, now + ttl);
    }
}

/// <summary>A lock held by <see cref="Owner"/>, as <see cref="LockService"/> acquired or refreshed it.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="Target">The lock target.</param>
/// <param name="Owner">The owner token: the holder's user name (what ZnDraw stores in the lock key). Pass it to refresh and release.</param>
/// <param name="TimeToLive">The TTL that was set: the requested one rounded up to whole seconds.</param>
/// <param name="ExpiresAt">When the lock expires unless refreshed, by the service's clock at the time of the request (an upper bound on the server's view is <see cref="TimeToLive"/> after the request was sent).</param>
public sealed record LockLease(string RoomId, string Target, string Owner, TimeSpan TimeToLive, DateTimeOffset ExpiresAt);

/// <summary>Source-generated JSON for the metadata message (no reflection).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class LockServiceJson : System.Text.Json.Serialization.JsonSerializerContext;
