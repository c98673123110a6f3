using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>The Redis keys of one job: its hash, and the job sets of its room.</summary>
/// <remarks>
/// <para>
/// In the <see cref="KeyLayout.ZnDraw"/> layout the job hash is exactly <c>job:{job}</c> (not room-scoped); the room
/// id only builds the room's job sets (<see cref="Active"/>, <see cref="Inactive"/>, <see cref="ByTime"/>,
/// <see cref="ExtensionJobs"/>). In the <see cref="KeyLayout.ClusterSafe"/> layout the hash is
/// <c>job:{room}:{job}</c> with the room id as hash tag, so creating a job (hash, active set, time index, extension
/// job set) is one slot. The job id ends its key, so any non-empty job id is safe. Because the ZnDraw-layout hash
/// leaves the room out, job ids must be unique across rooms (ZnDraw uses UUIDs): the same job id in two rooms is the
/// same hash there.
/// </para>
/// <para>To list a room's jobs without a job id, use <see cref="RoomKeys.JobsActive"/> and its siblings.</para>
/// </remarks>
// A readonly struct for the same reason as RoomKeys: no heap object per call; default(JobKeys) throws.
public readonly struct JobKeys
{
    private readonly string? _hash;

    /// <summary>Creates the key builder of job <paramref name="jobId"/> of room <paramref name="roomId"/> in the default (ZnDraw) key space.</summary>
    /// <param name="roomId">The room the job belongs to (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="jobId">The job id, a UUID in ZnDraw (see <see cref="KeyValidation.ValidateJobId"/>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public JobKeys(string roomId, string jobId)
        : this(roomId, jobId, KeySpace.Default)
    {
    }

    /// <summary>Creates the key builder of job <paramref name="jobId"/> of room <paramref name="roomId"/> in <paramref name="keySpace"/>.</summary>
    /// <param name="roomId">The room the job belongs to (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="jobId">The job id (see <see cref="KeyValidation.ValidateJobId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public JobKeys(string roomId, string jobId, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        Room = new RoomKeys(roomId, keySpace);
        KeyValidation.ValidateJobId(jobId);
        JobId = jobId;
        _hash = keySpace.IsClusterSafe
            ? string.Concat(keySpace.Prefix, "job:{", roomId, "}:", jobId)
            : string.Concat(keySpace.Prefix, "job:", jobId);
    }

    /// <summary>The job id.</summary>
    public string JobId { get; }

    /// <summary>The keys of the job's room.</summary>
    public RoomKeys Room { get; }

    /// <summary><c>job:{job}</c> — hash of the job's fields (<c>status</c>, <c>worker_id</c>, <c>result</c>, ...), expiring after a day.</summary>
    /// <returns>The key (<c>job:{room}:{job}</c> with the room as hash tag in the cluster-safe layout).</returns>
    public RedisKey Hash() => _hash ?? KeyValidation.ThrowUninitialized(nameof(JobKeys));

    /// <summary><c>room:{room}:jobs:active</c> — set of the room's queued or running job ids.</summary>
    /// <returns>The key.</returns>
    public RedisKey Active() => Room.JobsActive();

    /// <summary><c>room:{room}:jobs:inactive</c> — set of the room's completed or failed job ids.</summary>
    /// <returns>The key.</returns>
    public RedisKey Inactive() => Room.JobsInactive();

    /// <summary><c>room:{room}:jobs:by_time</c> — sorted set of the room's job ids by creation time.</summary>
    /// <returns>The key.</returns>
    public RedisKey ByTime() => Room.JobsByTime();

    /// <summary><c>room:{room}:extension:{category}:{extension}:jobs</c> — set of an extension's job ids (note the singular <c>extension</c>).</summary>
    /// <param name="category">The extension category (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <param name="extension">The extension name (see <see cref="KeyValidation.ValidateExtensionName"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public RedisKey ExtensionJobs(string category, string extension) => Room.ExtensionJobs(category, extension);

    /// <summary>Describes the builder, e.g. <c>JobKeys(job:42, room:r1:*)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _hash is null ? "JobKeys(default)" : $"JobKeys({_hash}, {Room})";
}
