namespace ZnDraw.Storage.History;

/// <summary>
/// The durable-mode outbox a backend provides: where a history event waits until the dispatcher hands it to the sink.
/// </summary>
/// <remarks>
/// Services never see a backend type: they open a <see cref="HistoryOutboxScope"/> around the one repository call whose
/// success the event records (through <see cref="HistoryRecorder"/>). The backend's atomic step takes the event from the
/// scope and writes it in that step, on one server and on a Redis Cluster alike (the Redis outbox is sharded by hash slot
/// under the cluster-safe layout); an event that no step took (a call served by another backend) is appended with
/// <see cref="AppendAsync"/> after the call returned.
/// </remarks>
internal interface IHistoryOutbox
{
    /// <summary>A name for logs (for Redis, the stream key).</summary>
    string Name { get; }

    /// <summary>Appends <paramref name="historyEvent"/> on its own, after the state change it records committed.</summary>
    /// <param name="historyEvent">The event.</param>
    /// <param name="cancellationToken">Bounds the wait; the append may still happen.</param>
    /// <exception cref="Contracts.StorageUnavailableException">The backend cannot be reached or timed out.</exception>
    ValueTask AppendAsync(HistoryEvent historyEvent, CancellationToken cancellationToken);
}
