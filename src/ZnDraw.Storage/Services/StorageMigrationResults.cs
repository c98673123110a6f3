namespace ZnDraw.Storage.Services;

/// <summary>Which aggregates a <see cref="StorageMigration"/> copies or verifies.</summary>
[Flags]
public enum StorageMigrationScope
{
    /// <summary>Users with their credentials and admin flags (also admin flags of names without a user).</summary>
    Users = 1,

    /// <summary>Rooms with every persistent room-scoped part, and the default room.</summary>
    Rooms = 2,

    /// <summary>Users and rooms.</summary>
    All = Users | Rooms,
}

/// <summary>Options of <see cref="StorageMigration.MigrateAsync"/> and <see cref="StorageMigration.VerifyAsync"/>.</summary>
public sealed class StorageMigrationOptions
{
    /// <summary>Which aggregates to copy or verify.</summary>
    /// <value>Default <see cref="StorageMigrationScope.All"/>.</value>
    public StorageMigrationScope Scope { get; set; } = StorageMigrationScope.All;

    /// <summary>
    /// Whether the source's indexes are rebuilt (<see cref="Contracts.IIndexMaintenance.ReindexAsync"/>) before it is
    /// listed, so that aggregates an older ZnDraw server wrote (without the library's index sets and key registries) are
    /// found. Needs <see cref="StorageMigrationEndpoint.IndexMaintenance"/> on the source; ignored without it.
    /// </summary>
    /// <value>Default <see langword="true"/>. The Redis backend's reindex is one <c>SCAN</c> of the source's key space; it adds index entries, nothing else.</value>
    public bool ReindexSource { get; set; } = true;

    /// <summary>How many aggregates are read, compared and written at the same time.</summary>
    /// <value>Default 4; 1 to 64.</value>
    public int MaxDegreeOfParallelism { get; set; } = 4;

    /// <summary>
    /// Whether <see cref="StorageMigration.MigrateAsync"/> only compares: every aggregate is read on both sides and
    /// reported with the outcome a real run would have (<see cref="StorageMigrationOutcome.Copied"/>,
    /// <see cref="StorageMigrationOutcome.Replaced"/>, <see cref="StorageMigrationOutcome.Skipped"/>, ...), but nothing is
    /// written to the target.
    /// </summary>
    /// <value>Default <see langword="false"/>. The source's reindex (<see cref="ReindexSource"/>) still runs; it adds index entries to the source only.</value>
    public bool DryRun { get; set; }
}

/// <summary>What happened to one aggregate.</summary>
public enum StorageMigrationOutcome
{
    /// <summary>The target did not have it: it was copied.</summary>
    Copied = 0,

    /// <summary>The target had it with other content: the parts that differ were replaced.</summary>
    Replaced = 1,

    /// <summary>The target had it with the same content hash: nothing was written.</summary>
    Skipped = 2,

    /// <summary>Listed by the source but gone (or holding nothing persistent) when read: nothing was written.</summary>
    Missing = 3,

    /// <summary>The source could not read it, or the target refused a part: see <see cref="StorageMigrationResult.Failures"/>.</summary>
    Failed = 4,

    /// <summary>Compared by <see cref="StorageMigration.VerifyAsync"/>: source and target have the same content hash.</summary>
    Equal = 5,

    /// <summary>Compared by <see cref="StorageMigration.VerifyAsync"/>: the content differs (see <see cref="StorageVerificationResult.Mismatches"/>).</summary>
    Different = 6,
}

/// <summary>The aggregate kinds of a <see cref="StorageMigration"/>.</summary>
public static class StorageMigrationKinds
{
    /// <summary>A user: its fields, password hash and salt, and admin flag; the id is the user name.</summary>
    public const string User = "user";

    /// <summary>A room with every persistent part; the id is the room id.</summary>
    public const string Room = "room";

    /// <summary>The default room setting; the id is <c>default_room</c>.</summary>
    public const string DefaultRoom = "default_room";
}

/// <summary>Progress of a migration or verification, reported after each aggregate.</summary>
/// <param name="Done">Aggregates finished so far (1 … <paramref name="Total"/>, one more per report).</param>
/// <param name="Total">Aggregates to process, known after the listing.</param>
/// <param name="Kind">The finished aggregate's kind (<see cref="StorageMigrationKinds"/>).</param>
/// <param name="Id">The finished aggregate's id.</param>
/// <param name="Outcome">What happened to it.</param>
public sealed record StorageMigrationProgress(long Done, long Total, string Kind, string Id, StorageMigrationOutcome Outcome);

/// <summary>An aggregate the migration could not copy (whole or in part).</summary>
/// <param name="Kind">The aggregate's kind.</param>
/// <param name="Id">The aggregate's id.</param>
/// <param name="Reason">Why: the exception's message (unreadable source data, a part the target refused).</param>
public sealed record StorageMigrationFailure(string Kind, string Id, string Reason);

/// <summary>The counts of one aggregate kind.</summary>
/// <param name="Kind">The kind (<see cref="StorageMigrationKinds"/>).</param>
/// <param name="Listed">Ids the source listed.</param>
/// <param name="Copied">Aggregates the target did not have.</param>
/// <param name="Replaced">Aggregates whose differing parts were replaced.</param>
/// <param name="Skipped">Aggregates equal on both sides.</param>
/// <param name="Missing">Ids gone (or holding nothing persistent) when read.</param>
/// <param name="Failed">Aggregates with a failure.</param>
public sealed record StorageMigrationKindResult(string Kind, long Listed, long Copied, long Replaced, long Skipped, long Missing, long Failed);

/// <summary>What <see cref="StorageMigration.MigrateAsync"/> did.</summary>
/// <param name="Kinds">The counts per kind, users first.</param>
/// <param name="Failures">The aggregates that could not be copied (whole or in part).</param>
/// <param name="Elapsed">The run's duration (including the source's reindex).</param>
public sealed record StorageMigrationResult(IReadOnlyList<StorageMigrationKindResult> Kinds, IReadOnlyList<StorageMigrationFailure> Failures, TimeSpan Elapsed)
{
    /// <summary>Every aggregate processed.</summary>
    public long Total => Kinds.Sum(static k => k.Listed);

    /// <summary>Aggregates copied or replaced (written).</summary>
    public long Written => Kinds.Sum(static k => k.Copied + k.Replaced);

    /// <summary>Aggregates skipped as equal.</summary>
    public long Skipped => Kinds.Sum(static k => k.Skipped);

    /// <summary>Aggregates processed per second of <see cref="Elapsed"/>.</summary>
    public double AggregatesPerSecond => Elapsed > TimeSpan.Zero ? Total / Elapsed.TotalSeconds : 0;

    /// <summary>The counts of one kind.</summary>
    /// <param name="kind">The kind (<see cref="StorageMigrationKinds"/>).</param>
    /// <returns>The counts; all zero when the kind was not in scope.</returns>
    public StorageMigrationKindResult this[string kind] =>
        Kinds.FirstOrDefault(k => k.Kind == kind) ?? new StorageMigrationKindResult(kind, 0, 0, 0, 0, 0, 0);
}

/// <summary>One count compared by <see cref="StorageMigration.VerifyAsync"/>, e.g. <c>frames</c> or <c>chat_messages</c>.</summary>
/// <param name="Item">What is counted (over every aggregate compared).</param>
/// <param name="Source">The count in the source.</param>
/// <param name="Target">The count in the target.</param>
public sealed record StorageVerificationCount(string Item, long Source, long Target)
{
    /// <summary>Whether both counts are equal.</summary>
    public bool IsMatch => Source == Target;
}

/// <summary>An aggregate whose content hash differs between source and target.</summary>
/// <param name="Kind">The aggregate's kind.</param>
/// <param name="Id">The aggregate's id.</param>
/// <param name="SourceHash">The source's content hash (hex), or <see langword="null"/> when only the target has it.</param>
/// <param name="TargetHash">The target's content hash (hex), or <see langword="null"/> when the target lacks it.</param>
/// <param name="Parts">The parts that differ (e.g. <c>trajectory</c>, <c>chat</c>), or the reason it could not be read.</param>
public sealed record StorageVerificationMismatch(string Kind, string Id, string? SourceHash, string? TargetHash, IReadOnlyList<string> Parts);

/// <summary>What <see cref="StorageMigration.VerifyAsync"/> found.</summary>
/// <param name="Compared">Aggregates compared (the union of both sides' ids).</param>
/// <param name="Counts">Item counts, source vs target.</param>
/// <param name="Mismatches">Aggregates whose content differs.</param>
/// <param name="Elapsed">The pass's duration.</param>
public sealed record StorageVerificationResult(
    long Compared, IReadOnlyList<StorageVerificationCount> Counts, IReadOnlyList<StorageVerificationMismatch> Mismatches, TimeSpan Elapsed)
{
    /// <summary>Whether every aggregate and every count matches.</summary>
    public bool IsMatch => Mismatches.Count == 0 && Counts.All(static c => c.IsMatch);

    /// <summary>The count of one item.</summary>
    /// <param name="item">The item, e.g. <c>frames</c>.</param>
    /// <returns>The count; zeros when nothing of it was found.</returns>
    public StorageVerificationCount this[string item] =>
        Counts.FirstOrDefault(c => c.Item == item) ?? new StorageVerificationCount(item, 0, 0);
}
