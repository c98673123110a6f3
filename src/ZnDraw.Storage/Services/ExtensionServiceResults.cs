namespace ZnDraw.Storage.Services;

/// <summary>How <see cref="ExtensionService.CompleteJobAsync"/> or <see cref="ExtensionService.FailJobAsync"/> ended.</summary>
public enum JobFinishStatus
{
    /// <summary>The job was marked completed (or failed) and moved to the room's inactive jobs.</summary>
    Finished,

    /// <summary>No such job hash (never created, deleted, or expired after its day): nothing written.</summary>
    NotFound,

    /// <summary>The job had already completed or failed: nothing written.</summary>
    AlreadyFinished,

    /// <summary>The job is not running on this worker (another worker took it, or none did yet): nothing written.</summary>
    NotAssignedToWorker,
}

/// <summary>The result of finishing a job.</summary>
/// <param name="Status">How the call ended.</param>
/// <param name="WorkerReleased">
/// Whether the worker was moved back to idle (for the job's extension and, as ZnDraw does, every other extension it
/// serves in that scope). <see langword="false"/> unless <paramref name="Status"/> is <see cref="JobFinishStatus.Finished"/>,
/// or when the worker had already left the extension's progressing set (e.g. it was unregistered).
/// </param>
public readonly record struct JobFinishResult(JobFinishStatus Status, bool WorkerReleased);
