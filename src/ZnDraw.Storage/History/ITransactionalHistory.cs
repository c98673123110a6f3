namespace ZnDraw.Storage.History;

/// <summary>
/// Registered by a backend that writes the history row of a state change in the same database transaction as the change
/// (SQL storage with the history tables in the same database). The recorder then opens a <see cref="HistoryOutboxScope"/>
/// in every mode but off; the backend takes the event with <see cref="HistoryOutboxScope.TryTake"/> and the recorder
/// delivers nothing more for it: exactly once, without an outbox.
/// </summary>
internal interface ITransactionalHistory
{
}
