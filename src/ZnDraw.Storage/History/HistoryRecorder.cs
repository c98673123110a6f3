using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ZnDraw.Storage.History;

/// <summary>
/// What services use to emit history: it knows the effective mode and does the right thing around a repository call,
/// through backend-neutral contracts only (<see cref="IHistorySink"/>, <see cref="IHistoryOutbox"/>). With no sink
/// registered it is off and costs one bool check.
/// </summary>
/// <remarks>
/// The calling pattern of a service call that emits an event:
/// <code>
/// HistoryEvent? e = recorder.IsEnabled ? new RoomHistoryEvent(recorder.NewEventId(), recorder.Now, ...) : null;
/// using var scope = recorder.BeginOutbox(e);            // durable: the backend's atomic step takes e
/// var changed = await repository.SomethingAsync(..., ct);
/// if (changed &amp;&amp; e is not null) await recorder.RecordAsync(scope, e, ct);   // direct: the sink; durable: an append unless enlisted
/// </code>
/// </remarks>
internal sealed class HistoryRecorder
{
    private readonly IHistorySink? _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly bool _transactional;

    /// <summary>Creates the recorder.</summary>
    /// <param name="options">The history mode.</param>
    /// <param name="timeProvider">The clock of event times and ids; default the system clock.</param>
    /// <param name="logger">Logs delivery failures.</param>
    /// <param name="sink">The sink; without one, history is off whatever the mode.</param>
    /// <param name="outbox">The backend's outbox; required in durable mode.</param>
    /// <param name="transactional">Present when a backend writes history rows in its own transactions.</param>
    /// <exception cref="ArgumentException">Durable mode with a sink but without an outbox.</exception>
    public HistoryRecorder(
        IOptions<HistoryOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<HistoryRecorder>? logger = null,
        IHistorySink? sink = null,
        IHistoryOutbox? outbox = null,
        ITransactionalHistory? transactional = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        _sink = sink;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        Mode = sink is null ? HistoryMode.Off : value.Mode;
        if (sink is null && value.Mode != HistoryMode.Off)
        {
            HistoryLog.NoSink(_logger, value.Mode);
        }

        if (Mode == HistoryMode.Durable)
        {
            Outbox = outbox ?? throw new ArgumentException("Durable history needs the backend's outbox.", nameof(outbox));
        }

        _transactional = transactional is not null && Mode != HistoryMode.Off;
    }

    /// <summary>A recorder that records nothing (no sink).</summary>
    public static HistoryRecorder Disabled { get; } = new(Options.Create(new HistoryOptions { Mode = HistoryMode.Off }));

    /// <summary>The effective mode: <see cref="HistoryMode.Off"/> whenever no sink is registered.</summary>
    public HistoryMode Mode { get; }

    /// <summary>True when events should be created at all.</summary>
    public bool IsEnabled => Mode != HistoryMode.Off;

    /// <summary>The backend's outbox in durable mode, otherwise <see langword="null"/>.</summary>
    public IHistoryOutbox? Outbox { get; }

    /// <summary>The current time, for <see cref="HistoryEvent.OccurredAt"/>.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>A new event id for an event happening now.</summary>
    public string NewEventId() => HistoryEvent.NewEventId(_time.GetUtcNow());

    /// <summary>
    /// Makes <paramref name="historyEvent"/> available to the next repository step of this call, which appends it to the
    /// outbox in its own atomic step (durable mode), or writes it as a history row in its own
    /// transaction (an <see cref="ITransactionalHistory"/> backend, any mode but off). Returns <see langword="null"/> otherwise.
    /// </summary>
    public HistoryOutboxScope? BeginOutbox(HistoryEvent? historyEvent)
    {
        if (historyEvent is null)
        {
            return null;
        }

        if (Outbox is { } outbox)
        {
            return new HistoryOutboxScope(outbox, historyEvent);
        }

        // A backend that writes the history row in its own transaction (SQL with the history in the same database)
        // takes the event from a scope without an outbox; every other backend leaves it to RecordAsync.
        return _transactional ? new HistoryOutboxScope(null, historyEvent) : null;
    }

    public ValueTask RecordAsync(HistoryOutboxScope? scope, HistoryEvent historyEvent, CancellationToken cancellationToken) =>
        Mode == HistoryMode.Off || scope?.Enlisted == true
            ? ValueTask.CompletedTask
            : DeliverAsync(historyEvent, cancellationToken);

    private async ValueTask DeliverAsync(HistoryEvent historyEvent, CancellationToken cancellationToken)
    {
        if (Mode == HistoryMode.Direct)
        {
            try
            {
                await _sink!.WriteAsync([historyEvent], cancellationToken).ConfigureAwait(false);
                HistoryMetrics.Delivered.Add(1);
            }
#pragma warning disable CA1031 // A history failure must never fail the state change that already committed.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                HistoryMetrics.SinkFailures.Add(1);
                HistoryLog.DirectSinkFailed(_logger, ex, 1);
            }

            return;
        }

        try
        {
            await Outbox!.AppendAsync(historyEvent, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // As above: the state change committed; losing its history is logged and counted.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            HistoryMetrics.OutboxFailures.Add(1);
            HistoryLog.OutboxAppendFailed(_logger, ex, historyEvent.EventId, Outbox!.Name);
        }
    }
}
