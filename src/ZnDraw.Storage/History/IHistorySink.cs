namespace ZnDraw.Storage.History;

/// <summary>Stores history events (the write side of history).</summary>
/// <remarks>
/// Implementations must be idempotent by <see cref="HistoryEvent.EventId"/>: the durable dispatcher
/// delivers at least once, so the same batch (or part of it) can arrive again after a failure or a
/// crash, and must not create a second row. A call either stores the whole batch or throws; the
/// caller retries a batch that threw.
/// </remarks>
public interface IHistorySink
{
    /// <summary>Stores <paramref name="events"/> in one unit of work, skipping events already stored.</summary>
    /// <param name="events">The events, oldest first.</param>
    /// <param name="cancellationToken">Cancels the write; nothing is stored then.</param>
    ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken);
}

/// <summary>Reads history back (the read side of history), one page at a time, newest first.</summary>
/// <remarks>
/// <para>
/// Paging is keyset paging: each page ends with <see cref="HistoryPage{T}.NextCursor"/>, an opaque cursor naming the
/// position of its last (oldest) entry; passing it as <c>before</c> returns the entries older than that position. The
/// order is total (time, then the store's insertion order for equal times), so reading page after page returns every
/// entry that existed at the first read exactly once, in order, even while new entries are stored: an entry stored
/// later never shifts a page; it appears on a later page when its time is older than the cursor, and is otherwise
/// seen by starting again from the newest page. A cursor is only meaningful to the store that issued it and to the same query; it stays valid as long
/// as the entry it names exists (a cursor whose entry was deleted still works: it is a position, not a row).
/// </para>
/// <para>
/// Ids are validated as the Redis keys validate them (<c>KeyValidation</c>): an invalid id throws
/// <see cref="ArgumentException"/> naming the parameter before the store is queried, so a caller never reads an
/// empty list for an id that cannot exist.
/// </para>
/// </remarks>
public interface IHistoryQuery
{
    /// <summary>The largest <c>limit</c> (page size) a query accepts.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Registrations of the extension called <paramref name="name"/> (any scope, any category), newest first.</summary>
    /// <param name="name">The extension name (<c>KeyValidation.ValidateExtensionName</c>).</param>
    /// <param name="limit">The page size: how many registrations at most, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="since">Only registrations at or after this time, or <see langword="null"/> for all.</param>
    /// <param name="before">The <see cref="HistoryPage{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the newest page.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page, and the cursor of the next (older) one when there is one.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a valid extension name, or <paramref name="before"/> is not a cursor of this store.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to <see cref="MaxLimit"/>.</exception>
    ValueTask<HistoryPage<ExtensionRegisteredEvent>> GetExtensionHistoryAsync(
        string name, int limit = 100, DateTimeOffset? since = null, string? before = null, CancellationToken cancellationToken = default);

    /// <summary>Events of the room <paramref name="roomId"/>, newest first.</summary>
    /// <param name="roomId">The room (<c>KeyValidation.ValidateRoomId</c>).</param>
    /// <param name="limit">The page size: how many events at most, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="since">Only events at or after this time, or <see langword="null"/> for all.</param>
    /// <param name="before">The <see cref="HistoryPage{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the newest page.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page, and the cursor of the next (older) one when there is one.</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is not a valid room id, or <paramref name="before"/> is not a cursor of this store.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to <see cref="MaxLimit"/>.</exception>
    ValueTask<HistoryPage<RoomHistoryEvent>> GetRoomEventsAsync(
        string roomId, int limit = 100, DateTimeOffset? since = null, string? before = null, CancellationToken cancellationToken = default);

    /// <summary>Login sessions of <paramref name="username"/> with their logouts, newest login first.</summary>
    /// <param name="username">The user name (<c>KeyValidation.ValidateUserName</c>).</param>
    /// <param name="limit">The page size: how many sessions at most, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="since">Only sessions that started at or after this time, or <see langword="null"/> for all.</param>
    /// <param name="before">The <see cref="HistoryPage{T}.NextCursor"/> of the previous page, or <see langword="null"/> for the newest page.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The page, and the cursor of the next (older) one when there is one.</returns>
    /// <exception cref="ArgumentException"><paramref name="username"/> is not a valid user name, or <paramref name="before"/> is not a cursor of this store.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to <see cref="MaxLimit"/>.</exception>
    ValueTask<HistoryPage<UserSession>> GetUserSessionsAsync(
        string username, int limit = 100, DateTimeOffset? since = null, string? before = null, CancellationToken cancellationToken = default);
}
