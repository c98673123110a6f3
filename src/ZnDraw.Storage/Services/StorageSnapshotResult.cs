namespace ZnDraw.Storage.Services;

/// <summary>What <see cref="StorageSnapshot.ExportAsync"/> or <see cref="StorageSnapshot.ImportAsync"/> did.</summary>
/// <param name="Kinds">
/// The counts per kind, users first. On an export <see cref="StorageMigrationKindResult.Listed"/> counts the ids the
/// source listed and <see cref="StorageMigrationKindResult.Copied"/> the lines written; on an import
/// <see cref="StorageMigrationKindResult.Listed"/> counts the lines read and <see cref="StorageMigrationKindResult.Copied"/>
/// the aggregates written whole. <see cref="StorageMigrationKindResult.Missing"/> counts ids gone (or holding nothing
/// persistent) when exported, <see cref="StorageMigrationKindResult.Failed"/> the aggregates in <paramref name="Failures"/>;
/// <see cref="StorageMigrationKindResult.Replaced"/> and <see cref="StorageMigrationKindResult.Skipped"/> are always 0.
/// </param>
/// <param name="Failures">The aggregates the source could not read (export) or the target refused, whole or in part (import).</param>
/// <param name="Elapsed">The run's duration.</param>
public sealed record StorageSnapshotResult(IReadOnlyList<StorageMigrationKindResult> Kinds, IReadOnlyList<StorageMigrationFailure> Failures, TimeSpan Elapsed)
{
    /// <summary>Aggregates exported (lines written) or imported (written whole).</summary>
    public long Aggregates => Kinds.Sum(static k => k.Copied);

    /// <summary>The counts of one kind.</summary>
    /// <param name="kind">The kind (<see cref="StorageMigrationKinds"/>).</param>
    /// <returns>The counts; all zero when the kind was not in the snapshot.</returns>
    public StorageMigrationKindResult this[string kind] =>
        Kinds.FirstOrDefault(k => k.Kind == kind) ?? new StorageMigrationKindResult(kind, 0, 0, 0, 0, 0, 0);
}
