namespace ZnDraw.Storage.History;

/// <summary>
/// The durable-mode outbox a backend provides: where a history event waits until the dispatcher hands it to the sink.
/// </summary>
/// <remarks>
/// Services never see a backend type: they open a <see cref="HistoryOutboxScope"/> around the one repository call whose
/// success the event records (through <see cref="HistoryRecorder"/>). A backend whose atomic step can carry the event
/// (<see cref="CanEnlist"/>) takes it from the scope and writes it in that step; otherwise the recorder appends it with
/// <see cref="AppendAsync"/> after the call returned.
/// </remarks>
internal interface IHistoryOutbox
{
    /// <summary>A name for logs (for Redis, the stream key).</summary>
    string Name { get; }

    /// <summary>True when the backend's atomic steps can take the event of a <see cref="HistoryOutboxScope"/>.</summary>
    bool CanEnlist { get; }

    /// <summary>Appends <paramref name="historyEvent"/> on its own, after the state change it records committed.</summary>
    /// <param name="historyEvent">The event.</param>
    /// <param name="cancellationToken">Bounds the wait; the append may still happen.</param>
    /// <exception cref="Contracts.StorageUnavailableException">The backend cannot be reached or timed out.</exception>
    ValueTask AppendAsync(HistoryEvent historyEvent, CancellationToken cancellationToken);
}
