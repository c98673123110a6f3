using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace ZnDraw.Storage.History;

/// <summary>
/// What repositories and services use to emit history: it knows the effective mode and does the
/// right thing around a Redis write. With no sink registered it is off and costs one bool check.
/// </summary>
/// <remarks>
/// The calling pattern of a write that emits an event:
/// <code>
/// HistoryEvent? e = recorder.IsEnabled ? new RoomHistoryEvent(recorder.NewEventId(), recorder.Now, ...) : null;
/// var tx = db.CreateTransaction();
/// ... queue the state change ...
/// var enlisted = e is not null &amp;&amp; recorder.Enlist(tx, e);   // durable: XADD inside this MULTI
/// var committed = await tx.ExecuteAsync();
/// if (committed &amp;&amp; e is not null) await recorder.CommittedAsync(db, e, enlisted, ct);
/// </code>
/// For a Lua script, include <see cref="HistoryOutbox.LuaAppend(int, int)"/> and, when
/// <see cref="Outbox"/> is not null and the stream may share the script's slot, pass
/// <see cref="HistoryOutbox.StreamKey"/> as the last key and <see cref="HistoryOutbox.ToScriptArgs(HistoryEvent)"/>
/// as the last arguments; then call <see cref="CommittedAsync"/> with <c>enlisted: true</c>.
/// When the state change lives in another cluster slot than the stream (the cluster-safe layout),
/// do not enlist: <see cref="CommittedAsync"/> with <c>enlisted: false</c> appends the event with a
/// separate <c>XADD</c> after the commit.
/// </remarks>
internal sealed class HistoryRecorder
{
    private readonly IHistorySink? _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly HistoryOutbox? _scriptOutbox;

    public HistoryRecorder(
        IOptions<HistoryOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<HistoryRecorder>? logger = null,
        IHistorySink? sink = null,
        ZnDraw.Storage.Keys.KeySpace? keySpace = null)
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

        Outbox = Mode == HistoryMode.Durable ? new HistoryOutbox(value.StreamKey) : null;
        // A script can append to the outbox only when the stream shares the node with every key (one Redis node).
        _scriptOutbox = keySpace is null || keySpace.Layout == ZnDraw.Storage.Keys.KeyLayout.ZnDraw ? Outbox : null;
    }

    /// <summary>A recorder that records nothing (no sink).</summary>
    public static HistoryRecorder Disabled { get; } = new(Options.Create(new HistoryOptions { Mode = HistoryMode.Off }));

    /// <summary>The effective mode: <see cref="HistoryMode.Off"/> whenever no sink is registered.</summary>
    public HistoryMode Mode { get; }

    /// <summary>True when events should be created at all.</summary>
    public bool IsEnabled => Mode != HistoryMode.Off;

    /// <summary>The outbox in durable mode, otherwise <see langword="null"/>.</summary>
    public HistoryOutbox? Outbox { get; }

    /// <summary>The current time, for <see cref="HistoryEvent.OccurredAt"/>.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>A new event id for an event happening now.</summary>
    public string NewEventId() => HistoryEvent.NewEventId(_time.GetUtcNow());

    /// <summary>
    /// In durable mode, queues the outbox <c>XADD</c> into <paramref name="transaction"/> and returns
    /// <see langword="true"/>; otherwise does nothing and returns <see langword="false"/>.
    /// Only enlist when the stream may share the transaction (same node or same cluster slot).
    /// </summary>
    public bool Enlist(ITransaction transaction, HistoryEvent historyEvent)
    {
        if (Outbox is null)
        {
            return false;
        }

        // The entry id is not needed: the XADD rides in the transaction as fire-and-forget.
        Outbox.Enlist(transaction, historyEvent);
        return true;
    }

    /// <summary>
    /// Makes <paramref name="historyEvent"/> available to the next repository script of this call, which appends it to
    /// the outbox in its own atomic step (durable mode, ZnDraw layout). Returns <see langword="null"/> otherwise.
    /// </summary>
    public HistoryOutboxScope? BeginOutbox(HistoryEvent? historyEvent) =>
        historyEvent is not null && _scriptOutbox is not null ? new HistoryOutboxScope(_scriptOutbox, historyEvent) : null;

    /// <summary>
    /// Call after the repository call of <paramref name="scope"/> succeeded: direct mode hands the event to the sink;
    /// durable mode appends it with a separate <c>XADD</c> unless a script already did. Never throws.
    /// </summary>
    /// <param name="scope">The scope opened around the repository call, or <see langword="null"/>.</param>
    /// <param name="historyEvent">The event.</param>
    /// <param name="cancellationToken">Bounds the wait for the sink or the XADD.</param>
    /// <param name="database">The database for a separate XADD (durable mode, when no script took the event).</param>
    public ValueTask RecordAsync(HistoryOutboxScope? scope, HistoryEvent historyEvent, CancellationToken cancellationToken, IDatabaseAsync? database = null)
    {
        var enlisted = scope?.Enlisted == true;
        if (Mode != HistoryMode.Durable || enlisted)
        {
            return Mode == HistoryMode.Off || enlisted ? ValueTask.CompletedTask : CommittedAsync(null!, historyEvent, enlisted, cancellationToken);
        }

        if (database is null)
        {
            HistoryMetrics.OutboxFailures.Add(1);
            HistoryLog.OutboxAppendFailed(_logger, new InvalidOperationException("No Redis database was given for the history outbox."), historyEvent.EventId, Outbox!.StreamKey.ToString() ?? string.Empty);
            return ValueTask.CompletedTask;
        }

        return CommittedAsync(database, historyEvent, enlisted: false, cancellationToken);
    }

    /// <summary>
    /// Call after the Redis step committed. Direct mode: hands the event to the sink. Durable mode
    /// with <paramref name="enlisted"/> false: appends it to the outbox with a separate <c>XADD</c>.
    /// Never throws: a failure is logged and counted, and the Redis call it follows stays successful.
    /// Otherwise (off, or durable with the event already in the transaction) it does nothing and returns a completed task.
    /// </summary>
    public ValueTask CommittedAsync(IDatabaseAsync database, HistoryEvent historyEvent, bool enlisted, CancellationToken cancellationToken) =>
        Mode == HistoryMode.Direct || (Mode == HistoryMode.Durable && !enlisted)
            ? DeliverAsync(database, historyEvent, enlisted, cancellationToken)
            : ValueTask.CompletedTask;

    private async ValueTask DeliverAsync(IDatabaseAsync database, HistoryEvent historyEvent, bool enlisted, CancellationToken cancellationToken)
    {
        switch (Mode)
        {
            case HistoryMode.Direct:
                try
                {
                    await _sink!.WriteAsync([historyEvent], cancellationToken).ConfigureAwait(false);
                    HistoryMetrics.Delivered.Add(1);
                }
#pragma warning disable CA1031 // A history failure must never fail the Redis call that already committed.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    HistoryMetrics.SinkFailures.Add(1);
                    HistoryLog.DirectSinkFailed(_logger, ex, 1);
                }

                break;

            case HistoryMode.Durable when !enlisted:
                try
                {
                    await Outbox!.AppendAsync(database, historyEvent).WaitAsync(cancellationToken).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // As above: the state change committed; losing its history is logged and counted.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    HistoryMetrics.OutboxFailures.Add(1);
                    HistoryLog.OutboxAppendFailed(_logger, ex, historyEvent.EventId, Outbox!.StreamKey.ToString() ?? string.Empty);
                }

                break;
        }
    }
}
