using System.Diagnostics;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Services;

/// <summary>
/// Copies every persistent aggregate (users, rooms with all their persistent parts, the default room) from one store
/// to another through the contracts, e.g. from Redis in ZnDraw's layout to SQL; idempotent and resumable; and
/// verifies the result.
/// </summary>
/// <remarks>
/// <para>
/// Each aggregate is read on both sides and compared by a content hash per part: equal parts are skipped, differing
/// parts are replaced. A re-run after a kill or a cancellation therefore writes only what is missing or incomplete,
/// and a second run over an unchanged source writes nothing (every aggregate counts as skipped). The copy is not a
/// snapshot: stop the writers (ZnDraw servers, hosts) for an exact copy. Deletions on the source are not propagated;
/// ephemeral state (sessions, locks, presence, extensions, workers, queues, jobs, filesystems) is not migrated.
/// </para>
/// <para>
/// The roots go through <see cref="IRepository{T, TId}"/> (<c>ListIdsAsync</c>, <c>GetByIdAsync</c>, <c>SaveAsync</c>,
/// as <see cref="AggregateCopy"/> does); each room part through its contract; what no contract enumerates through
/// the backend's room-content listing; what no live call can write as it is (trajectory scores, chat ids and times with
/// the counter, members, metadata, the active selection group) through the backend's room-content import. See
/// <c>docs/migration.md</c>.
/// </para>
/// </remarks>
public static class StorageMigration
{
    /// <summary>Copies every persistent aggregate of <paramref name="source"/> that <paramref name="target"/> lacks or holds differently.</summary>
    /// <param name="source">The store read from.</param>
    /// <param name="target">The store written to; needs the room-content import (every store of <c>AddZnDrawStorage</c>, with or without <c>AddSqlStorage</c>, has it) when rooms are in scope.</param>
    /// <param name="options">The scope, the source's reindex, the parallelism; defaults when <see langword="null"/>.</param>
    /// <param name="progress">Receives one report per aggregate, <see cref="StorageMigrationProgress.Done"/> rising by one to <see cref="StorageMigrationProgress.Total"/>; or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between reads and writes; what was written stays and a re-run completes it.</param>
    /// <returns>The counts per kind and the failures.</returns>
    /// <remarks>
    /// <para>
    /// Users first, then rooms, then the default room (which needs its room). An aggregate the source cannot read
    /// (<see cref="StorageDataException"/>) or whose part the target refuses (<see cref="ArgumentException"/>, e.g. over
    /// a size limit; <see cref="InvalidOperationException"/>) is reported in <see cref="StorageMigrationResult.Failures"/>
    /// and the run goes on. Any other failure (an unreachable store: <see cref="StorageUnavailableException"/>) stops
    /// the run with that exception; a re-run continues where it stopped.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The endpoints are the same, rooms are in scope and the target has no room-content import, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StorageMigrationResult> MigrateAsync(
        StorageMigrationEndpoint source,
        StorageMigrationEndpoint target,
        StorageMigrationOptions? options = null,
        IProgress<StorageMigrationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options = Check(source, target, options);
        if (options.Scope.HasFlag(StorageMigrationScope.Rooms) && target.RoomImport is null)
        {
            throw new ArgumentException("Rooms are in scope but the target has no IRoomContentImport.", nameof(target));
        }

        long started = Stopwatch.GetTimestamp();
        if (options.ReindexSource && source.IndexMaintenance is { } maintenance)
        {
            await maintenance.ReindexAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        List<(MigrationKind Kind, IReadOnlyList<string> Ids)> plan = await PlanAsync(options.Scope, [source], cancellationToken).ConfigureAwait(false);
        var tracker = new Tracker(plan.Sum(static p => (long)p.Ids.Count), progress);
        var kinds = new List<StorageMigrationKindResult>(plan.Count);
        var failures = new List<StorageMigrationFailure>();
        foreach ((MigrationKind kind, IReadOnlyList<string> ids) in plan)
        {
            var outcomes = new StorageMigrationOutcome[ids.Count];
            await ForEachAsync(ids.Count, options.MaxDegreeOfParallelism, async (i, ct) =>
            {
                (StorageMigrationOutcome outcome, string? reason) = await MigrateOneAsync(kind, ids[i], source, target, options.DryRun, ct).ConfigureAwait(false);
                if (reason is not null)
                {
                    lock (failures)
                    {
                        failures.Add(new StorageMigrationFailure(kind.Name, ids[i], reason));
                    }
                }

                outcomes[i] = outcome;
                tracker.Report(kind.Name, ids[i], outcome);
            }, cancellationToken).ConfigureAwait(false);

            kinds.Add(new StorageMigrationKindResult(
                kind.Name,
                ids.Count,
                outcomes.LongCount(static o => o == StorageMigrationOutcome.Copied),
                outcomes.LongCount(static o => o == StorageMigrationOutcome.Replaced),
                outcomes.LongCount(static o => o == StorageMigrationOutcome.Skipped),
                outcomes.LongCount(static o => o == StorageMigrationOutcome.Missing),
                outcomes.LongCount(static o => o == StorageMigrationOutcome.Failed)));
        }

        failures.Sort(static (a, b) => string.CompareOrdinal(a.Kind + "\0" + a.Id, b.Kind + "\0" + b.Id));
        return new StorageMigrationResult(kinds, failures, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Compares every persistent aggregate of <paramref name="source"/> and <paramref name="target"/>: item counts and a content hash per aggregate.</summary>
    /// <param name="source">The store migrated from.</param>
    /// <param name="target">The store migrated to.</param>
    /// <param name="options">The scope and the parallelism (<see cref="StorageMigrationOptions.ReindexSource"/> is not used: verification writes nothing); defaults when <see langword="null"/>.</param>
    /// <param name="progress">Receives one report per aggregate compared (outcome <see cref="StorageMigrationOutcome.Equal"/> or <see cref="StorageMigrationOutcome.Different"/>); or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <returns>The counts of both sides and every aggregate that differs.</returns>
    /// <remarks>
    /// Compares the union of both sides' ids, so an aggregate only the target has is a mismatch too (with no source
    /// hash). An aggregate that cannot be read on one side is a mismatch naming the reason. Reads only.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException">The endpoints are the same, or an option is out of range.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StorageVerificationResult> VerifyAsync(
        StorageMigrationEndpoint source,
        StorageMigrationEndpoint target,
        StorageMigrationOptions? options = null,
        IProgress<StorageMigrationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        options = Check(source, target, options);
        long started = Stopwatch.GetTimestamp();
        List<(MigrationKind Kind, IReadOnlyList<string> Ids)> plan = await PlanAsync(options.Scope, [source, target], cancellationToken).ConfigureAwait(false);
        var tracker = new Tracker(plan.Sum(static p => (long)p.Ids.Count), progress);
        var sourceCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var targetCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var mismatches = new List<StorageVerificationMismatch>();
        foreach ((MigrationKind kind, IReadOnlyList<string> ids) in plan)
        {
            await ForEachAsync(ids.Count, options.MaxDegreeOfParallelism, async (i, ct) =>
            {
                string id = ids[i];
                (MigrationSnapshot? src, string? srcError) = await TryReadAsync(kind, source, id, ct).ConfigureAwait(false);
                (MigrationSnapshot? dst, string? dstError) = await TryReadAsync(kind, target, id, ct).ConfigureAwait(false);
                StorageVerificationMismatch? mismatch = null;
                if (src is null || dst is null)
                {
                    List<string> reasons = [];
                    if (srcError is not null)
                    {
                        reasons.Add("source unreadable: " + srcError);
                    }

                    if (dstError is not null)
                    {
                        reasons.Add("target unreadable: " + dstError);
                    }

                    mismatch = new StorageVerificationMismatch(kind.Name, id, Text(src), Text(dst), reasons);
                }
                else if (!(src.IsEmpty && dst.IsEmpty) && !src.Hash.AsSpan().SequenceEqual(dst.Hash))
                {
                    mismatch = new StorageVerificationMismatch(
                        kind.Name, id, src.IsEmpty ? null : Text(src), dst.IsEmpty ? null : Text(dst), [.. src.DifferingParts(dst).Order(StringComparer.Ordinal)]);
                }

                lock (mismatches)
                {
                    src?.Count(sourceCounts);
                    dst?.Count(targetCounts);
                    if (mismatch is not null)
                    {
                        mismatches.Add(mismatch);
                    }
                }

                tracker.Report(kind.Name, id, mismatch is null ? StorageMigrationOutcome.Equal : StorageMigrationOutcome.Different);
            }, cancellationToken).ConfigureAwait(false);
        }

        var counts = sourceCounts.Keys.Union(targetCounts.Keys, StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .Select(item => new StorageVerificationCount(item, sourceCounts.GetValueOrDefault(item), targetCounts.GetValueOrDefault(item)))
            .ToList();
        mismatches.Sort(static (a, b) => string.CompareOrdinal(a.Kind + "\0" + a.Id, b.Kind + "\0" + b.Id));
        return new StorageVerificationResult(tracker.Total, counts, mismatches, Stopwatch.GetElapsedTime(started));
    }

    private static StorageMigrationOptions Check(StorageMigrationEndpoint source, StorageMigrationEndpoint target, StorageMigrationOptions? options)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        options ??= new StorageMigrationOptions();

        // A group outside the scope may be shared (e.g. users staying in Redis while rooms move to SQL).
        if (ReferenceEquals(source, target)
            || (options.Scope.HasFlag(StorageMigrationScope.Users) && ReferenceEquals(source.Users, target.Users))
            || (options.Scope.HasFlag(StorageMigrationScope.Rooms) && ReferenceEquals(source.Rooms, target.Rooms)))
        {
            throw new ArgumentException("The source and the target are the same store.", nameof(target));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDegreeOfParallelism, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxDegreeOfParallelism, 64, nameof(options));
        if ((options.Scope & ~StorageMigrationScope.All) != 0 || options.Scope == 0)
        {
            throw new ArgumentException($"Scope {options.Scope} is not a combination of Users and Rooms.", nameof(options));
        }

        return options;
    }

    /// <summary>The kinds in scope, in order, each with the sorted union of the ids the endpoints list.</summary>
    private static async Task<List<(MigrationKind Kind, IReadOnlyList<string> Ids)>> PlanAsync(
        StorageMigrationScope scope, StorageMigrationEndpoint[] endpoints, CancellationToken cancellationToken)
    {
        var kinds = new List<MigrationKind>(3);
        if (scope.HasFlag(StorageMigrationScope.Users))
        {
            kinds.Add(MigrationUsers.Instance);
        }

        if (scope.HasFlag(StorageMigrationScope.Rooms))
        {
            kinds.Add(MigrationRooms.Instance);
            kinds.Add(MigrationDefaultRoom.Instance);
        }

        var plan = new List<(MigrationKind, IReadOnlyList<string>)>(kinds.Count);
        foreach (MigrationKind kind in kinds)
        {
            var ids = new SortedSet<string>(StringComparer.Ordinal);
            foreach (StorageMigrationEndpoint endpoint in endpoints)
            {
                ids.UnionWith(await kind.ListIdsAsync(endpoint, cancellationToken).ConfigureAwait(false));
            }

            plan.Add((kind, [.. ids]));
        }

        return plan;
    }

    private static async Task<(StorageMigrationOutcome Outcome, string? Reason)> MigrateOneAsync(
        MigrationKind kind, string id, StorageMigrationEndpoint source, StorageMigrationEndpoint target, bool dryRun, CancellationToken cancellationToken)
    {
        MigrationSnapshot src;
        try
        {
            src = await kind.ReadAsync(source, id, cancellationToken).ConfigureAwait(false);
        }
        catch (StorageDataException ex)
        {
            return (StorageMigrationOutcome.Failed, "The source cannot read it: " + ex.Message);
        }

        if (src.IsEmpty)
        {
            return (StorageMigrationOutcome.Missing, null);
        }

        (MigrationSnapshot? dst, _) = await TryReadAsync(kind, target, id, cancellationToken).ConfigureAwait(false);
        HashSet<string> differing = src.DifferingParts(dst);
        if (differing.Count == 0)
        {
            return (StorageMigrationOutcome.Skipped, null);
        }

        if (dryRun)
        {
            return (dst is null || dst.IsEmpty ? StorageMigrationOutcome.Copied : StorageMigrationOutcome.Replaced, null);
        }

        IReadOnlyList<string> problems;
        try
        {
            problems = await kind.WriteAsync(target, id, src, dst, differing, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or StorageDataException || (ex is InvalidOperationException && ex is not ObjectDisposedException))
        {
            return (StorageMigrationOutcome.Failed, "The target refused it: " + ex.Message);
        }

        if (problems.Count > 0)
        {
            return (StorageMigrationOutcome.Failed, string.Join(" ", problems));
        }

        return (dst is null || dst.IsEmpty ? StorageMigrationOutcome.Copied : StorageMigrationOutcome.Replaced, null);
    }

    /// <summary>Reads an aggregate; unreadable stored data gives <see langword="null"/> and the reason.</summary>
    private static async Task<(MigrationSnapshot? Snapshot, string? Error)> TryReadAsync(
        MigrationKind kind, StorageMigrationEndpoint endpoint, string id, CancellationToken cancellationToken)
    {
        try
        {
            return (await kind.ReadAsync(endpoint, id, cancellationToken).ConfigureAwait(false), null);
        }
        catch (StorageDataException ex)
        {
            return (null, ex.Message);
        }
    }

    private static string? Text(MigrationSnapshot? snapshot) => snapshot is null ? null : ContentHasher.Text(snapshot.Hash);

    /// <summary>Runs <paramref name="body"/> for 0 … <paramref name="count"/> − 1, at most <paramref name="degree"/> at a time.</summary>
    private static Task ForEachAsync(int count, int degree, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        degree == 1
            ? SequentialAsync(count, body, cancellationToken)
            : Parallel.ForEachAsync(
                Enumerable.Range(0, count),
                new ParallelOptions { MaxDegreeOfParallelism = degree, CancellationToken = cancellationToken },
                body);

    private static async Task SequentialAsync(int count, Func<int, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
    {
        for (int i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await body(i, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Counts finished aggregates and reports each under a lock, so reports are in order.</summary>
    private sealed class Tracker(long total, IProgress<StorageMigrationProgress>? progress)
    {
        private readonly Lock _gate = new();
        private long _done;

        public long Total { get; } = total;

        public void Report(string kind, string id, StorageMigrationOutcome outcome)
        {
            lock (_gate)
            {
                _done++;
                progress?.Report(new StorageMigrationProgress(_done, Total, kind, id, outcome));
            }
        }
    }
}
