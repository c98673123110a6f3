using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>Rooms as ZnDraw's server handles them: create-or-join, copy, delete, list, lock, hide and describe.</summary>
/// <remarks>
/// <para>
/// A thread-safe singleton over <see cref="IRoomRepository"/> and <see cref="ISettingsRepository"/>. Every state change
/// is the repository's atomic step; the service adds ZnDraw's rules (id validation, "create only when allowed", copy
/// preconditions, who gets default settings) and turns refusals into <see cref="ZnDrawServiceException"/>s.
/// </para>
/// <para>
/// History: when history is on (a sink is registered), a <see cref="RoomHistoryEvent"/> is emitted after each successful
/// state change (created, copied, deleted, locked, unlocked, hidden, unhidden, description_changed), carrying the
/// acting user when the caller names one. The repositories commit first; the event follows (direct mode: the sink is
/// called; durable mode: one <c>XADD</c> to the outbox right after the commit, so a crash between the two loses that
/// event). With history off nothing is allocated or sent.
/// </para>
/// <para>
/// Every method is timed as a <c>ZnDraw.Storage</c> operation (<c>room.*</c>). Cancellation follows the repositories:
/// a token bounds the wait, and a command may still run on the server after the caller gave up.
/// </para>
/// </remarks>
public sealed class RoomService
{
    /// <summary>The event type recorded when a hidden room is shown again (<see cref="RoomEventTypes"/> has none).</summary>
    public const string UnhiddenEventType = "unhidden";

    private readonly IRoomRepository _rooms;
    private readonly ISettingsRepository _settings;
    private readonly IUserRepository _users;
    private readonly KeyLayout _layout;
    private readonly ZnDrawLimitOptions _limits;
    private readonly ILogger _logger;
    private readonly string? _dbSystem; // db.system.name of the rooms repository, for telemetry
    private readonly HistoryRecorder _history;

    /// <summary>Creates the service without history recording.</summary>
    /// <param name="rooms">The room repository.</param>
    /// <param name="settings">The settings repository (creator's default settings).</param>
    /// <param name="users">The user repository (a join checks that the user exists).</param>
    /// <param name="options">The storage options (the key layout decides which user names are valid).</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    public RoomService(
        IRoomRepository rooms,
        ISettingsRepository settings,
        IUserRepository users,
        IOptions<ZnDrawStorageOptions> options,
        ILogger<RoomService>? logger = null)
        : this(rooms, settings, users, options, logger, HistoryRecorder.Disabled)
    {
    }

    /// <summary>Creates the service with history recording (DI uses this one).</summary>
    /// <param name="rooms">The room repository.</param>
    /// <param name="settings">The settings repository.</param>
    /// <param name="users">The user repository.</param>
    /// <param name="options">The storage options.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <param name="history">The history recorder (<see cref="HistoryRecorder.Disabled"/> when history is not configured).</param>
    internal RoomService(
        IRoomRepository rooms,
        ISettingsRepository settings,
        IUserRepository users,
        IOptions<ZnDrawStorageOptions> options,
        ILogger<RoomService>? logger,
        HistoryRecorder history)
    {
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(history);

        _rooms = rooms;
        _dbSystem = DbSystem.Of(rooms);
        _settings = settings;
        _users = users;
        _layout = options.Value.Layout;
        _limits = options.Value.Limits ?? new ZnDrawLimitOptions();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _history = history;
    }

    /// <summary>Lets <paramref name="userName"/> join <paramref name="roomId"/>, creating the room (empty, or as a copy) when it does not exist, as ZnDraw's join route does.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id: ZnDraw's rule <c>^[a-zA-Z0-9_\-\.]+$</c> (a <c>:</c> is refused first, as ZnDraw's join does).</param>
    /// <param name="userName">The joining user (see <see cref="KeyValidation.ValidateUserName"/>).</param>
    /// <param name="allowCreate">Whether a missing room may be created (ZnDraw's <c>allowCreate</c>, default true).</param>
    /// <param name="description">The description of a room this call creates; ignored when the room exists. At most <see cref="ZnDrawLimitOptions.MaxDescriptionBytes"/> of the service's options.</param>
    /// <param name="copyFrom">When the room is created: the room to copy (frames, geometries, bookmarks); ignored when the room exists.</param>
    /// <param name="creatorSettings">
    /// Settings sections written for <paramref name="userName"/> only when this call created the room (ZnDraw writes
    /// its default <c>camera</c>, <c>studio_lighting</c>, <c>property_inspector</c> and <c>pathtracing</c> sections for
    /// the creator). The library carries no copy of ZnDraw's defaults (they are its pydantic models' dumps), so
    /// <see langword="null"/> (the default) writes none; a host that wants them passes them here.
    /// </param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>Whether the room was joined, created or copied.</returns>
    /// <exception cref="ArgumentException">An id is invalid, or <paramref name="description"/> is over <see cref="ZnDrawLimitOptions.MaxDescriptionBytes"/>.</exception>
    /// <exception cref="UserNotFoundException">The user does not exist (<c>user:{user}</c> is absent): nothing is written.</exception>
    /// <exception cref="RoomNotFoundException">The room does not exist and <paramref name="allowCreate"/> is false.</exception>
    /// <exception cref="RoomNotCopyableException">The room does not exist and <paramref name="copyFrom"/> has no frames or does not exist.</exception>
    /// <remarks>
    /// <para>
    /// Creation is atomic and race-free: <see cref="IRoomRepository.CreateAsync"/> (or <see cref="IRoomRepository.CopyAsync"/>)
    /// checks and writes in one script, so of concurrent joins of a missing room exactly one reports
    /// <see cref="RoomJoinOutcome.Created"/> (or <see cref="RoomJoinOutcome.Copied"/>) and gets the creator's settings;
    /// the others join. ZnDraw checks first and creates afterwards, so two joins could both "create" and reset the room.
    /// </para>
    /// <para>
    /// Steps: <c>EXISTS user:{user}</c> (an unknown user is refused before anything is written), create or copy (one
    /// round trip; with <paramref name="allowCreate"/> false one <c>EXISTS</c> instead), the creator's settings (one
    /// more, only when created and sections were given), then <see cref="IRoomRepository.AddUserAsync"/> (user's
    /// <c>currentRoom</c> and the room's users; it checks the user again in the step that writes, so a user deleted
    /// concurrently never gets a hash holding only <c>currentRoom</c>). If a later step fails the room stays created;
    /// calling again joins it. When the user is deleted between the first check and the last step, the room this call
    /// created stays (an ordinary empty room) and <see cref="UserNotFoundException"/> is thrown.
    /// </para>
    /// </remarks>
    public async ValueTask<RoomJoinResult> JoinAsync(
        string roomId,
        string userName,
        bool allowCreate = true,
        string? description = null,
        string? copyFrom = null,
        UserRoomSettings? creatorSettings = null,
        CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.join", _dbSystem);
        try
        {
            ValidateJoinRoomId(roomId);
            KeyValidation.ValidateUserName(userName, _layout);
            if (copyFrom is not null)
            {
                KeyValidation.ValidateRoomId(copyFrom);
            }

            // Checked here too (the repository checks its own limits): the user check below sends a command first.
            SizeLimits.CheckText(description, _limits.MaxDescriptionBytes, "description", nameof(description));
            if (!await _users.ExistsAsync(userName, cancellationToken).ConfigureAwait(false))
            {
                throw new UserNotFoundException(userName);
            }

            RoomJoinOutcome outcome;
            if (!allowCreate)
            {
                if (!await _rooms.ExistsAsync(roomId, cancellationToken).ConfigureAwait(false))
                {
                    RoomServiceLog.JoinRefused(_logger, roomId);
                    throw new RoomNotFoundException(roomId);
                }

                outcome = RoomJoinOutcome.Joined;
            }
            else if (copyFrom is not null)
            {
                var copied = NewEvent(roomId, RoomEventTypes.Copied, userName, "source_room", copyFrom);
                RoomCopyResult copy;
                using (var scope = _history.BeginOutbox(copied))
                {
                    copy = await _rooms.CopyAsync(copyFrom, roomId, description, cancellationToken).ConfigureAwait(false);
                    if (copy == RoomCopyResult.Copied)
                    {
                        await RecordAsync(scope, copied, cancellationToken).ConfigureAwait(false);
                    }
                }

                outcome = copy switch
                {
                    RoomCopyResult.Copied => RoomJoinOutcome.Copied,
                    RoomCopyResult.TargetExists => RoomJoinOutcome.Joined,

                    // The script may test the source before the target: an existing room is joined, as ZnDraw ignores copyFrom then.
                    _ => await _rooms.ExistsAsync(roomId, cancellationToken).ConfigureAwait(false)
                        ? RoomJoinOutcome.Joined
                        : throw new RoomNotCopyableException(copyFrom),
                };
            }
            else
            {
                var created = NewEvent(roomId, RoomEventTypes.Created, userName, null, null);
                using var scope = _history.BeginOutbox(created);
                outcome = await _rooms.CreateAsync(roomId, description, cancellationToken).ConfigureAwait(false)
                    ? RoomJoinOutcome.Created
                    : RoomJoinOutcome.Joined;
                if (outcome == RoomJoinOutcome.Created)
                {
                    await RecordAsync(scope, created, cancellationToken).ConfigureAwait(false);
                }
            }

            if (outcome != RoomJoinOutcome.Joined && creatorSettings is { Sections.IsDefaultOrEmpty: false })
            {
                await _settings.SetSectionsAsync(roomId, userName, creatorSettings, cancellationToken).ConfigureAwait(false);
            }

            if (!await _rooms.AddUserAsync(roomId, userName, cancellationToken).ConfigureAwait(false))
            {
                throw new UserNotFoundException(userName);
            }

            RoomServiceLog.Joined(_logger, userName, roomId, outcome);
            return new RoomJoinResult(roomId, userName, outcome);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Creates a room as a copy of another room's frames, geometries and bookmarks, as ZnDraw's duplicate route does.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sourceRoomId">The room to copy; it must have frames.</param>
    /// <param name="targetRoomId">The new room's id, or <see langword="null"/> for a new uuid4 (ZnDraw's default).</param>
    /// <param name="description">The new room's description, or <see langword="null"/> for none.</param>
    /// <param name="userName">Who copied it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The new room's id.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    /// <exception cref="RoomNotCopyableException">The source has no frames or does not exist.</exception>
    /// <exception cref="RoomAlreadyExistsException">The target room exists.</exception>
    /// <remarks>One <see cref="IRoomRepository.CopyAsync"/> (atomic; what is and is not copied is listed there). The user does not join the new room.</remarks>
    public async ValueTask<string> CopyAsync(
        string sourceRoomId,
        string? targetRoomId = null,
        string? description = null,
        string? userName = null,
        CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.copy", _dbSystem);
        try
        {
            KeyValidation.ValidateRoomId(sourceRoomId);
            targetRoomId ??= Guid.NewGuid().ToString("D");
            KeyValidation.ValidateRoomId(targetRoomId);
            var copied = NewEvent(targetRoomId, RoomEventTypes.Copied, userName, "source_room", sourceRoomId);
            using var scope = _history.BeginOutbox(copied);
            var result = await _rooms.CopyAsync(sourceRoomId, targetRoomId, description, cancellationToken).ConfigureAwait(false);
            switch (result)
            {
                case RoomCopyResult.Copied:
                    break;
                case RoomCopyResult.TargetExists:
                    throw new RoomAlreadyExistsException(targetRoomId);
                default:
                    throw new RoomNotCopyableException(sourceRoomId);
            }

            await RecordAsync(scope, copied, cancellationToken).ConfigureAwait(false);
            RoomServiceLog.Copied(_logger, sourceRoomId, targetRoomId);
            return targetRoomId;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Creates an empty room with ZnDraw's defaults, without joining it (an API's "create room").</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The new room's id (ZnDraw's room id rule).</param>
    /// <param name="description">The description, or <see langword="null"/> for none.</param>
    /// <param name="userName">Who created it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The new room, with its frame count (0).</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    /// <exception cref="RoomAlreadyExistsException">The room exists (nothing is written).</exception>
    /// <remarks>One atomic <see cref="IRoomRepository.CreateAsync"/>, so of concurrent creates exactly one succeeds; then the created event.</remarks>
    public async ValueTask<Room> CreateAsync(string roomId, string? description = null, string? userName = null, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.create", _dbSystem);
        try
        {
            ValidateJoinRoomId(roomId);
            var created = NewEvent(roomId, RoomEventTypes.Created, userName, null, null);
            using var scope = _history.BeginOutbox(created);
            if (!await _rooms.CreateAsync(roomId, description, cancellationToken).ConfigureAwait(false))
            {
                throw new RoomAlreadyExistsException(roomId);
            }

            await RecordAsync(scope, created, cancellationToken).ConfigureAwait(false);
            return new Room(roomId, description, FrameCount: 0);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Deletes a room and every key it owns (ZnDraw itself never deletes rooms).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">Who deleted it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see langword="true"/> when any key of the room was removed; <see langword="false"/> when there was nothing to delete.</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    /// <remarks>One atomic <see cref="IRepository{T, TId}.DeleteAsync"/> (see <see cref="IRoomRepository"/> for what is removed and what is left, e.g. users' <c>currentRoom</c>).</remarks>
    public async ValueTask<bool> DeleteAsync(string roomId, string? userName = null, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.delete", _dbSystem);
        try
        {
            var deletedEvent = NewEvent(roomId, RoomEventTypes.Deleted, userName, null, null);
            using var scope = _history.BeginOutbox(deletedEvent);
            var deleted = await _rooms.DeleteAsync(roomId, cancellationToken).ConfigureAwait(false);
            if (deleted)
            {
                await RecordAsync(scope, deletedEvent, cancellationToken).ConfigureAwait(false);
            }

            RoomServiceLog.Deleted(_logger, roomId, deleted);
            return deleted;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Reads a room with its frame count, or <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The room, with <see cref="Room.FrameCount"/> set.</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    /// <exception cref="StorageDataException">One of the room's keys holds another Redis type than ZnDraw writes (the exception names it).</exception>
    /// <remarks>One batch (<see cref="IRoomRepository.GetWithFrameCountAsync"/>).</remarks>
    public async ValueTask<Room?> GetAsync(string roomId, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.get", _dbSystem);
        try
        {
            return await _rooms.GetWithFrameCountAsync(roomId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Every room id, sorted ordinally (from the room index, without SCAN).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The room ids.</returns>
    /// <remarks>One <c>SMEMBERS</c>. Rooms written by an older ZnDraw server appear after <see cref="IIndexMaintenance.ReindexAsync(int, CancellationToken)"/>.</remarks>
    public async ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.list", _dbSystem);
        try
        {
            return await _rooms.ListAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Every room with its flags, description and frame count, sorted by id (ZnDraw's room list, without its SCAN).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="includeHidden">Whether hidden rooms are listed; ZnDraw lists them (and only reports the flag).</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The readable rooms.</returns>
    /// <remarks>
    /// <para>
    /// Two round trips: <c>SMEMBERS</c> of the index, then every room's batch (<c>MGET</c> + <c>EXISTS</c> +
    /// <c>ZCARD</c>, see <see cref="IRoomRepository.GetWithFrameCountAsync"/>) sent together and awaited together
    /// (pipelined). Index entries of rooms that no longer exist are skipped and logged.
    /// </para>
    /// <para>
    /// The listing never fails because of one room and never alters a value: a room whose data cannot be read (a key
    /// of the wrong Redis type, for which <see cref="GetAsync"/> throws <see cref="StorageDataException"/>) is left
    /// out and reported: one warning naming the key, and one count on
    /// <see cref="ZnDrawStorageDiagnostics.UnreadableInstrument"/> tagged <c>aggregate=room</c>. Connection failures
    /// and cancellation still fail the call.
    /// </para>
    /// </remarks>
    public async ValueTask<IReadOnlyList<Room>> ListDetailsAsync(bool includeHidden = true, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.list_details", _dbSystem);
        try
        {
            var ids = await _rooms.ListAllAsync(cancellationToken).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                return [];
            }

            var reads = new Task<Room?>[ids.Count];
            for (int i = 0; i < reads.Length; i++)
            {
                reads[i] = _rooms.GetWithFrameCountAsync(ids[i], cancellationToken).AsTask();
            }

            try
            {
                await Task.WhenAll(reads).ConfigureAwait(false);
            }
            catch (StorageDataException)
            {
                // Reported room by room below; any other failure is rethrown there.
            }

            var result = new List<Room>(reads.Length);
            int missing = 0;
            foreach (var read in reads)
            {
                if (read.Exception?.InnerException is StorageDataException unreadable)
                {
                    UnreadableEntries.Report(_logger, UnreadableEntries.Room, unreadable);
                    continue;
                }

                var room = await read.ConfigureAwait(false);
                if (room is null)
                {
                    missing++;
                }
                else if (includeHidden || !room.Hidden)
                {
                    result.Add(room);
                }
            }

            if (missing > 0)
            {
                RoomServiceLog.StaleIndexEntries(_logger, missing);
            }

            return result;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>The global default room (ZnDraw's <c>default_room</c>), or <see langword="null"/> when none is set.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The room id as stored; the room may have been deleted since it was set.</returns>
    /// <exception cref="StorageDataException">The key holds another Redis type than a string.</exception>
    /// <remarks>One <c>GET default_room</c> (<see cref="IRoomRepository.GetDefaultRoomAsync"/>).</remarks>
    public async ValueTask<string?> GetDefaultRoomAsync(CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.get_default", _dbSystem);
        try
        {
            return await _rooms.GetDefaultRoomAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Makes an existing room the global default room, as ZnDraw's default-room route does.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id (ZnDraw's room id rule).</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the default is stored.</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    /// <exception cref="RoomNotFoundException">The room does not exist (nothing is written).</exception>
    /// <remarks>
    /// The room must exist, as in ZnDraw. <see cref="IRoomRepository.SetDefaultRoomAsync"/>: one atomic script in the
    /// ZnDraw and prefixed layouts; check then write (two round trips) in the cluster-safe layout.
    /// </remarks>
    public async ValueTask SetDefaultRoomAsync(string roomId, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.set_default", _dbSystem);
        try
        {
            if (!await _rooms.SetDefaultRoomAsync(roomId, cancellationToken).ConfigureAwait(false))
            {
                throw new RoomNotFoundException(roomId);
            }

            RoomServiceLog.Changed(_logger, roomId, "default room");
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Removes the global default room.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see langword="true"/> when a default room was set.</returns>
    /// <remarks>One <c>DEL default_room</c> (<see cref="IRoomRepository.ClearDefaultRoomAsync"/>).</remarks>
    public async ValueTask<bool> ClearDefaultRoomAsync(CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.clear_default", _dbSystem);
        try
        {
            return await _rooms.ClearDefaultRoomAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Every user name that ever joined the room, sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The user names (the set only grows, as in ZnDraw).</returns>
    /// <remarks>One <c>SMEMBERS room:{room}:users</c>.</remarks>
    public async ValueTask<IReadOnlyList<string>> GetUsersAsync(string roomId, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.users", _dbSystem);
        try
        {
            return await _rooms.GetUsersAsync(roomId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Locks the room (read-only: ZnDraw then refuses frame and metadata writes).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">Who locked it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the flag is stored.</returns>
    /// <exception cref="RoomNotFoundException">The room does not exist (nothing is written).</exception>
    /// <remarks>One script (<see cref="IRoomRepository.SetLockedAsync"/>). Locking a locked room succeeds and is recorded again.</remarks>
    public ValueTask LockAsync(string roomId, string? userName = null, CancellationToken cancellationToken = default) =>
        SetFlagAsync("room.lock", roomId, userName, RoomEventTypes.Locked, static (r, id, ct) => r.SetLockedAsync(id, true, ct), cancellationToken);

    /// <summary>Unlocks the room.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">Who unlocked it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the flag is stored.</returns>
    /// <exception cref="RoomNotFoundException">The room does not exist (nothing is written).</exception>
    /// <remarks>One script (<see cref="IRoomRepository.SetLockedAsync"/>).</remarks>
    public ValueTask UnlockAsync(string roomId, string? userName = null, CancellationToken cancellationToken = default) =>
        SetFlagAsync("room.unlock", roomId, userName, RoomEventTypes.Unlocked, static (r, id, ct) => r.SetLockedAsync(id, false, ct), cancellationToken);

    /// <summary>Hides the room (ZnDraw only reports the flag in listings; <see cref="ListDetailsAsync"/> can filter on it).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">Who hid it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the flag is stored.</returns>
    /// <exception cref="RoomNotFoundException">The room does not exist (nothing is written).</exception>
    /// <remarks>One script (<see cref="IRoomRepository.SetHiddenAsync"/>).</remarks>
    public ValueTask HideAsync(string roomId, string? userName = null, CancellationToken cancellationToken = default) =>
        SetFlagAsync("room.hide", roomId, userName, RoomEventTypes.Hidden, static (r, id, ct) => r.SetHiddenAsync(id, true, ct), cancellationToken);

    /// <summary>Shows a hidden room again (history event type <see cref="UnhiddenEventType"/>).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">Who showed it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the flag is stored.</returns>
    /// <exception cref="RoomNotFoundException">The room does not exist (nothing is written).</exception>
    /// <remarks>One script (<see cref="IRoomRepository.SetHiddenAsync"/>).</remarks>
    public ValueTask UnhideAsync(string roomId, string? userName = null, CancellationToken cancellationToken = default) =>
        SetFlagAsync("room.unhide", roomId, userName, UnhiddenEventType, static (r, id, ct) => r.SetHiddenAsync(id, false, ct), cancellationToken);

    /// <summary>Sets the room's description, or removes it with <see langword="null"/> (ZnDraw's PATCH).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="description">The new description, or <see langword="null"/> to remove it.</param>
    /// <param name="userName">Who changed it, for history; <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the description is stored.</returns>
    /// <exception cref="RoomNotFoundException">The room does not exist (nothing is written).</exception>
    /// <remarks>One script (<see cref="IRoomRepository.SetDescriptionAsync"/>). The history event carries metadata <c>description</c> (absent when removed).</remarks>
    public async ValueTask SetDescriptionAsync(string roomId, string? description, string? userName = null, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("room.set_description", _dbSystem);
        try
        {
            var changed = NewEvent(roomId, RoomEventTypes.DescriptionChanged, userName, description is null ? null : "description", description);
            using var scope = _history.BeginOutbox(changed);
            if (!await _rooms.SetDescriptionAsync(roomId, description, cancellationToken).ConfigureAwait(false))
            {
                throw new RoomNotFoundException(roomId);
            }

            await RecordAsync(scope, changed, cancellationToken).ConfigureAwait(false);
            RoomServiceLog.Changed(_logger, roomId, RoomEventTypes.DescriptionChanged);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    private static void ValidateJoinRoomId(string roomId)
    {
        ArgumentNullException.ThrowIfNull(roomId);
        if (roomId.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("Room id must not contain ':'.", nameof(roomId));
        }

        KeyValidation.ValidateRoomId(roomId);
    }

    private async ValueTask SetFlagAsync(
        string operation,
        string roomId,
        string? userName,
        string eventType,
        Func<IRoomRepository, string, CancellationToken, ValueTask<bool>> write,
        CancellationToken cancellationToken)
    {
        using var op = StorageOperation.Start(operation, _dbSystem);
        try
        {
            var changed = NewEvent(roomId, eventType, userName, null, null);
            using var scope = _history.BeginOutbox(changed);
            if (!await write(_rooms, roomId, cancellationToken).ConfigureAwait(false))
            {
                throw new RoomNotFoundException(roomId);
            }

            await RecordAsync(scope, changed, cancellationToken).ConfigureAwait(false);
            RoomServiceLog.Changed(_logger, roomId, eventType);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>The event a change will record, or <see langword="null"/> when history is off (nothing allocated).</summary>
    private RoomHistoryEvent? NewEvent(string roomId, string eventType, string? userName, string? metadataKey, string? metadataValue)
    {
        if (!_history.IsEnabled)
        {
            return null;
        }

        IReadOnlyDictionary<string, string>? metadata = metadataKey is not null && metadataValue is not null
            ? new Dictionary<string, string>(1, StringComparer.Ordinal) { [metadataKey] = metadataValue }
            : null;
        return new RoomHistoryEvent(_history.NewEventId(), _history.Now, roomId, eventType, userName, metadata);
    }

    /// <summary>
    /// Records an event after its state change committed: in durable mode the repository script already appended it to
    /// the outbox (same atomic step) when it could; otherwise the sink or a separate XADD. Never throws for history faults.
    /// </summary>
    private ValueTask RecordAsync(HistoryOutboxScope? scope, RoomHistoryEvent? historyEvent, CancellationToken cancellationToken) =>
        historyEvent is null ? ValueTask.CompletedTask : _history.RecordAsync(scope, historyEvent, cancellationToken);
}
