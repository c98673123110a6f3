using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Diagnostics;

namespace ZnDraw.Storage.History;

/// <summary>History counters, on the <c>ZnDraw.Storage</c> meter (their names are public on <see cref="ZnDrawStorageDiagnostics"/>).</summary>
internal static class HistoryMetrics
{
    private static readonly Meter Meter = ZnDrawStorageDiagnostics.Meter;

    /// <summary>Events handed to the sink and stored (direct and durable).</summary>
    public static readonly Counter<long> Delivered =
        Meter.CreateCounter<long>(ZnDrawStorageDiagnostics.HistoryDeliveredInstrument, "{event}", "History events stored by the sink.");

    /// <summary>Failed sink writes (direct: the event is lost; durable: the batch is retried).</summary>
    public static readonly Counter<long> SinkFailures =
        Meter.CreateCounter<long>(ZnDrawStorageDiagnostics.HistorySinkFailuresInstrument, "{failure}", "Failed history sink writes.");

    /// <summary>Events that could not be appended to the outbox after their state change committed (split cluster-safe writes).</summary>
    public static readonly Counter<long> OutboxFailures =
        Meter.CreateCounter<long>(ZnDrawStorageDiagnostics.HistoryOutboxFailuresInstrument, "{event}", "History events lost before reaching the outbox.");

    /// <summary>Outbox entries that could not be read as events; they are acknowledged and dropped.</summary>
    public static readonly Counter<long> PoisonEntries =
        Meter.CreateCounter<long>(ZnDrawStorageDiagnostics.HistoryPoisonEntriesInstrument, "{entry}", "Unreadable history outbox entries dropped.");

    /// <summary>Outbox entries reclaimed from another (crashed or stalled) dispatcher.</summary>
    public static readonly Counter<long> Reclaimed =
        Meter.CreateCounter<long>(ZnDrawStorageDiagnostics.HistoryReclaimedInstrument, "{entry}", "History outbox entries reclaimed from another dispatcher.");
}

/// <summary>Source-generated log messages of history recording.</summary>
internal static partial class HistoryLog
{
    [LoggerMessage(EventId = ZnDrawEventIds.HistoryDirectSinkFailed, Level = LogLevel.Warning, Message = "History sink failed to store {Count} event(s) in direct mode; they are not recorded.")]
    public static partial void DirectSinkFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryOutboxAppendFailed, Level = LogLevel.Warning, Message = "History event {EventId} could not be appended to outbox {Stream} after its state change committed; it is not recorded.")]
    public static partial void OutboxAppendFailed(ILogger logger, Exception exception, string eventId, string stream);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryDispatcherStarted, Level = LogLevel.Information, Message = "History dispatcher {Consumer} started on outbox {Stream}, group {Group}.")]
    public static partial void DispatcherStarted(ILogger logger, string consumer, string stream, string group);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryBatchFailed, Level = LogLevel.Warning, Message = "History sink failed to store a batch of {Count} event(s); retrying in {Delay}.")]
    public static partial void BatchFailed(ILogger logger, Exception exception, int count, TimeSpan delay);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryOutboxUnavailable, Level = LogLevel.Warning, Message = "History outbox {Stream} is unreachable; retrying in {Delay}.")]
    public static partial void OutboxUnavailable(ILogger logger, Exception exception, string stream, TimeSpan delay);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryPoisonEntry, Level = LogLevel.Error, Message = "History outbox entry {EntryId} is unreadable and is dropped.")]
    public static partial void PoisonEntry(ILogger logger, Exception exception, string entryId);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryReclaimed, Level = LogLevel.Information, Message = "History dispatcher {Consumer} reclaimed {Count} entries from stalled dispatchers.")]
    public static partial void Reclaimed(ILogger logger, string consumer, int count);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryDelivered, Level = LogLevel.Debug, Message = "History dispatcher stored {Count} event(s).")]
    public static partial void Delivered(ILogger logger, int count);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryAckFailed, Level = LogLevel.Warning, Message = "History dispatcher could not acknowledge or trim outbox {Stream}; entries will be redelivered (harmless).")]
    public static partial void AckFailed(ILogger logger, Exception exception, string stream);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryNoSink, Level = LogLevel.Information, Message = "History mode is {Mode} but no history sink is registered: history is off.")]
    public static partial void NoSink(ILogger logger, HistoryMode mode);

    [LoggerMessage(EventId = ZnDrawEventIds.HistoryShardsFound, Level = LogLevel.Information, Message = "History dispatcher {Consumer} consumes {Count} outbox shard(s); {Swept} of them were missing from the shard registry and were found by the start-up sweep.")]
    public static partial void ShardsFound(ILogger logger, string consumer, int count, int swept);
}
