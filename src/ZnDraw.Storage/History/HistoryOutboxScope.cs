namespace ZnDraw.Storage.History;

/// <summary>
/// Carries one history event from a service to the repository script that makes the state change, so that in durable
/// mode the script appends it to the outbox stream in the same atomic step (a transactional outbox).
/// </summary>
/// <remarks>
/// A service begins a scope (<see cref="HistoryRecorder.BeginOutbox"/>) right around the one repository call whose
/// success the event records. A backend step that declares when it succeeded (for Redis, a script's history condition)
/// takes the event, appends it only if it succeeded, and sets <see cref="Enlisted"/>. Steps that do not declare a
/// condition ignore the scope. The scope is ambient (an <see cref="AsyncLocal{T}"/>) so that repository signatures stay
/// free of history; it is only ever set in durable mode, or when a backend writes
/// history rows in its own transactions (<see cref="ITransactionalHistory"/>; then <see cref="Outbox"/> may be null), so
/// nothing is paid otherwise.
/// </remarks>
internal sealed class HistoryOutboxScope : IDisposable
{
    private static readonly AsyncLocal<HistoryOutboxScope?> CurrentScope = new();

    private readonly HistoryOutboxScope? _previous;

    internal HistoryOutboxScope(IHistoryOutbox? outbox, HistoryEvent historyEvent)
    {
        Outbox = outbox;
        Event = historyEvent;
        _previous = CurrentScope.Value;
        CurrentScope.Value = this;
    }

    /// <summary>The scope of the current call, or <see langword="null"/>.</summary>
    public static HistoryOutboxScope? Current => CurrentScope.Value;

    /// <summary>
    /// The backend's outbox; the backend recognises its own and appends in its atomic step. <see langword="null"/> when
    /// only an <see cref="ITransactionalHistory"/> backend can take the event.
    /// </summary>
    public IHistoryOutbox? Outbox { get; }

    /// <summary>The event to append.</summary>
    public HistoryEvent Event { get; }

    /// <summary>True once a script took the event: it appended it if and only if its state change succeeded.</summary>
    public bool Enlisted { get; private set; }

    /// <summary>Takes the event for one script; false when another script already took it.</summary>
    public bool TryTake()
    {
        if (Enlisted)
        {
            return false;
        }

        Enlisted = true;
        return true;
    }

    /// <summary>Gives the event back when the script that took it failed before running.</summary>
    public void Release() => Enlisted = false;

    /// <summary>Ends the scope.</summary>
    public void Dispose() => CurrentScope.Value = _previous;
}
