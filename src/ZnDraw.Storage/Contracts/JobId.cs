namespace ZnDraw.Storage.Contracts;

/// <summary>Names one job: the room it was submitted in and its id.</summary>
/// <remarks>
/// The room is part of the id because the room's job sets (and, under the cluster-safe layout, the hash's key) belong
/// to it; ZnDraw's job ids are UUIDs, unique across rooms. The ids are validated when a repository uses the value
/// (<see cref="ArgumentException"/> before anything is sent).
/// </remarks>
/// <param name="RoomId">The job's room (<see cref="Models.Job.Room"/>).</param>
/// <param name="Id">The job id (<see cref="Models.Job.Id"/>).</param>
public readonly record struct JobId(string RoomId, string Id)
{
    /// <summary>The id of <paramref name="job"/>.</summary>
    /// <param name="job">The job.</param>
    /// <returns>Its room and id.</returns>
    public static JobId Of(Models.Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return new(job.Room, job.Id);
    }
}
