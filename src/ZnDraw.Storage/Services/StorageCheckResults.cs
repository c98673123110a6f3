namespace ZnDraw.Storage.Services;

/// <summary>How a <see cref="StorageCheck"/> walks the key space.</summary>
public sealed class StorageCheckOptions
{
    /// <summary>The largest <see cref="PageSize"/>.</summary>
    public const int MaxPageSize = 100_000;

    /// <summary>The <c>COUNT</c> hint of each <c>SCAN</c> call.</summary>
    /// <value>Default 1000; 1 to <see cref="MaxPageSize"/>. A larger page is fewer round trips but a longer single command on the server.</value>
    public int PageSize { get; set; } = 1000;

    /// <summary>The most keys scanned per second, summed over every primary; the scan pauses between pages to keep below it.</summary>
    /// <value>Default <see langword="null"/>: no limit. At least 1 when set. See <c>docs/check.md</c> for the measured effect on other clients.</value>
    public int? MaxKeysPerSecond { get; set; }

    /// <summary>How many aggregates are read at once after the scan.</summary>
    /// <value>Default 4; 1 to 64.</value>
    public int MaxDegreeOfParallelism { get; set; } = 4;
}

/// <summary>Where a running <see cref="StorageCheck"/> is.</summary>
/// <param name="KeysScanned">Keys the scan has visited so far (every primary).</param>
/// <param name="EstimatedKeys">The keys of the database when the check started (<c>DBSIZE</c> summed over the primaries); the scan's expected total.</param>
/// <param name="AggregatesRead">Aggregates (rooms, users, jobs) read through the library so far.</param>
/// <param name="AggregatesTotal">Aggregates to read; 0 until the scan is done.</param>
/// <param name="Elapsed">Time since the check started.</param>
public sealed record StorageCheckProgress(long KeysScanned, long EstimatedKeys, long AggregatesRead, long AggregatesTotal, TimeSpan Elapsed);

/// <summary>What kind of problem a <see cref="StorageCheck"/> found.</summary>
public enum StorageProblemKind
{
    /// <summary>An aggregate (room, user, job) the library cannot read (<see cref="Contracts.StorageDataException"/>). Not repaired: the data needs a person.</summary>
    Unreadable = 0,

    /// <summary>Data with no entry in its index set (a room, user or admin missing from <c>rooms:index</c>, <c>users:index</c>, <c>admins:index</c>). Repaired by the reindex.</summary>
    MissingIndexEntry = 1,

    /// <summary>An index entry whose data is gone. Repaired by the reindex.</summary>
    StaleIndexEntry = 2,

    /// <summary>A job hash that is in neither of its room's job sets (<c>jobs:active</c>, <c>jobs:inactive</c>). Repaired by deleting the job once it is older than a minute and still outside its sets.</summary>
    OrphanJob = 3,

    /// <summary>An extension's worker set (<c>idle_workers</c>, <c>progressing_workers</c>) whose extension is not registered (no schema). Repaired by deleting the sets while the extension is still unregistered.</summary>
    OrphanWorkers = 4,

    /// <summary>Hybrid stores: a room deleted in SQL whose Redis state was not removed yet (a pending cleanup). Repaired by the SQL storage's reconcile.</summary>
    PendingCleanup = 5,
}

/// <summary>One problem a <see cref="StorageCheck"/> found.</summary>
/// <param name="Kind">What kind of problem it is.</param>
/// <param name="Key">The Redis key (or, for an aggregate or a SQL row, the kind and id, e.g. <c>room r1</c>) the problem is about.</param>
/// <param name="Detail">One line saying what is wrong.</param>
/// <param name="Repairable">Whether <see cref="StorageCheck.RepairAsync"/> repairs it.</param>
public sealed record StorageProblem(StorageProblemKind Kind, string Key, string Detail, bool Repairable)
{
    /// <summary>What the repair needs (the backend's own description of the target), or null.</summary>
    internal object? Target { get; init; }
}

/// <summary>What a <see cref="StorageCheck.RunAsync"/> found.</summary>
/// <param name="Problems">Every problem found, ordered by kind then key.</param>
/// <param name="KeysScanned">Keys the scan visited.</param>
/// <param name="AggregatesRead">Aggregates read through the library.</param>
/// <param name="Elapsed">The check's duration.</param>
public sealed record StorageCheckReport(IReadOnlyList<StorageProblem> Problems, long KeysScanned, long AggregatesRead, TimeSpan Elapsed)
{
    /// <summary>True when nothing was found.</summary>
    public bool IsClean => Problems.Count == 0;
}

/// <summary>One change a <see cref="StorageCheck.RepairAsync"/> made.</summary>
/// <param name="Kind">The kind of problem repaired.</param>
/// <param name="Key">The key or id, as in the problem.</param>
/// <param name="Action">One line saying what was changed.</param>
public sealed record StorageRepair(StorageProblemKind Kind, string Key, string Action);

/// <summary>What a <see cref="StorageCheck.RepairAsync"/> changed.</summary>
/// <param name="Repairs">Every change made.</param>
/// <param name="Skipped">Repairable problems left alone because they no longer held when checked again (fixed meanwhile, or legitimate data written since), each with the reason in <see cref="StorageProblem.Detail"/>.</param>
/// <param name="Elapsed">The repair's duration.</param>
public sealed record StorageRepairResult(IReadOnlyList<StorageRepair> Repairs, IReadOnlyList<StorageProblem> Skipped, TimeSpan Elapsed);
