using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>A job's state (field <c>status</c> of <c>job:{job}</c>).</summary>
public enum JobStatus
{
    /// <summary><c>queued</c>: submitted, waiting for a worker.</summary>
    Queued,

    /// <summary><c>running</c>: a worker took it.</summary>
    Running,

    /// <summary><c>completed</c>: finished successfully.</summary>
    Completed,

    /// <summary><c>failed</c>: finished with an error.</summary>
    Failed,
}

/// <summary>Who runs a job (field <c>provider</c> of <c>job:{job}</c>, <c>"provider"</c> of a queued task).</summary>
public enum JobProvider
{
    /// <summary><c>client</c>: a connected Python client worker.</summary>
    Client,

    /// <summary><c>celery</c>: a Celery worker of the server.</summary>
    Celery,
}

/// <summary>An extension job: the hash <c>job:{job}</c> (ZnDraw sets a TTL of 86400 s on it).</summary>
/// <remarks>
/// ZnDraw writes every field, using <c>""</c> for "not set"; such fields are <see langword="null"/> here
/// and are written back as <c>""</c>. Timestamps are naive UTC.
/// </remarks>
/// <param name="Id">Field <c>id</c>, a uuid4.</param>
/// <param name="Room">Field <c>room</c>: the room the job was submitted in.</param>
/// <param name="Category">Field <c>category</c> (e.g. <c>modifiers</c>).</param>
/// <param name="Extension">Field <c>extension</c>: the extension name.</param>
/// <param name="Data">Field <c>data</c>: the submitted parameters as JSON, <see langword="null"/> when <c>""</c>.</param>
/// <param name="UserName">Field <c>user_name</c>: who submitted it.</param>
/// <param name="Status">Field <c>status</c>.</param>
/// <param name="Provider">Field <c>provider</c>.</param>
/// <param name="CreatedAt">Field <c>created_at</c>.</param>
/// <param name="StartedAt">Field <c>started_at</c>, <see langword="null"/> when <c>""</c>.</param>
/// <param name="CompletedAt">Field <c>completed_at</c>, <see langword="null"/> when <c>""</c>.</param>
/// <param name="WorkerId">Field <c>worker_id</c>, <see langword="null"/> when <c>""</c> (not started).</param>
/// <param name="Error">Field <c>error</c>, <see langword="null"/> when <c>""</c>.</param>
/// <param name="Result">Field <c>result</c> as JSON, <see langword="null"/> when <c>""</c>.</param>
/// <param name="WaitTimeMs">Field <c>wait_time_ms</c>, <see langword="null"/> when <c>""</c>.</param>
/// <param name="ExecutionTimeMs">Field <c>execution_time_ms</c>, <see langword="null"/> when <c>""</c>.</param>
public sealed record Job(
    string Id,
    string Room,
    string Category,
    string Extension,
    JsonElement? Data,
    string UserName,
    JobStatus Status,
    JobProvider Provider,
    DateTime CreatedAt,
    DateTime? StartedAt = null,
    DateTime? CompletedAt = null,
    string? WorkerId = null,
    string? Error = null,
    JsonElement? Result = null,
    long? WaitTimeMs = null,
    long? ExecutionTimeMs = null)
{
    /// <summary>Whether the job is queued or running (ZnDraw keeps it in <c>room:{room}:jobs:active</c>).</summary>
    public bool IsActive => Status is JobStatus.Queued or JobStatus.Running;

    /// <inheritdoc/>
    public bool Equals(Job? other) =>
        other is not null
        && Id == other.Id && Room == other.Room && Category == other.Category && Extension == other.Extension
        && JsonEquals(Data, other.Data) && UserName == other.UserName && Status == other.Status
        && Provider == other.Provider && CreatedAt == other.CreatedAt && StartedAt == other.StartedAt
        && CompletedAt == other.CompletedAt && WorkerId == other.WorkerId && Error == other.Error
        && JsonEquals(Result, other.Result) && WaitTimeMs == other.WaitTimeMs && ExecutionTimeMs == other.ExecutionTimeMs;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Id, Status, CreatedAt);

    private static bool JsonEquals(JsonElement? a, JsonElement? b) =>
        a is null ? b is null : b is not null && JsonValues.DeepEquals(a.Value, b.Value);
}
