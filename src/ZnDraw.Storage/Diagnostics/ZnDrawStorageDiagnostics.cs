using System.Diagnostics.Metrics;
using System.Diagnostics;

namespace ZnDraw.Storage.Diagnostics;

/// <summary>
/// Names of the library's <see cref="ActivitySource"/> and <see cref="Meter"/> (both <c>ZnDraw.Storage</c>) and of
/// its instruments, for hosts that subscribe (e.g. OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c>).
/// </summary>
/// <remarks>
/// Nothing is measured or allocated for telemetry while nobody listens. Tag keys follow the OpenTelemetry semantic
/// conventions where one exists (<c>db.system.name</c>, <c>error.type</c>); the library's own keys start with
/// <c>zndraw.storage.</c>. <c>docs/telemetry.md</c> lists every span, instrument, tag and value.
/// </remarks>
public static class ZnDrawStorageDiagnostics
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "ZnDraw.Storage";

    /// <summary>
    /// Histogram of operation durations in seconds, tagged <c>zndraw.storage.operation</c> (the span name),
    /// <c>db.system.name</c> (<c>redis</c>, <c>sqlite</c>, <c>postgresql</c>; absent when the store is not one of the
    /// library's) and, on failure only, <c>error.type</c> (the exception's full type name).
    /// </summary>
    public const string OperationDurationInstrument = "zndraw.storage.operation.duration";

    /// <summary>
    /// Counter of failed operations, tagged <c>zndraw.storage.operation</c>, <c>db.system.name</c> and
    /// <c>error.type</c> as on <see cref="OperationDurationInstrument"/>.
    /// </summary>
    public const string ErrorsInstrument = "zndraw.storage.operation.errors";

    /// <summary>
    /// Counter of index entries added or removed by reconciliation (the background reconciler and
    /// <c>IIndexMaintenance.ReindexAsync</c>), tagged <c>zndraw.storage.index</c> (<c>rooms</c>, <c>users</c>,
    /// <c>admins</c>, <c>workers</c>) and <c>zndraw.storage.change</c> (<c>added</c>, <c>removed</c>).
    /// </summary>
    public const string IndexReconciledInstrument = "zndraw.storage.index.reconciled";

    /// <summary>
    /// Counter of unreadable entries that a listing skipped and reported (each also logged as a warning naming the key),
    /// tagged <c>zndraw.storage.aggregate</c> (<c>room</c>, <c>filesystem</c>, <c>extension</c>, <c>chat_message</c>,
    /// <c>geometry</c>, <c>selection</c>, <c>selection_group</c>, <c>job</c>, <c>bookmark</c>).
    /// </summary>
    public const string UnreadableInstrument = "zndraw.storage.unreadable";

    /// <summary>Counter of history events stored by the sink (direct and durable mode); no tags.</summary>
    public const string HistoryDeliveredInstrument = "zndraw.storage.history.delivered";

    /// <summary>Counter of failed history sink writes (direct: the events are lost; durable: the batch is retried); no tags.</summary>
    public const string HistorySinkFailuresInstrument = "zndraw.storage.history.sink_failures";

    /// <summary>Counter of history events lost before reaching the outbox (split cluster-safe writes); no tags.</summary>
    public const string HistoryOutboxFailuresInstrument = "zndraw.storage.history.outbox_failures";

    /// <summary>Counter of unreadable history outbox entries, acknowledged and dropped; no tags.</summary>
    public const string HistoryPoisonEntriesInstrument = "zndraw.storage.history.poison_entries";

    /// <summary>Counter of history outbox entries reclaimed from a crashed or stalled dispatcher; no tags.</summary>
    public const string HistoryReclaimedInstrument = "zndraw.storage.history.reclaimed";

    /// <summary>The tag naming the operation (the span name) on the operation metrics.</summary>
    internal const string OperationTag = "zndraw.storage.operation";

    /// <summary>The OpenTelemetry tag naming the backend (<see cref="DbSystem"/>).</summary>
    internal const string DbSystemTag = "db.system.name";

    /// <summary>The OpenTelemetry tag naming a failure: the exception's full type name.</summary>
    internal const string ErrorTypeTag = "error.type";

    /// <summary>The tag of <see cref="IndexReconciledInstrument"/> naming the index.</summary>
    internal const string IndexTag = "zndraw.storage.index";

    /// <summary>The tag of <see cref="IndexReconciledInstrument"/> saying whether entries were added or removed.</summary>
    internal const string ChangeTag = "zndraw.storage.change";

    /// <summary>The tag of <see cref="UnreadableInstrument"/> naming the aggregate.</summary>
    internal const string AggregateTag = "zndraw.storage.aggregate";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(ZnDrawStorageDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Meter Meter = new(Name, typeof(ZnDrawStorageDiagnostics).Assembly.GetName().Version?.ToString());

    internal static readonly Histogram<double> OperationDuration = Meter.CreateHistogram<double>(
        OperationDurationInstrument, "s", "Duration of ZnDraw.Storage operations.");

    internal static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        ErrorsInstrument, "{error}", "Failed ZnDraw.Storage operations.");

    internal static readonly Counter<long> IndexReconciled = Meter.CreateCounter<long>(
        IndexReconciledInstrument, "{entry}", "Index entries added or removed by reconciliation with other writers.");

    internal static readonly Counter<long> Unreadable = Meter.CreateCounter<long>(
        UnreadableInstrument, "{entry}", "Unreadable stored entries skipped by listings.");

    /// <summary>Adds <paramref name="count"/> to <see cref="IndexReconciled"/> (nothing for 0 or without listeners).</summary>
    internal static void RecordReconciled(string index, string change, long count)
    {
        if (count > 0 && IndexReconciled.Enabled)
        {
            IndexReconciled.Add(
                count,
                new KeyValuePair<string, object?>(IndexTag, index),
                new KeyValuePair<string, object?>(ChangeTag, change));
        }
    }
}

/// <summary>
/// Times one operation: an activity (when the source has listeners), the duration histogram and the error counter
/// (when they are enabled). A <see langword="struct"/>: free when nobody listens.
/// </summary>
/// <remarks>
/// <para>
/// Every service method uses it the same way, with nothing else in the catch:
/// <code>
/// using var op = StorageOperation.Start("room.create", _dbSystem);
/// try
/// {
///     ...
/// }
/// catch (Exception ex) when (op.RecordFailure(ex))
/// {
///     throw;
/// }
/// </code>
/// The filter records the failure and answers <see langword="false"/>, so the exception is never caught: it leaves the
/// method as thrown (same type, same stack), and <see cref="Dispose"/> then records the duration.
/// </para>
/// <para>
/// The conventions (OpenTelemetry semantic conventions, "recording errors"): the span is <see cref="ActivityKind.Internal"/>
/// (it wraps several commands, whose own instrumentation, if any, emits the client spans); a failure sets the status to
/// <see cref="ActivityStatusCode.Error"/> with the exception's full type name as description (never the message: it
/// can name a room or a user), and <c>error.type</c> to that name on the span and on both metrics; a success carries
/// no <c>error.type</c>. No exception event is added (the conventions advise against it; the exception reaches the
/// caller unchanged, whose own logging or instrumentation records it once).
/// </para>
/// <para>
/// The backend (<c>db.system.name</c>) is a string the caller found once, when it was built (<see cref="DbSystem.Of"/>):
/// the start costs one more reference copy, nothing else.
/// </para>
/// </remarks>
internal struct StorageOperation : IDisposable
{
    private readonly string _name;
    private readonly string? _dbSystem;
    private readonly long _started;
    private Activity? _activity;
    private string? _errorType;

    private StorageOperation(string name, string? dbSystem, Activity? activity, long started)
    {
        _name = name;
        _dbSystem = dbSystem;
        _activity = activity;
        _started = started;
        _errorType = null;
    }

    /// <summary>Starts timing <paramref name="name"/> (e.g. <c>room.create</c>) against <paramref name="dbSystem"/>.</summary>
    /// <param name="name">The operation: a fixed string (span name and <c>zndraw.storage.operation</c>).</param>
    /// <param name="dbSystem">The backend's <c>db.system.name</c> (<see cref="DbSystem"/>); <see langword="null"/> for no tag.</param>
    public static StorageOperation Start(string name, string? dbSystem)
    {
        Activity? activity = null;
        if (ZnDrawStorageDiagnostics.ActivitySource.HasListeners())
        {
            activity = ZnDrawStorageDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Internal);
            if (activity is not null)
            {
                activity.SetTag(ZnDrawStorageDiagnostics.OperationTag, name);
                if (dbSystem is not null)
                {
                    activity.SetTag(ZnDrawStorageDiagnostics.DbSystemTag, dbSystem);
                }
            }
        }

        var started = ZnDrawStorageDiagnostics.OperationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        return new StorageOperation(name, dbSystem, activity, started);
    }

    /// <summary>Marks the operation failed with <paramref name="exception"/>; for a catch filter (see the remarks).</summary>
    /// <param name="exception">The exception leaving the operation.</param>
    /// <returns>Always <see langword="false"/>: the filter never catches.</returns>
    public bool RecordFailure(Exception exception)
    {
        Type type = exception.GetType();
        _errorType = type.FullName ?? type.Name; // cached by the runtime: no allocation
        if (_activity is not null)
        {
            _activity.SetStatus(ActivityStatusCode.Error, _errorType);
            _activity.SetTag(ZnDrawStorageDiagnostics.ErrorTypeTag, _errorType);
        }

        return false;
    }

    /// <summary>Records the duration (and error) and ends the activity.</summary>
    public void Dispose()
    {
        if (_started != 0)
        {
            ZnDrawStorageDiagnostics.OperationDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, Tags());
        }

        if (_errorType is not null && ZnDrawStorageDiagnostics.Errors.Enabled)
        {
            ZnDrawStorageDiagnostics.Errors.Add(1, Tags());
        }

        if (_activity is not null)
        {
            _activity.Dispose();
            _activity = null;
        }
    }

    /// <summary>The operation's metric tags (a <see cref="TagList"/>: on the stack for up to eight tags).</summary>
    private readonly TagList Tags()
    {
        var tags = new TagList { { ZnDrawStorageDiagnostics.OperationTag, _name } };
        if (_dbSystem is not null)
        {
            tags.Add(ZnDrawStorageDiagnostics.DbSystemTag, _dbSystem);
        }

        if (_errorType is not null)
        {
            tags.Add(ZnDrawStorageDiagnostics.ErrorTypeTag, _errorType);
        }

        return tags;
    }
}
