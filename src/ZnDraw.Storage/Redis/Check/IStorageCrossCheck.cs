using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Redis.Check;

/// <summary>
/// The seam a second store (the SQL package's <c>AddSqlStorage</c>) implements so that <see cref="StorageCheck"/> also
/// compares it with Redis: registered as a singleton, absent for a Redis-only store.
/// </summary>
internal interface IStorageCrossCheck
{
    /// <summary>Whether the rooms (and their persistent parts) live in the other store: Redis' room index is then not checked.</summary>
    bool OwnsRooms { get; }

    /// <summary>Whether the users live in the other store: Redis' user and admin indexes are then not checked.</summary>
    bool OwnsUsers { get; }

    /// <summary>Lists what disagrees between the other store and Redis.</summary>
    /// <param name="redisRoomIds">The room ids that have keys in Redis (from the scan).</param>
    /// <param name="cancellationToken">Stops the check.</param>
    ValueTask<IReadOnlyList<StorageProblem>> CheckAsync(IReadOnlySet<string> redisRoomIds, CancellationToken cancellationToken);

    /// <summary>Repairs one problem this check reported, re-checking it first.</summary>
    /// <returns>What was changed, or <see langword="null"/> when the problem no longer holds.</returns>
    ValueTask<string?> RepairAsync(StorageProblem problem, CancellationToken cancellationToken);
}
