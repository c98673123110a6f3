using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes a room's bookmarks (logical frame index → plain-text label).</summary>
/// <remarks>
/// <para>
/// Frame edits through <see cref="IFrameRepository"/> keep bookmarks attached to their frames (insert shifts them up, delete drops
/// or shifts them down, single-frame replace removes the one on the replaced frame), inside the same atomic step as the edit.
/// </para>
/// <para>
/// Every call is one atomic step. The token is checked before anything is sent and then bounds the wait; a backend may still
/// complete the call. Invalid room ids throw <see cref="ArgumentException"/> before anything is stored. A bookmark whose frame
/// is not a non-negative decimal index or whose label is not UTF-8 text is unreadable: <see cref="GetAsync"/> throws
/// <see cref="StorageDataException"/> naming where it is stored, <see cref="GetAllAsync"/> leaves it out and reports it. Frame
/// edits shift bookmarks byte for byte and leave entries that are not an index where they are: no write drops or rewrites a
/// bookmark because it could not be read.
/// </para>
/// <para>
/// Redis backend: the hash <c>room:{room}:bookmarks</c> (field: the index, value: the label). Every call is one round trip;
/// frame edits shift bookmarks inside Redis (in the frame edit's Lua script). A key of the wrong Redis type (WRONGTYPE) throws
/// <see cref="StorageDataException"/> naming the key; an unreadable bookmark is named by key and field.
/// </para>
/// </remarks>
public interface IBookmarkRepository
{
    /// <summary>Every bookmark of the room, sorted by frame; empty when there is none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The readable bookmarks in frame order.</returns>
    /// <remarks>
    /// <para>The listing never fails because of one bookmark and never alters a value: a field that is not a non-negative decimal
    /// index (within <see cref="int"/>), or a label that is not UTF-8 text (decoding would replace bytes), is left out and
    /// reported: one warning (event id 2100) naming the key and field, and one count on
    /// <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/> (<c>zndraw.storage.unreadable</c>) tagged
    /// <c>aggregate=bookmark</c>. Nothing is written. Stored data that is not a set of entries at all throws <see cref="StorageDataException"/>.
    /// </para>
    /// <para>
    /// Redis backend: a hash of the wrong Redis type (WRONGTYPE) holds no entries to list and throws <see cref="StorageDataException"/>.
    ///</para>
    /// <para>Redis backend: <c>HGETALL</c>.</para>
    /// </remarks>
    ValueTask<IReadOnlyList<Bookmark>> GetAllAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The bookmark on logical frame <paramref name="frame"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The bookmark, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>HGET</c>.</para></remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    /// <exception cref="StorageDataException">The stored label is not UTF-8 text (named by key and field).</exception>
    ValueTask<Bookmark?> GetAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Sets (or replaces) the label of the bookmark on logical frame <paramref name="frame"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index: 0 … frame count − 1.</param>
    /// <param name="label">The label, plain text, not empty.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the bookmark is stored.</returns>
    /// <remarks>
    /// <para>
    /// The range check (ZnDraw's rule) and the write are one atomic step, so the check holds against the trajectory as it is at the moment of the write.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: ZCARD of the trajectory, then HSET, so the range check (ZnDraw's rule) holds against the trajectory as it
    /// is at the moment of the write.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="label"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative or not below the frame count (nothing was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="label"/> is over <see cref="ZnDrawLimitOptions.MaxBookmarkLabelBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask SetAsync(string roomId, int frame, string label, CancellationToken cancellationToken = default);

    /// <summary>Deletes the bookmark on logical frame <paramref name="frame"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when a bookmark was deleted.</returns>
    /// <remarks><para>Redis backend: <c>HDEL</c>.</para></remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    ValueTask<bool> DeleteAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Deletes every bookmark of the room.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns><see langword="true"/> when there were bookmarks.</returns>
    /// <remarks><para>Redis backend: <c>DEL</c>.</para></remarks>
    ValueTask<bool> ClearAsync(string roomId, CancellationToken cancellationToken = default);
}
