using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and edits a room's trajectory (its ordered frames) and its frame selections.</summary>
/// <remarks>
/// <para>
/// The trajectory is an ordered list of frames <c>"{sourceRoom}:{physicalIndex}"</c> with scores; logical frame <em>n</em> is
/// the frame of rank <em>n</em>. Scores follow ZnDraw: the first append is <c>1.0</c>, an append is last score + 1.0, an insert
/// takes the mean of its neighbours' scores (or first − 1.0 at position 0), and renormalize / bulk replace rewrite scores as
/// 0, 1, 2, ….
/// </para>
/// <para>
/// Every edit that moves logical indices (insert, delete, single-frame replace) also fixes the room's bookmarks in the same
/// atomic step, so the frame change and the bookmark change happen whole or not at all, and concurrent edits are serialised.
/// ZnDraw reads the neighbours' scores, then writes, and re-indexes bookmarks with HGETALL, DEL and HSET as separate commands:
/// two concurrent appends get the same score and a crash after the DEL loses every bookmark. Neither can happen here.
/// </para>
/// <para>
/// Every call is one atomic step. The token is checked before anything is sent and then bounds the wait; a backend may still
/// complete the call. Invalid room ids throw <see cref="ArgumentException"/> before anything is stored; a stored frame that is
/// not <c>"{room}:{index}"</c> throws <see cref="StorageDataException"/>.
/// </para>
/// <para>
/// Redis backend: the trajectory is the sorted set <c>room:{room}:trajectory:indices</c> (member
/// <c>"{sourceRoom}:{physicalIndex}"</c>, ranked by score); bookmarks are <c>room:{room}:bookmarks</c>, fixed inside the
/// edit's Lua script. Every call is one round trip. StackExchange.Redis takes no cancellation token, so a command may still run
/// on the server after the caller stopped waiting. A key of the wrong Redis type (WRONGTYPE) throws
/// <see cref="StorageDataException"/>. All keys are keys of one room, so every call is single-slot in the
/// <see cref="KeyLayout.ClusterSafe"/> layout too.
/// </para>
/// </remarks>
public interface IFrameRepository
{
    /// <summary>The number of frames in the room's trajectory; 0 when there is none.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The frame count.</returns>
    /// <remarks><para>Redis backend: <c>ZCARD</c>.</para></remarks>
    ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The frames of ranks <paramref name="start"/> to <paramref name="stop"/> (inclusive) with their scores.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="start">The first rank; negative counts from the end, as in <c>ZRANGE</c>.</param>
    /// <param name="stop">The last rank, inclusive; <c>-1</c> (the default) is the last frame.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The entries in logical order; empty when the range holds no frame.</returns>
    /// <remarks>
    /// <para>Not a listing: an entry's position is its logical frame index, so leaving out a member that is not
    /// <c>"{room}:{index}"</c> would move every later frame to another index. Such a member makes the call throw, as
    /// <see cref="GetAsync"/> does for it.
    ///</para>
    /// <para>Redis backend: <c>ZRANGE … WITHSCORES</c>.</para>
    /// </remarks>
    /// <exception cref="StorageDataException">A member in the range is not <c>"{room}:{index}"</c> (named by key).</exception>
    ValueTask<IReadOnlyList<TrajectoryEntry>> GetRangeAsync(string roomId, int start = 0, int stop = -1, CancellationToken cancellationToken = default);

    /// <summary>The physical frame at logical index <paramref name="index"/>, or <see langword="null"/> past the end.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="index">The logical frame index (non-negative).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The frame, or <see langword="null"/>.</returns>
    /// <remarks><para>Redis backend: <c>ZRANGE index index</c>.</para></remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative.</exception>
    ValueTask<FrameIndex?> GetAsync(string roomId, int index, CancellationToken cancellationToken = default);

    /// <summary>Appends frames at the end; scores are last score + 1.0, + 2.0, … (1.0, 2.0, … for an empty trajectory).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frames">The frames, in order; none may already be in the trajectory, and none may repeat.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The logical index of the first appended frame (the frame count before the call).</returns>
    /// <remarks>
    /// <para>
    /// In one atomic step: concurrent appends are serialised, so each gets its own, strictly increasing scores. A frame that is already in the trajectory is refused and nothing is changed.
    /// </para>
    /// <para>
    /// Redis backend: one Lua script (ZSCORE per frame, ZCARD, ZRANGE -1 -1, ZADD): concurrent appends are serialised, so each gets its own,
    /// strictly increasing scores. A sorted set cannot hold a member twice: a frame that is already in the trajectory would be
    /// moved, not added, so the script refuses it and changes nothing.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="frames"/> is empty, holds a frame twice, or a frame is invalid.</exception>
    /// <exception cref="InvalidOperationException">A frame is already in the trajectory (nothing was changed).</exception>
    ValueTask<int> AppendAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default);

    /// <summary>Inserts a frame so that it becomes logical frame <paramref name="position"/>; bookmarks at or after it move up by one. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="position">0 … frame count; the frame count appends.</param>
    /// <param name="frame">The frame; it must not be in the trajectory yet.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the frame is inserted.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: one Lua script: the score is the mean of the neighbours' scores (first − 1.0 at position 0, last + 1.0 at the end), and the
    /// bookmarks at or after <paramref name="position"/> are shifted up in the same script.
    /// </para>
    /// <para>
    /// Improvement over ZnDraw: repeated inserts at one place halve the gap until two doubles have no distinct value between them,
    /// after which ZnDraw's mean equals a neighbour's score and the order breaks silently. When the mean is not strictly between
    /// the neighbours (also for tied scores), the call first renormalizes the scores to 0, 1, 2, … (order unchanged) and then
    /// inserts at <c>position − 0.5</c>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative or greater than the frame count (nothing was changed).</exception>
    /// <exception cref="InvalidOperationException">The frame is already in the trajectory (nothing was changed).</exception>
    ValueTask InsertAsync(string roomId, int position, FrameIndex frame, CancellationToken cancellationToken = default);

    /// <summary>Deletes the frames at the given logical indices; bookmarks on them are dropped and later ones shift down.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="indices">The logical indices (non-negative; duplicates count once; any order).</param>
    /// <param name="allowTemplateFrames">
    /// <see langword="false"/> (the default) refuses to delete template frames, i.e. frames whose source room is another room
    /// (<see cref="FrameIndex.IsTemplateFor"/>), as ZnDraw does (HTTP 403); <see langword="true"/> deletes them too.
    /// </param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The number of frames deleted.</returns>
    /// <remarks>
    /// <para>
    /// In one atomic step, including the template check (against the frames actually deleted, so it cannot be outrun by a concurrent edit) and the bookmark re-indexing. ZnDraw re-indexes bookmarks in separate commands (a crash in between loses all bookmarks).
    /// </para>
    /// <para>
    /// Redis backend: one Lua script: ZCARD, ZRANGE per index, the template check, ZREM, and the bookmark re-indexing (HGETALL, HDEL and HSET of
    /// the moved fields only). The template check runs inside the script against the members actually deleted, so it cannot be
    /// outrun by a concurrent edit. ZnDraw re-indexes bookmarks with HGETALL, DEL, HSET as separate commands (a crash in between
    /// loses all bookmarks); here everything is one atomic step.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative or not below the frame count (nothing was changed).</exception>
    /// <exception cref="TemplateFrameException">A frame is a template frame and <paramref name="allowTemplateFrames"/> is false (nothing was changed).</exception>
    ValueTask<int> DeleteAsync(string roomId, IReadOnlyList<int> indices, bool allowTemplateFrames = false, CancellationToken cancellationToken = default);

    /// <summary>Replaces the frame at logical index <paramref name="index"/>, keeping its score; the bookmark at that index is removed (ZnDraw's rule). In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="index">The logical frame index.</param>
    /// <param name="frame">The new frame; it must not be elsewhere in the trajectory.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The frame that was replaced.</returns>
    /// <remarks><para>Redis backend: one Lua script: ZRANGE index index WITHSCORES, ZREM, ZADD with the old score, HDEL of the bookmark.</para></remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is negative or not below the frame count (nothing was changed).</exception>
    /// <exception cref="InvalidOperationException">The new frame is already at another index (nothing was changed).</exception>
    ValueTask<FrameIndex> ReplaceAsync(string roomId, int index, FrameIndex frame, CancellationToken cancellationToken = default);

    /// <summary>Rewrites the scores as 0, 1, 2, … in the current order (ZnDraw's renormalize route). In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The frame count.</returns>
    /// <remarks><para>Redis backend: one Lua script: ZRANGE 0 -1, then ZADD of the new scores in chunks; bookmarks are unaffected (logical indices do not change).</para></remarks>
    ValueTask<long> RenormalizeAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Replaces the whole trajectory with <paramref name="frames"/>, scored 0, 1, 2, … (ZnDraw's slice bulk replace). In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="frames">The new frames in order (no frame twice); empty deletes the trajectory.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the trajectory is replaced.</returns>
    /// <remarks><para>Redis backend: one MULTI/EXEC: DEL, ZADD. Bookmarks are not touched, as in ZnDraw.</para></remarks>
    /// <exception cref="ArgumentException"><paramref name="frames"/> holds a frame twice, or a frame is invalid.</exception>
    ValueTask ReplaceAllAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default);

    /// <summary>The selected frames of <paramref name="group"/>, or <see langword="null"/>.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="group">The selection group; ZnDraw only uses <c>default</c>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The frame selection, or <see langword="null"/> when none was stored.</returns>
    /// <remarks><para>Redis backend: <c>GET room:{room}:frame_selection:{group}</c>.</para></remarks>
    /// <exception cref="StorageDataException">The value is not a JSON array of non-negative integers.</exception>
    ValueTask<FrameSelection?> GetFrameSelectionAsync(string roomId, string group = FrameSelection.DefaultGroup, CancellationToken cancellationToken = default);

    /// <summary>Stores a frame selection as a JSON array (<c>[0, 1]</c>, Python style) under its group. In one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="selection">The group and its frames (non-negative).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the selection is stored.</returns>
    /// <remarks><para>Redis backend: the string <c>room:{room}:frame_selection:{group}</c>; one MULTI/EXEC: SET, and SADD of the key's name into the room's key registry (<c>room:{room}:keys</c>) so a room delete finds it.</para></remarks>
    /// <exception cref="ArgumentException">The group is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A frame index is negative.</exception>
    ValueTask SetFrameSelectionAsync(string roomId, FrameSelection selection, CancellationToken cancellationToken = default);
}
