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

/// <summary>Reads history back (the read side of history). Every list is newest first.</summary>
public interface IHistoryQuery
{
    /// <summary>The largest <c>limit</c> a query accepts.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Registrations of the extension called <paramref name="name"/> (any scope, any category), newest first.</summary>
    /// <param name="name">The extension name.</param>
    /// <param name="limit">How many registrations at most, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="since">Only registrations at or after this time, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to <see cref="MaxLimit"/>.</exception>
    Task<IReadOnlyList<ExtensionRegisteredEvent>> GetExtensionHistoryAsync(
        string name, int limit = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default);

    /// <summary>Events of the room <paramref name="roomId"/>, newest first.</summary>
    /// <param name="roomId">The room.</param>
    /// <param name="limit">How many events at most, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="since">Only events at or after this time, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to <see cref="MaxLimit"/>.</exception>
    Task<IReadOnlyList<RoomHistoryEvent>> GetRoomEventsAsync(
        string roomId, int limit = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default);

    /// <summary>Login sessions of <paramref name="username"/> with their logouts, newest login first.</summary>
    /// <param name="username">The user name.</param>
    /// <param name="limit">How many sessions at most, 1 to <see cref="MaxLimit"/>.</param>
    /// <param name="since">Only sessions that started at or after this time, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is outside 1 to <see cref="MaxLimit"/>.</exception>
    Task<IReadOnlyList<UserSession>> GetUserSessionsAsync(
        string username, int limit = 100, DateTimeOffset? since = null, CancellationToken cancellationToken = default);
}
