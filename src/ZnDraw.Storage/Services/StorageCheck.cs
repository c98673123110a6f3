using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Check;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Services;

/// <summary>
/// Checks the integrity of a live store without blocking it, and repairs what is safe to repair: unreadable
/// aggregates, index drift, orphan jobs and worker sets, and (with <c>AddSqlStorage</c>) Redis against SQL.
/// </summary>
/// <remarks>
/// <para>
/// The check walks the key space with <c>SCAN</c> (<see cref="StorageCheckOptions.PageSize"/> keys per call, on every
/// primary of a cluster, optionally throttled by <see cref="StorageCheckOptions.MaxKeysPerSecond"/>), then reads every
/// room, user and job through the library's repositories and compares the index sets with what the scan found. It
/// reads only. See <c>docs/check.md</c> for what counts as a problem and what is legitimate ZnDraw data (room-scoped
/// keys of a room that was never created are a room by ZnDraw's own listing rule, never an orphan).
/// </para>
/// <para>
/// The repair re-checks each problem right before changing anything, and each change is conditional where Redis allows
/// it (a transaction that deletes an orphan only while it is still one), so data written meanwhile by ZnDraw or another
/// host is left alone and reported as skipped.
/// </para>
/// </remarks>
public static class StorageCheck
{
    /// <summary>Checks the store of <paramref name="services"/>.</summary>
    /// <param name="services">The store's services (<c>AddZnDrawStorage</c>, with or without <c>AddSqlStorage</c>).</param>
    /// <param name="options">The page size, rate limit and parallelism; defaults when <see langword="null"/>.</param>
    /// <param name="progress">Receives a report after each page of keys and each aggregate read; or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the check between pages and reads.</param>
    /// <returns>The problems found, the keys scanned and the time taken.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="InvalidOperationException">The services hold no ZnDraw storage.</exception>
    /// <exception cref="StorageUnavailableException">A store could not be reached or timed out; the check may be run again.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<StorageCheckReport> RunAsync(
        IServiceProvider services,
        StorageCheckOptions? options = null,
        IProgress<StorageCheckProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        options ??= new StorageCheckOptions();
        if (options.PageSize is < 1 or > StorageCheckOptions.MaxPageSize)
        {
            throw new ArgumentException($"PageSize must be 1 to {StorageCheckOptions.MaxPageSize}, not {options.PageSize}.", nameof(options));
        }

        if (options.MaxKeysPerSecond is < 1)
        {
            throw new ArgumentException($"MaxKeysPerSecond must be at least 1, not {options.MaxKeysPerSecond}.", nameof(options));
        }

        if (options.MaxDegreeOfParallelism is < 1 or > 64)
        {
            throw new ArgumentException($"MaxDegreeOfParallelism must be 1 to 64, not {options.MaxDegreeOfParallelism}.", nameof(options));
        }

        return Create(services).RunAsync(options, progress, cancellationToken);
    }

    /// <summary>Repairs the repairable problems of <paramref name="report"/>, each re-checked first.</summary>
    /// <param name="services">The store's services, as given to <see cref="RunAsync"/>.</param>
    /// <param name="report">A report of <see cref="RunAsync"/> on the same store.</param>
    /// <param name="cancellationToken">Stops the repair between problems; what was changed stays.</param>
    /// <returns>What was changed, and what was left because it no longer held.</returns>
    /// <remarks>
    /// Index drift is repaired by one reindex (<see cref="IIndexMaintenance"/>); orphan jobs and worker sets by a
    /// conditional delete; pending cleanups of a hybrid store by its reconcile. Unreadable aggregates are never changed.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The services hold no ZnDraw storage.</exception>
    /// <exception cref="StorageUnavailableException">A store could not be reached or timed out; a new check and repair may be run.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<StorageRepairResult> RepairAsync(IServiceProvider services, StorageCheckReport report, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(report);
        return Create(services).RepairAsync(report, cancellationToken);
    }

    private static RedisStorageCheck Create(IServiceProvider services) => new(
        services.GetService<RedisStoreContext>() ?? throw new InvalidOperationException("The services hold no ZnDraw storage (AddZnDrawStorage)."),
        StorageMigrationEndpoint.FromServices(services),
        services.GetRequiredService<IJobRepository>(),
        services.GetRequiredService<IIndexMaintenance>(),
        services.GetService<IStorageCrossCheck>());
}
