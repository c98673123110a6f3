namespace ZnDraw.Storage.Contracts;

/// <summary>
/// The room-scoped state a backend keeps only while a room lives and that never moves to SQL: locks and the presenter
/// lock, presence, room extensions, workers, queues and jobs, filesystem registrations. A backend that stores rooms
/// elsewhere (SQL) removes it through this contract after it deleted the room.
/// </summary>
/// <remarks>
/// The Redis backend implements it by deleting every key the room owns in Redis, the same step as its own room delete;
/// it is idempotent, so a repeat after a crash (the SQL backend's reconcile) is harmless.
/// </remarks>
internal interface IRoomEphemeralState
{
    /// <summary>Removes every piece of ephemeral state of <paramref name="roomId"/>; nothing happens when there is none.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the state is gone.</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is not a valid room id (nothing is sent).</exception>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    ValueTask DeleteAsync(string roomId, CancellationToken cancellationToken = default);
}
