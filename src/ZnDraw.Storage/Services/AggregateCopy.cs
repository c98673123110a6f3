using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Services;

/// <summary>Copies the aggregates of one kind from one backend to another through the repository contracts only.</summary>
/// <remarks>
/// <para>
/// The copy lists the source's ids (<see cref="IEnumerableRepository{T, TId}.ListIdsAsync"/>), reads each aggregate
/// (<see cref="IRepository{T, TId}.GetByIdAsync"/>) and writes it to the target (<see cref="IRepository{T, TId}.SaveAsync"/>),
/// one at a time. It knows no backend: the source and the target may be two Redis key spaces, or Redis and SQL. What is
/// copied is what the aggregate's model holds (see each repository's remarks and <c>docs/aggregates.md</c>).
/// </para>
/// <para>
/// Idempotent: <see cref="IRepository{T, TId}.SaveAsync"/> creates or replaces, so a second copy leaves the target as
/// the first one did (aggregates deleted from the source in between are not deleted from the target). The copy is not a
/// snapshot: aggregates written while it runs may or may not be copied; stop the writers for an exact copy.
/// </para>
/// </remarks>
public static class AggregateCopy
{
    /// <summary>Copies every aggregate the source lists to the target.</summary>
    /// <typeparam name="T">The aggregate's model type.</typeparam>
    /// <typeparam name="TId">The aggregate's id.</typeparam>
    /// <param name="source">The repository read from.</param>
    /// <param name="target">The repository written to (create or replace).</param>
    /// <param name="progress">Receives the counts so far after each aggregate, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the copy between aggregates; what was written stays.</param>
    /// <returns>How many ids were listed, copied, gone before they could be read, and unreadable.</returns>
    /// <remarks>
    /// An id whose aggregate is gone when it is read (expired, deleted since it was listed) counts as
    /// <see cref="AggregateCopyResult{TId}.Missing"/>. An aggregate the source cannot read (<see cref="StorageDataException"/>)
    /// is not copied: its id is reported in <see cref="AggregateCopyResult{TId}.Unreadable"/> and the copy goes on. Any
    /// other failure (the target refusing a write, a lost connection) stops the copy with that exception.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="target"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> and <paramref name="target"/> are the same instance.</exception>
    public static async ValueTask<AggregateCopyResult<TId>> CopyAsync<T, TId>(
        IEnumerableRepository<T, TId> source,
        IRepository<T, TId> target,
        IProgress<AggregateCopyResult<TId>>? progress = null,
        CancellationToken cancellationToken = default)
        where T : class
        where TId : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (ReferenceEquals(source, target))
        {
            throw new ArgumentException("The source and the target are the same repository.", nameof(target));
        }

        long listed = 0, copied = 0, missing = 0;
        var unreadable = new List<TId>();
        await foreach (TId id in source.ListIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            listed++;
            T? entity;
            try
            {
                entity = await source.GetByIdAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (StorageDataException)
            {
                unreadable.Add(id);
                progress?.Report(new AggregateCopyResult<TId>(listed, copied, missing, [.. unreadable]));
                continue;
            }

            if (entity is null)
            {
                missing++;
            }
            else
            {
                await target.SaveAsync(entity, cancellationToken).ConfigureAwait(false);
                copied++;
            }

            progress?.Report(new AggregateCopyResult<TId>(listed, copied, missing, [.. unreadable]));
        }

        return new AggregateCopyResult<TId>(listed, copied, missing, unreadable);
    }
}

/// <summary>What <see cref="AggregateCopy.CopyAsync"/> did (so far, when reported as progress).</summary>
/// <typeparam name="TId">The aggregate's id.</typeparam>
/// <param name="Listed">Ids the source listed.</param>
/// <param name="Copied">Aggregates read from the source and saved to the target.</param>
/// <param name="Missing">Listed ids whose aggregate was gone when read (expired or deleted meanwhile).</param>
/// <param name="Unreadable">Listed ids whose stored data the source could not read; not copied.</param>
public sealed record AggregateCopyResult<TId>(long Listed, long Copied, long Missing, IReadOnlyList<TId> Unreadable);
