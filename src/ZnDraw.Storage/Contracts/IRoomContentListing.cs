using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// Lists the parts of a room that the per-part contracts cannot enumerate: frame-selection groups, the users with
/// settings, the stored extension form data, every chat message and the chat counter. For maintenance (migration and
/// its verification), not for a hot path.
/// </summary>
/// <remarks>
/// <para>
/// The other parts of a room are listed by their own contracts (<see cref="IGeometryRepository.GetAllAsync"/>,
/// <see cref="IBookmarkRepository.GetAllAsync"/>, <see cref="IFrameRepository.GetRangeAsync"/>, ...). Listings read
/// what is stored at the time of the call; they are not a snapshot of the whole room. The room itself is not checked:
/// as in ZnDraw, room-scoped data may exist for a room that was never created.
/// </para>
/// <para>
/// Every listing is sorted ordinally, so two backends holding the same data list it in the same order. The token is
/// checked before anything is sent and then bounds the wait. An invalid room id throws <see cref="ArgumentException"/>.
/// </para>
/// <para>
/// Redis backend: names come from the room's key registry <c>room:{room}:keys</c> (no <c>SCAN</c>), which the library
/// maintains and the reindex operation (<see cref="IIndexMaintenance.ReindexAsync"/>) rebuilds for keys an older ZnDraw
/// server wrote: run it first on such a keyspace.
/// </para>
/// </remarks>
internal interface IRoomContentListing
{
    /// <summary>The names of the room's frame-selection groups (<see cref="FrameSelection.Group"/>), sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The group names; empty when there are none.</returns>
    /// <remarks><para>Redis backend: one <c>SMEMBERS room:{room}:keys</c>, filtered to <c>frame_selection:{group}</c> keys.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListFrameSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The users who have settings in the room (<see cref="ISettingsRepository.GetAllAsync"/>), sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The user names; empty when there are none.</returns>
    /// <remarks><para>Redis backend: one <c>SMEMBERS room:{room}:keys</c>, filtered to <c>user:{user}:settings</c> keys.</para></remarks>
    ValueTask<IReadOnlyList<string>> ListSettingsUsersAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every stored extension form data entry of the room (<see cref="ISettingsRepository.GetExtensionDataAsync"/>),
    /// except category <c>settings</c>, whose entries are the settings sections; sorted by user, category, extension.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The entries' keys; empty when there are none.</returns>
    /// <remarks>
    /// <para>
    /// Redis backend: two round trips: <c>SMEMBERS room:{room}:keys</c>, filtered to <c>user:{user}:{category}</c> keys
    /// (the category never contains <c>:</c>, so the user is everything before the last <c>:</c>), then one batch of
    /// <c>HKEYS</c>. A key of the wrong Redis type throws <see cref="StorageDataException"/>.
    /// </para>
    /// </remarks>
    ValueTask<IReadOnlyList<ExtensionDataKey>> ListExtensionDataAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>Every chat message of the room, ordered by creation time, then id (ordinal).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The messages; empty when there are none.</returns>
    /// <remarks>
    /// <para>
    /// Unlike <see cref="IChatRepository.GetPageAsync"/>, which pages by time and so cannot step past more messages of
    /// one millisecond than a page holds, this returns all of them. A message that cannot be read (for which
    /// <see cref="IChatRepository.GetAsync"/> throws <see cref="StorageDataException"/>) is left out and reported as
    /// the page does (aggregate <c>chat_message</c>).
    /// </para>
    /// <para>Redis backend: one <c>HGETALL room:{room}:chat:data</c> (the messages, whether indexed or not).</para>
    /// </remarks>
    ValueTask<IReadOnlyList<ChatMessage>> ListChatMessagesAsync(string roomId, CancellationToken cancellationToken = default);

    /// <summary>The room's chat counter: the number of the last message posted, 0 when none was.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The counter; the next post gets this plus one.</returns>
    /// <exception cref="StorageDataException">The stored counter is not an integer.</exception>
    /// <remarks><para>Redis backend: one <c>GET room:{room}:chat:counter</c>.</para></remarks>
    ValueTask<long> GetChatCounterAsync(string roomId, CancellationToken cancellationToken = default);
}

/// <summary>Names one stored extension form data entry: <see cref="ISettingsRepository.GetExtensionDataAsync"/>'s arguments.</summary>
/// <param name="UserName">The user who submitted the form.</param>
/// <param name="Category">The extension category (never <c>settings</c> in <see cref="IRoomContentListing.ListExtensionDataAsync"/>).</param>
/// <param name="Extension">The extension name.</param>
internal readonly record struct ExtensionDataKey(string UserName, string Category, string Extension);
