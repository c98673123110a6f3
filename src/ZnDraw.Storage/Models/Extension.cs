using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>Where an extension or filesystem is registered.</summary>
public enum ExtensionScope
{
    /// <summary>In one room: keys under <c>room:{room}:</c>.</summary>
    Room,

    /// <summary>For every room (6547422b): keys under <c>global:</c>, registrable by admins only.</summary>
    Global,
}

/// <summary>Whether a worker is free for an extension (which of the two worker sets holds it).</summary>
public enum WorkerAvailability
{
    /// <summary>In <c>...:{ext}:idle_workers</c>.</summary>
    Idle,

    /// <summary>In <c>...:{ext}:progressing_workers</c>: running a job.</summary>
    Progressing,
}

/// <summary>An extension's registration: one field of the hash <c>room:{room}:extensions:{category}</c> (or <c>global:extensions:{category}</c>).</summary>
/// <remarks>
/// ZnDraw stores only the JSON schema under the extension name. <see cref="WorkerId"/> and
/// <see cref="RegisteredAt"/> are not part of that representation: the mapper leaves them
/// <see langword="null"/>; services fill them from the registration call (and history records them).
/// </remarks>
/// <param name="Name">The extension name (hash field).</param>
/// <param name="Category">The category, e.g. <c>modifiers</c>, <c>selections</c>, <c>analysis</c>.</param>
/// <param name="Schema">The JSON schema of the extension's parameters (kept as stored).</param>
/// <param name="Scope">Room-scoped or global.</param>
/// <param name="RoomId">The room for <see cref="ExtensionScope.Room"/>, <see langword="null"/> for global ones.</param>
/// <param name="WorkerId">The registering worker (a Socket.IO sid or <c>celery:{task}</c>), when known.</param>
/// <param name="RegisteredAt">When it was registered (UTC), when known.</param>
public sealed record ExtensionSchema(
    string Name,
    string Category,
    JsonElement Schema,
    ExtensionScope Scope,
    string? RoomId = null,
    string? WorkerId = null,
    DateTime? RegisteredAt = null)
{
    /// <inheritdoc/>
    public bool Equals(ExtensionSchema? other) =>
        other is not null && Name == other.Name && Category == other.Category && Scope == other.Scope
        && RoomId == other.RoomId && WorkerId == other.WorkerId && RegisteredAt == other.RegisteredAt
        && JsonValues.DeepEquals(Schema, other.Schema);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Category, Scope, RoomId);
}

/// <summary>A worker's place in an extension's worker sets.</summary>
/// <param name="WorkerId">The worker id (Socket.IO sid, or <c>celery:{task}</c>).</param>
/// <param name="Scope">Room-scoped or global extension.</param>
/// <param name="RoomId">The room for room-scoped extensions.</param>
/// <param name="Category">The extension category.</param>
/// <param name="Extension">The extension name.</param>
/// <param name="Availability">Idle or progressing.</param>
public sealed record WorkerState(
    string WorkerId,
    ExtensionScope Scope,
    string? RoomId,
    string Category,
    string Extension,
    WorkerAvailability Availability);

/// <summary>A queued task: one JSON entry of the list <c>...:extensions:{category}:{ext}:queue</c>.</summary>
/// <param name="UserName"><c>"user_name"</c>: who submitted it.</param>
/// <param name="Data"><c>"data"</c>: the submitted parameters (any JSON value).</param>
/// <param name="Room"><c>"room"</c>: the room it was submitted in.</param>
/// <param name="JobId"><c>"jobId"</c>: the job hash id.</param>
/// <param name="Provider"><c>"provider"</c>: present (<c>"celery"</c>) only on Celery tasks; <see langword="null"/> when absent.</param>
public sealed record ExtensionTask(string UserName, JsonElement Data, string Room, string JobId, JobProvider? Provider = null)
{
    /// <inheritdoc/>
    public bool Equals(ExtensionTask? other) =>
        other is not null && UserName == other.UserName && Room == other.Room && JobId == other.JobId
        && Provider == other.Provider && JsonValues.DeepEquals(Data, other.Data);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(UserName, Room, JobId, Provider);
}
