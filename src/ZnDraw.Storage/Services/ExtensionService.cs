using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>Extension workers and their jobs: register, clean up on disconnect, submit a job, hand it to a worker, finish or fail it.</summary>
/// <remarks>
/// <para>
/// A thread-safe singleton over <see cref="IExtensionRepository"/>, <see cref="IJobRepository"/>,
/// <see cref="ISessionRepository"/> and <see cref="ISettingsRepository"/>. Every state change is the repositories' atomic
/// step (no lost or duplicated workers or tasks); the service adds ZnDraw's rules (who may register globally, identical
/// schemas, a job only for a registered extension, only the running worker finishes a job) and turns refusals into
/// <see cref="ExtensionRefusedException"/> or <see cref="JobFinishResult"/>.
/// </para>
/// <para>
/// History: when history is on, an <see cref="ExtensionRegisteredEvent"/> is emitted after each successful registration
/// (direct mode: the sink is called; durable mode: one <c>XADD</c> to the outbox right after the commit). With history
/// off nothing is allocated or sent. Every method is timed as a <c>ZnDraw.Storage</c> operation (<c>extension.*</c>,
/// <c>job.*</c>); a token bounds the wait, and a command may still run on the server after the caller gave up.
/// </para>
/// </remarks>
public sealed class ExtensionService
{
    private const int MaxDequeueAttempts = 8;

    private readonly IExtensionRepository _extensions;
    private readonly IJobRepository _jobs;
    private readonly ISessionRepository _sessions;
    private readonly ISettingsRepository _settings;
    private readonly KeyLayout _layout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _dbSystem; // db.system.name of the extensions repository, for telemetry
    private readonly HistoryRecorder _history;

    /// <summary>Creates the service without history recording.</summary>
    /// <param name="extensions">The extension repository.</param>
    /// <param name="jobs">The job repository.</param>
    /// <param name="sessions">The session repository (the registering worker's session and role).</param>
    /// <param name="settings">The settings repository (the user's last submitted form data).</param>
    /// <param name="options">The storage options (the key layout decides which ids are valid).</param>
    /// <param name="timeProvider">The clock for job creation times; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    public ExtensionService(
        IExtensionRepository extensions,
        IJobRepository jobs,
        ISessionRepository sessions,
        ISettingsRepository settings,
        IOptions<ZnDrawStorageOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<ExtensionService>? logger = null)
        : this(extensions, jobs, sessions, settings, options, timeProvider, logger, HistoryRecorder.Disabled)
    {
    }

    /// <summary>Creates the service with history recording (DI uses this one).</summary>
    /// <param name="extensions">The extension repository.</param>
    /// <param name="jobs">The job repository.</param>
    /// <param name="sessions">The session repository.</param>
    /// <param name="settings">The settings repository.</param>
    /// <param name="options">The storage options.</param>
    /// <param name="timeProvider">The clock; <see langword="null"/> for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">The logger; <see langword="null"/> for none.</param>
    /// <param name="history">The history recorder (<see cref="HistoryRecorder.Disabled"/> when history is not configured).</param>
    internal ExtensionService(
        IExtensionRepository extensions,
        IJobRepository jobs,
        ISessionRepository sessions,
        ISettingsRepository settings,
        IOptions<ZnDrawStorageOptions> options,
        TimeProvider? timeProvider,
        ILogger<ExtensionService>? logger,
        HistoryRecorder history)
    {
        ArgumentNullException.ThrowIfNull(extensions);
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(history);

        _extensions = extensions;
        _dbSystem = DbSystem.Of(extensions);
        _jobs = jobs;
        _sessions = sessions;
        _settings = settings;
        _layout = options.Value.Layout;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _history = history;
    }

    /// <summary>Registers the connected worker <paramref name="sid"/> for <paramref name="extension"/>, storing the schema when the extension is new.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sid">The worker's Socket.IO session id; the session must exist (<c>sid:{sid}</c>).</param>
    /// <param name="extension">The extension: room-scoped, or global (admins only).</param>
    /// <param name="schema">The JSON schema of the extension's parameters.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns><see cref="ExtensionRegistrationResult.Registered"/> (new extension) or <see cref="ExtensionRegistrationResult.Joined"/> (equal schema already stored).</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    /// <exception cref="ExtensionRefusedException">
    /// <see cref="ExtensionRefusal.SessionNotFound"/>: no such session; <see cref="ExtensionRefusal.AdminRequired"/>: a
    /// global extension and the session's role (<c>sid:{sid}:role</c>) is not admin (a missing role, as written by servers
    /// before 2025-11-04, is not admin); <see cref="ExtensionRefusal.SchemaConflict"/>: a different schema is stored.
    /// Nothing is written in any of these cases.
    /// </exception>
    /// <remarks>
    /// Two round trips: the session (one batch), then <see cref="IExtensionRepository.RegisterExtensionAsync"/> (one
    /// script that compares and writes). ZnDraw's local mode, in which everybody counts as admin, is the host's to
    /// implement by writing the admin role into the session. Server-side extension names (ZnDraw refuses e.g. a modifier
    /// named <c>Delete</c>) are not known to the library; a host that has them checks them before calling.
    /// </remarks>
    public async ValueTask<ExtensionRegistrationResult> RegisterAsync(string sid, ExtensionId extension, JsonElement schema, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("extension.register", _dbSystem);
        try
        {
            KeyValidation.ValidateSessionId(sid, _layout);
            ValidateExtension(extension);
            var session = await _sessions.GetByIdAsync(sid, cancellationToken).ConfigureAwait(false);
            if (session is null)
            {
                throw Refuse(extension, sid, ExtensionRefusal.SessionNotFound);
            }

            if (extension.Scope == ExtensionScope.Global && session.Role != UserRole.Admin)
            {
                throw Refuse(extension, sid, ExtensionRefusal.AdminRequired);
            }

            // In durable mode the registration script appends this event to the outbox itself (same atomic step).
            ExtensionRegisteredEvent? historyEvent = _history.IsEnabled
                ? new ExtensionRegisteredEvent(
                    _history.NewEventId(),
                    _history.Now,
                    extension.Scope == ExtensionScope.Global ? HistoryScopes.Global : HistoryScopes.Room(extension.RoomId!),
                    extension.Category,
                    extension.Name,
                    schema.GetRawText(),
                    sid)
                : null;
            using var outbox = _history.BeginOutbox(historyEvent);
            var result = await _extensions.RegisterExtensionAsync(extension, schema, sid, cancellationToken).ConfigureAwait(false);
            if (result == ExtensionRegistrationResult.SchemaConflict)
            {
                throw Refuse(extension, sid, ExtensionRefusal.SchemaConflict);
            }

            if (historyEvent is not null)
            {
                await _history.RecordAsync(outbox, historyEvent, cancellationToken).ConfigureAwait(false);
            }

            ExtensionServiceLog.Registered(_logger, sid, extension.Scope, extension.Category, extension.Name, result);
            return result;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Removes a disconnected worker from every extension it registered, in every room and the global scope, and every category.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="sid">The worker's session id.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>How many extension registrations were removed (0 when the worker had none).</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    /// <remarks>
    /// ZnDraw cleans only the user's current room and three categories, so a worker registered elsewhere stays
    /// registered forever. This cleans what this library registered from the worker's own registration record, and what a
    /// ZnDraw server registered the way ZnDraw's disconnect handler finds it (the current room of the sid's user and the
    /// global scope, categories <c>modifiers</c>, <c>selections</c>, <c>analysis</c> and those the library recorded for
    /// the worker); see <see cref="IExtensionRepository.UnregisterWorkerAsync"/> for the limits. Call it before deleting
    /// the session (<c>sid:{sid}</c>): without it a ZnDraw-registered worker is only found in the global scope. An
    /// extension left without workers and with an empty queue loses its sets and schema. Safe to call again (a second
    /// call removes nothing). Filesystems the worker provided are <see cref="IFilesystemRepository"/>'s to clean.
    /// </remarks>
    public async ValueTask<int> CleanupUserExtensionsAsync(string sid, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("extension.cleanup", _dbSystem);
        try
        {
            KeyValidation.ValidateSessionId(sid, _layout);
            var removal = await _extensions.UnregisterWorkerAsync(sid, cancellationToken).ConfigureAwait(false);
            ExtensionServiceLog.CleanedUp(_logger, sid, removal.Registrations, removal.ExtensionsRemoved);
            return removal.Registrations;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Submits a job for <paramref name="extension"/> from <paramref name="roomId"/>: stores the job and queues its task in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The room the user submits from (the job's room). For a room-scoped extension it must be the extension's room.</param>
    /// <param name="extension">The extension to run.</param>
    /// <param name="userName">The submitting user.</param>
    /// <param name="data">The submitted parameters (any JSON value).</param>
    /// <param name="provider">
    /// <see cref="JobProvider.Client"/> (default): a job for a worker-registered extension, which must be registered.
    /// <see cref="JobProvider.Celery"/>: a server-side extension (not registered in Redis); the task carries
    /// <c>"provider": "celery"</c>, as ZnDraw writes it.
    /// </param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The queued job, as stored (a new uuid4 id, status queued, created now).</returns>
    /// <exception cref="ArgumentException">An id is invalid, or a room-scoped extension belongs to another room.</exception>
    /// <exception cref="ExtensionRefusedException"><see cref="ExtensionRefusal.NotRegistered"/>: a client job for an extension no worker registered (nothing written).</exception>
    /// <remarks>
    /// As ZnDraw's submit route: the data is also kept as the user's last form data for the extension
    /// (<see cref="ISettingsRepository.SetExtensionDataAsync"/>). Round trips: the schema check (client jobs only), the
    /// form data, then <see cref="IJobRepository.CreateAsync"/> with the task (job hash, TTL, indexes and <c>RPUSH</c> in
    /// one script). A crash after the form data leaves only the form data. ZnDraw's category <c>settings</c> creates no
    /// job; a host stores settings with <see cref="ISettingsRepository"/> instead of calling this.
    /// </remarks>
    public async ValueTask<Job> SubmitJobAsync(
        string roomId,
        ExtensionId extension,
        string userName,
        JsonElement data,
        JobProvider provider = JobProvider.Client,
        CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("job.submit", _dbSystem);
        try
        {
            KeyValidation.ValidateRoomId(roomId);
            KeyValidation.ValidateUserName(userName, _layout);
            ValidateExtension(extension);
            if (extension.Scope == ExtensionScope.Room && !string.Equals(extension.RoomId, roomId, StringComparison.Ordinal))
            {
                throw new ArgumentException("A room-scoped extension runs jobs of its own room only.", nameof(extension));
            }

            if (!Enum.IsDefined(provider))
            {
                throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown job provider.");
            }

            if (provider == JobProvider.Client
                && !await _extensions.ExistsAsync(extension, cancellationToken).ConfigureAwait(false))
            {
                throw new ExtensionRefusedException(extension, ExtensionRefusal.NotRegistered);
            }

            await _settings.SetExtensionDataAsync(roomId, userName, extension.Category, extension.Name, data, cancellationToken).ConfigureAwait(false);
            var job = new Job(
                Guid.NewGuid().ToString("D"),
                roomId,
                extension.Category,
                extension.Name,
                data,
                userName,
                JobStatus.Queued,
                provider,
                ZnDrawTime.TruncateToMicroseconds(_time.GetUtcNow().UtcDateTime));
            var task = new ExtensionTask(userName, data, roomId, job.Id, provider == JobProvider.Celery ? JobProvider.Celery : null);
            await _jobs.CreateAsync(job, task, extension.Scope, cancellationToken).ConfigureAwait(false);
            ExtensionServiceLog.Submitted(_logger, job.Id, extension.Category, extension.Name, roomId);
            return job;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Hands the oldest queued task of <paramref name="extension"/> to the idle worker <paramref name="workerSid"/>, marking its job running.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="extension">The extension the worker polls.</param>
    /// <param name="workerSid">The polling worker; it must be idle for this extension.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>
    /// The task (its <see cref="ExtensionTask.JobId"/> and <see cref="ExtensionTask.Room"/> name the job), or
    /// <see langword="null"/> when the queue is empty or the worker is not idle for the extension (busy or not
    /// registered); <see cref="IExtensionRepository.DequeueAsync"/> tells the two apart.
    /// </returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    /// <remarks>
    /// <see cref="IExtensionRepository.DequeueAsync"/> pops the task, moves the worker idle→progressing and marks the job
    /// running in one script, so no task is lost or given twice. Tasks whose job expired are dropped on the way and
    /// logged (warning 3206). In the rare case that a task's job expired between the pop and the job update (global
    /// extension, cluster-safe layout), the worker is released, the task dropped with a warning (3207) and the next
    /// task tried.
    /// </remarks>
    public async ValueTask<ExtensionTask?> GetNextJobAsync(ExtensionId extension, string workerSid, CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("job.next", _dbSystem);
        try
        {
            KeyValidation.ValidateSessionId(workerSid, _layout);
            ValidateExtension(extension);
            for (int attempt = 0; attempt < MaxDequeueAttempts; attempt++)
            {
                var result = await _extensions.DequeueAsync(extension, workerSid, cancellationToken).ConfigureAwait(false);
                if (result.SkippedStaleTasks.Count > 0)
                {
                    ExtensionServiceLog.StaleTasksDropped(_logger, result.SkippedStaleTasks.Count, extension.Category, extension.Name);
                }

                if (result.Status != ExtensionDequeueStatus.Dequeued || result.Task is null)
                {
                    ExtensionServiceLog.NothingDequeued(_logger, workerSid, extension.Category, extension.Name, result.Status);
                    return null;
                }

                if (result.JobStarted)
                {
                    ExtensionServiceLog.Dequeued(_logger, workerSid, result.Task.JobId, extension.Category, extension.Name);
                    return result.Task;
                }

                await _extensions.ReleaseWorkerAsync(extension, workerSid, cancellationToken).ConfigureAwait(false);
                ExtensionServiceLog.TaskWithoutJob(_logger, result.Task.JobId, extension.Category, extension.Name, workerSid);
            }

            return null;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Completes the job the worker ran, stores its result, and moves the worker back to idle.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="workerSid">The worker that ran the job; it must be the job's <c>worker_id</c>.</param>
    /// <param name="result">The result JSON.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>How the call ended and whether the worker was released.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    /// <remarks>
    /// Reads the job (<c>HGETALL</c>; it names the extension), refuses unless it runs on <paramref name="workerSid"/>,
    /// then <see cref="IJobRepository.CompleteAsync"/> (one script: status, times, active→inactive), then
    /// <see cref="IExtensionRepository.ReleaseWorkerAsync"/>. The job does not record whether its extension was
    /// room-scoped or global: the room-scoped extension of the job's room is released first and, when the worker was
    /// not progressing there, the global one (two more round trips). A crash before the release leaves the worker
    /// progressing until it disconnects (<see cref="CleanupUserExtensionsAsync"/>).
    /// </remarks>
    public ValueTask<JobFinishResult> CompleteJobAsync(string roomId, string jobId, string workerSid, JsonElement result, CancellationToken cancellationToken = default) =>
        FinishAsync("job.complete", roomId, jobId, workerSid, (jobs, ct) => jobs.CompleteAsync(roomId, jobId, result, ct), cancellationToken);

    /// <summary>Fails the job the worker ran with an error message, and moves the worker back to idle.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="roomId">The job's room.</param>
    /// <param name="jobId">The job id.</param>
    /// <param name="workerSid">The worker that ran the job; it must be the job's <c>worker_id</c>.</param>
    /// <param name="error">The error text; not empty.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>How the call ended and whether the worker was released.</returns>
    /// <exception cref="ArgumentException">An id is invalid, or <paramref name="error"/> is empty.</exception>
    /// <remarks>As <see cref="CompleteJobAsync"/>, with <see cref="IJobRepository.FailAsync"/>.</remarks>
    public ValueTask<JobFinishResult> FailJobAsync(string roomId, string jobId, string workerSid, string error, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(error);
        return FinishAsync("job.fail", roomId, jobId, workerSid, (jobs, ct) => jobs.FailAsync(roomId, jobId, error, ct), cancellationToken);
    }

    private async ValueTask<JobFinishResult> FinishAsync(
        string operation,
        string roomId,
        string jobId,
        string workerSid,
        Func<IJobRepository, CancellationToken, ValueTask<JobTransitionResult>> transition,
        CancellationToken cancellationToken)
    {
        using var op = StorageOperation.Start(operation, _dbSystem);
        try
        {
            KeyValidation.ValidateRoomId(roomId);
            KeyValidation.ValidateJobId(jobId);
            KeyValidation.ValidateSessionId(workerSid, _layout);
            var finish = await FinishCoreAsync(roomId, jobId, workerSid, transition, cancellationToken).ConfigureAwait(false);
            ExtensionServiceLog.Finished(_logger, jobId, roomId, workerSid, finish.Status, finish.WorkerReleased);
            return finish;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    private async ValueTask<JobFinishResult> FinishCoreAsync(
        string roomId,
        string jobId,
        string workerSid,
        Func<IJobRepository, CancellationToken, ValueTask<JobTransitionResult>> transition,
        CancellationToken cancellationToken)
    {
        var job = await _jobs.GetByIdAsync(new JobId(roomId, jobId), cancellationToken).ConfigureAwait(false);
        if (job is null)
        {
            return new JobFinishResult(JobFinishStatus.NotFound, false);
        }

        if (!job.IsActive)
        {
            return new JobFinishResult(JobFinishStatus.AlreadyFinished, false);
        }

        if (!string.Equals(job.WorkerId, workerSid, StringComparison.Ordinal))
        {
            return new JobFinishResult(JobFinishStatus.NotAssignedToWorker, false);
        }

        switch (await transition(_jobs, cancellationToken).ConfigureAwait(false))
        {
            case JobTransitionResult.NotFound:
                return new JobFinishResult(JobFinishStatus.NotFound, false);
            case JobTransitionResult.WrongStatus:
                return new JobFinishResult(JobFinishStatus.AlreadyFinished, false);
        }

        var released = await _extensions.ReleaseWorkerAsync(ExtensionId.InRoom(job.Room, job.Category, job.Extension), workerSid, cancellationToken).ConfigureAwait(false)
            || await _extensions.ReleaseWorkerAsync(ExtensionId.Global(job.Category, job.Extension), workerSid, cancellationToken).ConfigureAwait(false);
        return new JobFinishResult(JobFinishStatus.Finished, released);
    }

    private void ValidateExtension(ExtensionId extension)
    {
        switch (extension.Scope)
        {
            case ExtensionScope.Room:
                KeyValidation.ValidateRoomId(extension.RoomId, nameof(extension));
                break;
            case ExtensionScope.Global when extension.RoomId is null:
                break;
            case ExtensionScope.Global:
                throw new ArgumentException("A global extension has no room id.", nameof(extension));
            default:
                throw new ArgumentOutOfRangeException(nameof(extension), extension.Scope, "Unknown extension scope.");
        }

        KeyValidation.ValidateCategory(extension.Category, _layout, nameof(extension));
        KeyValidation.ValidateExtensionName(extension.Name, nameof(extension));
    }

    private ExtensionRefusedException Refuse(ExtensionId extension, string sid, ExtensionRefusal reason)
    {
        ExtensionServiceLog.RegistrationRefused(_logger, extension.Scope, extension.Category, extension.Name, sid, reason);
        return new ExtensionRefusedException(extension, reason);
    }
}
