using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>What <see cref="IExtensionRepository.RegisterExtensionAsync"/> did.</summary>
public enum ExtensionRegistrationResult
{
    /// <summary>The extension was new: its schema was stored and the worker added.</summary>
    Registered,

    /// <summary>The extension existed with an equal schema: the worker was added to it.</summary>
    Joined,

    /// <summary>The extension exists with a different schema: nothing was written (ZnDraw refuses such a registration).</summary>
    SchemaConflict,
}

/// <summary>How a <see cref="IExtensionRepository.DequeueAsync"/> call ended.</summary>
public enum ExtensionDequeueStatus
{
    /// <summary>A task was taken off the queue and the worker moved to progressing.</summary>
    Dequeued,

    /// <summary>The queue was empty (after skipping any stale tasks).</summary>
    QueueEmpty,

    /// <summary>The worker is not in the extension's idle set (busy, or not registered): nothing was taken.</summary>
    WorkerNotIdle,
}

/// <summary>The outcome of <see cref="IExtensionRepository.DequeueAsync"/>.</summary>
/// <param name="Status">How the call ended.</param>
/// <param name="Task">The task handed to the worker, when <see cref="Status"/> is <see cref="ExtensionDequeueStatus.Dequeued"/>.</param>
/// <param name="JobStarted">
/// Whether the task's job hash was marked running. Always <see langword="true"/> with a task, except for a global
/// extension under <see cref="KeyLayout.ClusterSafe"/> when the job hash expired between the two steps (see the
/// method's remarks): then the caller should release the worker and drop the task.
/// </param>
/// <param name="SkippedStaleTasks">Tasks popped and dropped because their job hash no longer existed (expired or deleted), oldest first.</param>
public sealed record ExtensionDequeueResult(
    ExtensionDequeueStatus Status,
    ExtensionTask? Task,
    bool JobStarted,
    IReadOnlyList<ExtensionTask> SkippedStaleTasks);

/// <summary>The outcome of <see cref="IExtensionRepository.UnregisterWorkerAsync"/>.</summary>
/// <param name="Registrations">How many extensions the worker was removed from (entries of its reverse indexes).</param>
/// <param name="ExtensionsRemoved">How many of those were left without workers and with an empty queue, and so lost their sets and schema.</param>
public readonly record struct ExtensionWorkerRemoval(int Registrations, int ExtensionsRemoved);
