using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Repositories;

/// <summary>Reads and writes a room's bookmarks: the hash <c>room:{room}:bookmarks</c> (logical frame index → plain-text label).</summary>
/// <remarks>
/// <para>
/// Frame edits through <see cref="IFrameRepository"/> keep bookmarks attached to their frames (insert shifts them up, delete drops
/// or shifts them down, single-frame replace removes the one on the replaced frame), inside the same atomic step as the edit.
/// </para>
/// <para>
/// Every call is one round trip. The token is checked before anything is sent and then only bounds the wait; a command may still
/// run on the server after the caller stopped waiting. Invalid room ids throw <see cref="ArgumentException"/> before anything is
/// sent; a key of the wrong Redis type or a field that is not a decimal index throws <see cref="StorageDataException"/>.
/// </para>
/// </remarks>
public interface IBookmarkRepository
{
    /// <summary>Every bookmark of the room, sorted by frame (<c>HGETALL</c>); empty when there is none.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns>The bookmarks in frame order.</returns>
    ValueTask<IReadOnlyList<Bookmark>> GetAllAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The bookmark on logical frame <paramref name="frame"/> (<c>HGET</c>), or <see langword="null"/>.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns>The bookmark, or <see langword="null"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    ValueTask<Bookmark?> GetAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Sets (or replaces) the label of the bookmark on logical frame <paramref name="frame"/>.</summary>
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
    /// <param name="roomId">The room id.</param>
    /// <param name="frame">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns><see langword="true"/> when a bookmark was deleted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="frame"/> is negative.</exception>
    ValueTask<bool> DeleteAsync(string roomId, int frame, CancellationToken cancellationToken = default);

    /// <summary>Deletes every bookmark of the room (<c>DEL</c>).</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Bounds the wait (see the interface remarks).</param>
    /// <returns><see langword="true"/> when there were bookmarks.</returns>
    ValueTask<bool> ClearAsync(string roomId, CancellationToken cancellationToken = default);
}
