using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// Writes parts of a room exactly as another backend holds them, where the live calls cannot: trajectory scores, chat
/// message ids, times and edit flags with the chat counter, room members, metadata and the active selection group.
/// For migration only.
/// </summary>
/// <remarks>
/// <para>
/// The live calls derive what these take as given (an append scores frames 1.0, 2.0, …; a post numbers and timestamps
/// its message; joining a room changes the user's current room; a selection write clears the active group). An import
/// replaces the part whole, in one atomic step, without those checks and side effects: it does not check that the room
/// (or a member) exists, and it never creates the room. Every other part of a room is written through its own contract.
/// </para>
/// <para>
/// The token is checked before anything is sent and then bounds the wait; a backend may still complete the call. An
/// invalid room id throws <see cref="ArgumentException"/> before anything is written.
/// </para>
/// <para>
/// Redis backend: every call is one <c>MULTI</c>/<c>EXEC</c> on the room's keys (one slot in every layout): <c>DEL</c> of
/// the part's keys, then the writes, in ZnDraw's encodings.
/// </para>
/// </remarks>
internal interface IRoomContentImport
{
    /// <summary>Replaces the room's trajectory with <paramref name="entries"/>, keeping their scores; bookmarks are not touched.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="entries">The frames with their scores, in logical order (scores non-decreasing); empty deletes the trajectory.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the trajectory is replaced.</returns>
    /// <exception cref="ArgumentException">A frame repeats or is invalid, a score is not finite, or the scores decrease.</exception>
    /// <remarks><para>Redis backend: <c>DEL room:{room}:trajectory:indices</c>, <c>ZADD</c> of every entry.</para></remarks>
    ValueTask ReplaceTrajectoryAsync(string roomId, IReadOnlyList<TrajectoryEntry> entries, CancellationToken cancellationToken = default);

    /// <summary>Replaces the room's members (the users who ever joined) without changing the users.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="userNames">The members (no repeats); empty removes every member.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the members are replaced.</returns>
    /// <exception cref="ArgumentException">A name is invalid or repeats.</exception>
    /// <remarks><para>Redis backend: <c>DEL room:{room}:users</c>, <c>SADD</c> of the names.</para></remarks>
    ValueTask ReplaceMembersAsync(string roomId, IReadOnlyList<string> userNames, CancellationToken cancellationToken = default);

    /// <summary>Replaces the room's metadata, also for a room that does not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="metadata">The fields, or <see langword="null"/> (or no field) to remove the metadata.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the metadata is replaced.</returns>
    /// <exception cref="ArgumentException">A field name is empty.</exception>
    /// <remarks><para>Redis backend: <c>DEL room:{room}:metadata</c>, <c>HSET</c> of the fields.</para></remarks>
    ValueTask ReplaceMetadataAsync(string roomId, RoomMetadata? metadata, CancellationToken cancellationToken = default);

    /// <summary>Sets (or with <see langword="null"/> clears) the room's active selection group, leaving the selections as they are.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="name">The group name, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the active group is written.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    /// <remarks><para>Redis backend: <c>SET room:{room}:active_selection_group</c>, or <c>DEL</c>.</para></remarks>
    ValueTask SetActiveSelectionGroupAsync(string roomId, string? name, CancellationToken cancellationToken = default);

    /// <summary>Replaces the room's chat with <paramref name="messages"/> as they are (ids, authors, times, edit flags) and sets the counter.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="messages">The messages (no id twice; each message's <see cref="ChatMessage.RoomId"/> is stored as given).</param>
    /// <param name="counter">The chat counter: the next post gets this plus one (not negative).</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the chat is replaced.</returns>
    /// <exception cref="ArgumentException">An id repeats, a message is invalid, or <paramref name="counter"/> is negative.</exception>
    /// <remarks>
    /// <para>
    /// Redis backend: <c>DEL</c> of <c>chat:data</c>, <c>chat:index</c> and <c>chat:counter</c>, then <c>HSET chat:data</c>
    /// (ZnDraw's JSON), <c>ZADD chat:index</c> (scored by creation time in epoch milliseconds) and <c>SET chat:counter</c>
    /// when it is above 0.
    /// </para>
    /// </remarks>
    ValueTask ReplaceChatAsync(string roomId, IReadOnlyList<ChatMessage> messages, long counter, CancellationToken cancellationToken = default);
}
