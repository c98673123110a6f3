namespace ZnDraw.Storage.Contracts;

/// <summary>What a job state change (<see cref="IJobRepository.StartAsync"/>, <see cref="IJobRepository.CompleteAsync"/>, <see cref="IJobRepository.FailAsync"/>) did.</summary>
public enum JobTransitionResult
{
    /// <summary>The job was changed.</summary>
    Applied,

    /// <summary>No such job hash (never created, deleted, or expired after its day): nothing written.</summary>
    NotFound,

    /// <summary>The job's status does not allow the change (starting a job that is not queued, finishing a job already completed or failed): nothing written.</summary>
    WrongStatus,
}
