using System.Diagnostics.Metrics;
using System.Diagnostics;

namespace ZnDraw.Storage.Diagnostics;

/// <summary>
/// Names of the library's <see cref="ActivitySource"/> and <see cref="Meter"/> (both <c>ZnDraw.Storage</c>) and of
/// its instruments, for hosts that subscribe (e.g. OpenTelemetry's <c>AddSource</c>/<c>AddMeter</c>).
/// </summary>
/// <remarks>Nothing is measured or allocated for telemetry while nobody listens.</remarks>
public static class ZnDrawStorageDiagnostics
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "ZnDraw.Storage";

    /// <summary>Histogram of operation durations in seconds, tagged <c>operation</c> and <c>outcome</c>.</summary>
    public const string OperationDurationInstrument = "zndraw.storage.operation.duration";

    /// <summary>Counter of failed operations, tagged <c>operation</c> and <c>error.type</c>.</summary>
    public const string ErrorsInstrument = "zndraw.storage.operation.errors";

    /// <summary>
    /// Counter of index entries added or removed by reconciliation (the background reconciler and
    /// <c>IIndexMaintenance.ReindexAsync</c>), tagged <c>index</c> (<c>rooms</c>, <c>users</c>, <c>admins</c>,
    /// <c>workers</c>) and <c>change</c> (<c>added</c>, <c>removed</c>).
    /// </summary>
    public const string IndexReconciledInstrument = "zndraw.storage.index.reconciled";

    /// <summary>
    /// Counter of unreadable entries that a listing skipped and reported (each also logged as a warning naming the key),
    /// tagged <c>aggregate</c> (<c>room</c>, <c>filesystem</c>, <c>extension</c>, <c>chat_message</c>,
    /// <c>geometry</c>, <c>selection</c>, <c>selection_group</c>, <c>bookmark</c>).
    /// </summary>
    public const string UnreadableInstrument = "zndraw.storage.unreadable";

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
                new KeyValuePair<string, object?>("index", index),
                new KeyValuePair<string, object?>("change", change));
        }
    }

}

/// <summary>
/// Times one operation: an activity (when the source has listeners), the duration histogram and the error counter
/// (when they are enabled). A <see langword="struct"/>: free when nobody listens.
/// </summary>
/// <remarks>
/// Every service method uses it the same way, with nothing else in the catch:
/// <code>
/// using var op = StorageOperation.Start("room.create");
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
/// method as thrown (same type, same stack), and <see cref="Dispose"/> then records the outcome.
/// </remarks>
internal struct StorageOperation : IDisposable
{
    private readonly string _name;
    private readonly long _started;
    private Activity? _activity;
    private string? _errorType;

    private StorageOperation(string name, Activity? activity, long started)
    {
        _name = name;
        _activity = activity;
        _started = started;
        _errorType = null;
    }

    /// <summary>Starts timing <paramref name="name"/> (e.g. <c>room.create</c>).</summary>
    public static StorageOperation Start(string name)
    {
        var activity = ZnDrawStorageDiagnostics.ActivitySource.HasListeners()
            ? ZnDrawStorageDiagnostics.ActivitySource.StartActivity(name, ActivityKind.Client)
            : null;
        var started = ZnDrawStorageDiagnostics.OperationDuration.Enabled ? Stopwatch.GetTimestamp() : 0;
        return new StorageOperation(name, activity, started);
    }

    /// <summary>Marks the operation failed with <paramref name="exception"/>; for a catch filter (see the remarks).</summary>
    /// <param name="exception">The exception leaving the operation.</param>
    /// <returns>Always <see langword="false"/>: the filter never catches.</returns>
    public bool RecordFailure(Exception exception)
    {
        _errorType = exception.GetType().Name;
        _activity?.SetStatus(ActivityStatusCode.Error, exception.Message);
        _activity?.SetTag("error.type", _errorType);
        return false;
    }

    /// <summary>Records the duration (and error) and ends the activity.</summary>
    public void Dispose()
    {
        var outcome = _errorType is null ? "success" : "failure";
        if (_started != 0)
        {
            ZnDrawStorageDiagnostics.OperationDuration.Record(
                Stopwatch.GetElapsedTime(_started).TotalSeconds,
                new KeyValuePair<string, object?>("operation", _name),
                new KeyValuePair<string, object?>("outcome", outcome));
        }

        if (_errorType is not null && ZnDrawStorageDiagnostics.Errors.Enabled)
        {
            ZnDrawStorageDiagnostics.Errors.Add(
                1,
                new KeyValuePair<string, object?>("operation", _name),
                new KeyValuePair<string, object?>("error.type", _errorType));
        }

        if (_activity is not null)
        {
            _activity.SetTag("outcome", outcome);
            _activity.Dispose();
            _activity = null;
        }
    }
}
