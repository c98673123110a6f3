using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes a room's bookmarks: the hash <c>room:{room}:bookmarks</c> (logical frame index → plain-text label).</summary>
/// <remarks>
/// <para>
/// Frame edits through <see cref="IFrameRepository"/> keep bookmarks attached to their frames (insert shifts them up, delete drops
/// or shifts them down, single-frame replace removes the one on the replaced frame), inside the same atomic step as the edit.
/// </para>
/// <para>
/// Every call is one round trip. The token is checked before anything is sent and then only bounds the wait; a command may still
/// run on the server after the caller stopped waiting. Invalid room ids throw <see cref="ArgumentException"/> before anything is
/// sent; a key of the wrong Redis type throws <see cref="StorageDataException"/> naming the key. A bookmark whose field is not a
/// non-negative decimal index or whose label is not UTF-8 text is unreadable: <see cref="GetAsync"/> throws
/// <see cref="StorageDataException"/> naming key and field, <see cref="GetAllAsync"/> leaves it out and reports it. Frame edits
/// shift bookmarks inside Redis, byte for byte, and leave fields that are not an index where they are: no write drops or
/// rewrites a bookmark because it could not be read.
/// </para>
/// </remarks>
public interface IBookmarkRepository
{
    /// <summary>Every bookmark of the room, sorted by frame (<c>HGETALL</c>); empty when there is none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns>The readable bookmarks in frame order.</returns>
    /// <remarks>
    /// The listing never fails because of one bookmark and never alters a value: a field that is not a non-negative decimal
    /// index (within <see cref="int"/>), or a label that is not UTF-8 text (decoding would replace bytes), is left out and
    /// reported: one warning (event id 2100) naming the key and field, and one count on
    /// <see cref="Diagnostics.ZnDrawStorageDiagnostics.UnreadableInstrument"/> (<c>zndraw.storage.unreadable</c>) tagged
    /// <c>aggregate=bookmark</c>. Nothing is written. A hash of the wrong Redis type holds no entries to list and throws
    /// <see cref="StorageDataException"/>.
    /// </remarks>
    ValueTask<IReadOnlyList<Bookmark>> GetAllAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The bookmark on logical frame <paramref name="frame"/> (<c>HGET</c>), or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns>The bookmark, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    /// <exception cref="StorageDataException">The stored label is not UTF-8 text (named by key and field).</exception>
    ValueTask<Bookmark?> GetAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Sets (or replaces) the label of the bookmark on logical frame <paramref name="frame"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index: 0 … frame count − 1.</param>
    /// <param name="label">The label, plain text, not empty.</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns>A task that completes when the bookmark is stored.</returns>
    /// <remarks>
    /// One Lua script: ZCARD of the trajectory, then HSET, so the range check (ZnDraw's rule) holds against the trajectory as it
    /// is at the moment of the write.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="label"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative or not below the frame count (nothing was changed).</exception>
    /// <exception cref="ArgumentException"><paramref name="label"/> is over <see cref="ZnDrawLimitOptions.MaxBookmarkLabelBytes"/> (UTF-8 bytes); nothing is sent.</exception>
    ValueTask SetAsync(string roomId, int frame, string label, CancellationToken cancellationToken = default);

    /// <summary>Deletes the bookmark on logical frame <paramref name="frame"/> (<c>HDEL</c>).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns><see langword="true"/> when a bookmark was deleted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    ValueTask<bool> DeleteAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Deletes every bookmark of the room (<c>DEL</c>).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns><see langword="true"/> when there were bookmarks.</returns>
    ValueTask<bool> ClearAsync(string roomId, CancellationToken cancellationToken = default);
}
