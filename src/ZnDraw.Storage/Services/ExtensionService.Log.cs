using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>Log messages of <see cref="ExtensionService"/> (event ids 3200–3299, <see cref="ZnDrawEventIds"/>).</summary>
internal static partial class ExtensionServiceLog
{
    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionRegistered, Level = LogLevel.Debug, Message = "Worker {WorkerId} registered {Scope} extension {Category}/{Name}: {Result}.")]
    public static partial void Registered(ILogger logger, string workerId, ExtensionScope scope, string category, string name, ExtensionRegistrationResult result);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionRegistrationRefused, Level = LogLevel.Debug, Message = "Registration of {Scope} extension {Category}/{Name} by worker {WorkerId} refused: {Reason}.")]
    public static partial void RegistrationRefused(ILogger logger, ExtensionScope scope, string category, string name, string workerId, ExtensionRefusal reason);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionWorkerCleanedUp, Level = LogLevel.Debug, Message = "Worker {WorkerId} cleaned up: left {Registrations} extension(s), {Removed} of them removed.")]
    public static partial void CleanedUp(ILogger logger, string workerId, int registrations, int removed);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionJobSubmitted, Level = LogLevel.Debug, Message = "Job {JobId} submitted to {Category}/{Name} in room {RoomId}.")]
    public static partial void Submitted(ILogger logger, string jobId, string category, string name, string roomId);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionJobDequeued, Level = LogLevel.Debug, Message = "Worker {WorkerId} got job {JobId} of {Category}/{Name}.")]
    public static partial void Dequeued(ILogger logger, string workerId, string jobId, string category, string name);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionNothingDequeued, Level = LogLevel.Debug, Message = "Worker {WorkerId} got no job of {Category}/{Name}: {Status}.")]
    public static partial void NothingDequeued(ILogger logger, string workerId, string category, string name, ExtensionDequeueStatus status);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionStaleTasksDropped, Level = LogLevel.Warning, Message = "Dropped {Count} queued task(s) of {Category}/{Name} whose job had expired or been deleted.")]
    public static partial void StaleTasksDropped(ILogger logger, int count, string category, string name);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionTaskWithoutJob, Level = LogLevel.Warning, Message = "Task of job {JobId} ({Category}/{Name}) was taken but its job had expired; the worker {WorkerId} was released and the task dropped.")]
    public static partial void TaskWithoutJob(ILogger logger, string jobId, string category, string name, string workerId);

    [LoggerMessage(EventId = ZnDrawEventIds.ExtensionJobFinished, Level = LogLevel.Debug, Message = "Job {JobId} in room {RoomId} finished by worker {WorkerId}: {Status}, worker released: {Released}.")]
    public static partial void Finished(ILogger logger, string jobId, string roomId, string workerId, JobFinishStatus status, bool released);
}
