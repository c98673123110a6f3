using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Creates, copies, reads, changes and deletes rooms: the room's own settings, its metadata and user set, and the room index.</summary>
/// <remarks>
/// <para>
/// A room exists once created (or saved) and until deleted. <see cref="ListAllAsync"/> reads the room index, which create,
/// copy, save and delete maintain; rooms written by an older ZnDraw server are added by
/// <see cref="IIndexMaintenance.ReindexAsync(int, CancellationToken)"/>.
/// </para>
/// <para>
/// Every write is one atomic step for the room itself. Where a backend must update the room index in a second, idempotent
/// step (the Redis backend's cluster-safe layout, below), a crash in between, or a create and a delete of the same id
/// running concurrently, leaves a room missing from (or an id lingering in) the index; the next create or delete of that id
/// or <see cref="IIndexMaintenance.ReindexAsync(int, CancellationToken)"/> repairs it.
/// </para>
/// <para>
/// The <see cref="IRepository{T, TId}"/> members: <see cref="IRepository{T, TId}.GetByIdAsync"/> reads the room's own
/// settings (<see langword="null"/> when the room does not exist; <see cref="Room.FrameCount"/> is <see langword="null"/>).
/// <see cref="IRepository{T, TId}.SaveAsync"/> writes description, locked, hidden and current frame and adds the room to the
/// index in one atomic step (<see cref="Room.FrameCount"/> is ignored); it creates the room if it did not exist, without
/// default geometries. <see cref="IRepository{T, TId}.DeleteAsync"/> removes the room with every part of it (frames,
/// geometries, bookmarks, chat, settings, locks, extensions, jobs, ...) and its index entry in one atomic step; it returns
/// <see langword="true"/> when anything was removed. Data outside the room is left alone: a user's <c>currentRoom</c> still
/// naming the room, and worker registrations that recorded the room's extensions.
/// <see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/> yields the ids of <see cref="ListAllAsync"/>. The aggregate
/// these members read and write is the room's own settings (<see cref="Room"/>); its parts (frames, geometries,
/// bookmarks, chat, ...) have their own repositories and are copied by <see cref="CopyAsync"/>.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. Invalid
/// ids and a description over <see cref="ZnDrawLimitOptions.MaxDescriptionBytes"/> (also in
/// <see cref="IRepository{T, TId}.SaveAsync"/>, parameter <c>entity</c>) throw <see cref="ArgumentException"/> before
/// anything is stored; an unreadable stored value throws <see cref="StorageDataException"/> naming where it is stored.
/// </para>
/// <para>
/// Redis backend: a room exists when <c>room:{room}:current_frame</c> exists (ZnDraw's <c>RoomService.room_exists</c>);
/// rooms are listed from the index set <c>rooms:index</c>. Under <see cref="KeyLayout.ZnDraw"/> every write is one atomic
/// step (a Lua script or MULTI/EXEC) that includes the index set. Under <see cref="KeyLayout.ClusterSafe"/> the index set
/// lives in another cluster slot than the room: the room's keys are written first in one atomic step, then the index is
/// updated in a second, idempotent step (SADD/SREM); a create and a delete of the same id running concurrently can land
/// their second steps in the other order.
/// </para>
/// <para>
/// Redis backend: <see cref="IRepository{T, TId}.GetByIdAsync"/> is one batch: <c>MGET</c> of <c>description</c>,
/// <c>locked</c>, <c>hidden</c>, <c>current_frame</c> and <c>EXISTS</c> of the same keys (<see langword="null"/> when
/// <c>current_frame</c> is absent; values are read as ZnDraw reads them: flags are true only for <c>"1"</c>, a negative or
/// non-numeric frame is 0). One of these keys holding another Redis type than a string (which <c>MGET</c> reads as nil)
/// throws <see cref="StorageDataException"/> naming that key, found by a second batch of <c>TYPE</c> only then.
/// <see cref="IRepository{T, TId}.ExistsAsync"/> is one <c>EXISTS current_frame</c>.
/// <see cref="IRepository{T, TId}.SaveAsync"/> writes <c>description</c> (DEL when <see langword="null"/>), <c>locked</c>,
/// <c>hidden</c>, <c>current_frame</c> and <c>SADD rooms:index</c> in one Lua script.
/// <see cref="IRepository{T, TId}.DeleteAsync"/> removes every key of the room in one Lua script: all fixed-name room keys,
/// every key named in the room's key registry (<c>room:{room}:keys</c>), the registry itself, the job hashes named in the
/// room's job sets, and the id in <c>rooms:index</c>; it returns <see langword="true"/> when any key was removed. Keys
/// outside the room are left alone: a user's <c>currentRoom</c> still naming the room, and worker registration sets that
/// recorded the room's extensions.
/// </para>
/// <para>
/// Redis backend: StackExchange.Redis takes no cancellation tokens, so a command may still run on the server after the
/// caller stopped waiting. A key of the wrong Redis type (WRONGTYPE) or an unreadable value throws
/// <see cref="StorageDataException"/> naming the key.
/// </para>
/// </remarks>
public interface IRoomRepository : IRepository<Room>, IEnumerableRepository<Room, string>
{
    /// <summary>Creates an empty room with ZnDraw's defaults; <see langword="false"/> when the room already exists.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The new room's id.</param>
    /// <param name="description">The description, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when this call created the room.</returns>
    /// <remarks>
    /// <para>
    /// Creates the room with <c>current_frame</c> 0, unlocked, not hidden, the description if given and ZnDraw's six default geometries (<c>particles</c>, <c>bonds</c>, <c>curve</c>, <c>cell</c>, <c>floor</c>, <c>constraints-fixed-atoms</c>) in order, and adds it to the room index (also when the room already existed, which repairs a missing index entry). The existence check and the write are one atomic step, so of concurrent creates of one id exactly one returns <see langword="true"/>.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: <c>EXISTS current_frame</c>; when absent <c>SET current_frame 0</c>, <c>SET locked 0</c>,
    /// <c>SET hidden 0</c>, <c>SET description</c> (if given) and one <c>HSET geometries</c> with the six
    /// default geometries in order; then <c>SADD rooms:index</c> (also when the room already
    /// existed, which repairs an index entry missing for a room an older server wrote). The existence check runs
    /// inside the script, so of concurrent creates of one id exactly one returns <see langword="true"/>. Cluster-safe
    /// layout: the SADD is a second round trip after the script.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="description"/> is over <see cref="ZnDrawLimitOptions.MaxDescriptionBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<bool> CreateAsync(string roomId, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>Creates <paramref name="targetRoomId"/> as a copy of <paramref name="sourceRoomId"/>'s frames, geometries and bookmarks, as ZnDraw's duplicate does.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sourceRoomId">The room to copy; it must have a trajectory.</param>
    /// <param name="targetRoomId">The new room's id; it must not exist.</param>
    /// <param name="description">The new room's description, or <see langword="null"/> for none.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room was copied, or why not.</returns>
    /// <remarks>
    /// <para>
    /// Copies the trajectory sorted set (members and scores: the frames stay shared with the source), the
    /// <c>geometries</c> hash and the <c>bookmarks</c> hash (each replacing whatever stray key the target had), and
    /// writes <c>description</c> (if given), <c>current_frame 0</c>, <c>locked 0</c>, <c>hidden 0</c>. Not copied, as in
    /// ZnDraw: metadata, selections, selection groups, figures, chat, settings, frame selections, extensions, jobs,
    /// users; no default geometries are added.
    /// </para>
    /// <para>
    /// The target is written whole or not at all. A backend that cannot read the source and write the target in one step (the Redis backend's cluster-safe layout) copies a source changed between the read and the write as read.
    /// </para>
    /// <para>
    /// Redis backend: redis backend: ZnDraw layout: one Lua script over both rooms' keys (source checked with <c>EXISTS trajectory:indices</c>, target
    /// with <c>EXISTS current_frame</c>, then <c>COPY … REPLACE</c> per key and <c>SADD rooms:index</c>): one round
    /// trip, atomic. Cluster-safe layout: the rooms are in different slots, so the source is read in one batch
    /// (<c>ZRANGE … WITHSCORES</c>, two <c>HGETALL</c>), then one script on the target's slot re-checks that the target
    /// does not exist and writes it, then <c>SADD rooms:index</c>: three round trips; the target is written whole or
    /// not at all, but a source changed between the read and the write is copied as read.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="description"/> is over <see cref="ZnDrawLimitOptions.MaxDescriptionBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<RoomCopyResult> CopyAsync(string sourceRoomId, string targetRoomId, string? description = null, CancellationToken cancellationToken = default);

    /// <summary>Reads the room like <see cref="IRepository{T, TId}.GetByIdAsync"/> and also its frame count (<see cref="Room.FrameCount"/>).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The room with its frame count, or <see langword="null"/> when it does not exist.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: one batch: <c>MGET description locked hidden current_frame</c>, <c>EXISTS</c> of the same keys and
    /// <c>ZCARD trajectory:indices</c>. A key of the wrong Redis type throws <see cref="StorageDataException"/> naming it
    /// (as <see cref="IRepository{T, TId}.GetByIdAsync"/> does).
    /// </para>
    /// </remarks>
    ValueTask<Room?> GetWithFrameCountAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Every room id in the room index, sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The room ids.</returns>
    /// <remarks><para>Rooms an older ZnDraw server wrote appear after <see cref="IIndexMaintenance.ReindexAsync(int, CancellationToken)"/>.</para><para>Redis backend: one <c>SMEMBERS rooms:index</c>.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListAllAsync(CancellationToken cancellationToken = default);

    /// <summary>Sets the room's current frame; <see langword="false"/> when the room does not exist (nothing is written).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index, at least 0. Not checked against the frame count, as in ZnDraw.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room existed.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    /// <remarks><para>Redis backend: one <c>SET current_frame {frame} XX</c>: never creates a room by accident.</para></remarks>
    ValueTask<bool> SetCurrentFrameAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Locks (read-only) or unlocks the room; <see langword="false"/> when the room does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="locked">The new flag, stored as <c>"1"</c>/<c>"0"</c>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room existed (and was written).</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>EXISTS current_frame</c>, then <c>SET locked</c>.</para></remarks>
    ValueTask<bool> SetLockedAsync(string roomId, bool locked, CancellationToken cancellationToken = default);

    /// <summary>Hides or shows the room; <see langword="false"/> when the room does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="hidden">The new flag, stored as <c>"1"</c>/<c>"0"</c>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room existed (and was written).</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>EXISTS current_frame</c>, then <c>SET hidden</c>.</para></remarks>
    ValueTask<bool> SetHiddenAsync(string roomId, bool hidden, CancellationToken cancellationToken = default);

    /// <summary>The room's description, or <see langword="null"/> when it has none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The description.</returns>
    /// <remarks><para>Redis backend: one <c>GET description</c>.</para></remarks>
    ValueTask<string?> GetDescriptionAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Sets or (with <see langword="null"/>) removes the room's description; <see langword="false"/> when the room does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="description">The new description, or <see langword="null"/> to delete it (ZnDraw's PATCH with <c>null</c>).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room existed (and was written).</returns>
    /// <remarks><para>Redis backend: one Lua script: <c>EXISTS current_frame</c>, then <c>SET</c> or <c>DEL description</c>.</para></remarks>
    /// <exception cref="ArgumentException"><paramref name="description"/> is over <see cref="ZnDrawLimitOptions.MaxDescriptionBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask<bool> SetDescriptionAsync(string roomId, string? description, CancellationToken cancellationToken = default);

    /// <summary>The room's file metadata, or <see langword="null"/> when it has none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The metadata.</returns>
    /// <remarks><para>A <c>file_size</c> that is not an integer or a <c>file_modified_timestamp</c> that is not ISO 8601 throws <see cref="StorageDataException"/>.</para><para>Redis backend: one <c>HGETALL metadata</c>.</para></remarks>
    ValueTask<RoomMetadata?> GetMetadataAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Writes the given metadata fields (other stored fields are kept); <see langword="false"/> when the room does not exist. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="metadata">The fields to write; at least one.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room existed (and was written).</returns>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> has no fields or an empty field name.</exception>
    /// <remarks><para>Redis backend: one Lua script: <c>EXISTS current_frame</c>, then <c>HSET metadata</c> with every field. ZnDraw refuses this when the room is locked; that check is the caller's.</para></remarks>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> is over <see cref="ZnDrawLimitOptions.MaxMetadataValueBytes"/> (UTF-8 bytes) or its total (names and values) over <see cref="ZnDrawLimitOptions.MaxMetadataTotalBytes"/>; nothing is sent.</exception>
    ValueTask<bool> SetMetadataAsync(string roomId, RoomMetadata metadata, CancellationToken cancellationToken = default);

    /// <summary>Removes one metadata field; <see langword="false"/> when it was not there.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="field">The field name.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the field existed.</returns>
    /// <remarks><para>Redis backend: one <c>HDEL metadata</c>.</para></remarks>
    ValueTask<bool> DeleteMetadataFieldAsync(string roomId, string field, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records that <paramref name="userName"/> joined the room: adds the name to the room's user set and sets the
    /// user's <c>currentRoom</c>; <see langword="false"/> when the user does not exist (nothing is written).
    /// </summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userName">The user name.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when the user exists and both writes are done; <see langword="false"/> when the user does not exist.</returns>
    /// <remarks>
    /// <para>
    /// The existence check and the writes are one step, so the call never creates a user holding only <c>currentRoom</c>, also when the user is deleted concurrently. Where the user and the room cannot be written in one step (the Redis backend's cluster-safe layout), the user is written first and the room's user set second (idempotent), and repeating the call after a failure completes it. The room's existence is not checked.
    /// </para>
    /// <para>
    /// Redis backend: ZnDraw layout: one Lua script: <c>EXISTS user:{user}</c>, then <c>SADD room:{room}:users</c> and
    /// <c>HSET user:{user} currentRoom</c> (ZnDraw's join writes the same two in a MULTI, without the check). The check
    /// runs in the step that writes, so the call never creates a user hash holding only <c>currentRoom</c>, also when
    /// the user is deleted concurrently. Cluster-safe layout: the keys are in different slots: one script in the user's
    /// slot (<c>EXISTS</c>, <c>HSET currentRoom</c>), then <c>SADD</c> (idempotent) when it wrote: two round trips;
    /// repeating the call after a failure completes it. The room's existence is not checked.
    /// </para>
    /// <para>
    /// Hybrid storage (users in SQL, rooms in Redis): the user is checked and written through the SQL
    /// <see cref="IUserRepository.SetCurrentRoomAsync"/>, then <c>SADD</c> (idempotent); repeating the call after a
    /// failure completes it.
    /// </para>
    /// </remarks>
    ValueTask<bool> AddUserAsync(string roomId, string userName, CancellationToken cancellationToken = default);

    /// <summary>The global default room (ZnDraw's <c>default_room</c>: the room new clients land in), or <see langword="null"/> when none is set.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The stored room id, as stored (the room may have been deleted since it was set).</returns>
    /// <remarks><para>Unreadable stored data throws <see cref="StorageDataException"/>.</para><para>Redis backend: one <c>GET default_room</c>. A key of another type throws <see cref="StorageDataException"/>.</para></remarks>
    ValueTask<string?> GetDefaultRoomAsync(CancellationToken cancellationToken = default);

    /// <summary>Makes <paramref name="roomId"/> the global default room; <see langword="false"/> when the room does not exist (nothing is written).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id (ZnDraw's room id rule).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the room existed (and was made the default).</returns>
    /// <remarks>
    /// <para>
    /// As in ZnDraw, the room must exist when the default is set. Where the check and the write cannot be one step (the Redis backend's cluster-safe layout), a room deleted in between can be left as the default, as a room deleted later is.
    /// </para>
    /// <para>
    /// Redis backend: ZnDraw checks that the room exists before it sets the key; so does this call. ZnDraw layout: one Lua script
    /// (<c>EXISTS room:{room}:current_frame</c>, then <c>SET default_room</c>): atomic. Cluster-safe layout: the two keys
    /// are in different slots: <c>EXISTS</c>, then <c>SET</c>, two round trips (a room deleted in between can be left
    /// as the default, as a room deleted later is).
    /// </para>
    /// </remarks>
    ValueTask<bool> SetDefaultRoomAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Removes the global default room; <see langword="false"/> when none was set.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether a default room was set.</returns>
    /// <remarks><para>Redis backend: one <c>DEL default_room</c>.</para></remarks>
    ValueTask<bool> ClearDefaultRoomAsync(CancellationToken cancellationToken = default);

    /// <summary>Every user name that ever joined the room, sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The user names.</returns>
    /// <remarks><para>The set only grows, as in ZnDraw.</para><para>Redis backend: one <c>SMEMBERS users</c>.</para></remarks>
    ValueTask<IReadOnlyList<string>> GetUsersAsync(string roomId, CancellationToken cancellationToken = default);
}
