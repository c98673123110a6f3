using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>
/// The behaviour of the generic repository members (<see cref="IRepository{T, TId}"/> and, when the repository lists its
/// ids, <see cref="IEnumerableRepository{T, TId}"/>) that every repository of an aggregate root shows on every backend.
/// </summary>
/// <typeparam name="T">The aggregate's model type.</typeparam>
/// <typeparam name="TId">The aggregate's id.</typeparam>
/// <remarks>A subclass per aggregate supplies sample aggregates; a subclass per backend supplies the store.</remarks>
public abstract class RepositoryContract<T, TId>(IStoreFactory backend) : StoreContract(backend)
    where T : class
    where TId : notnull
{
    /// <summary>The repository under test, from <see cref="StoreContract.Store"/>.</summary>
    protected abstract IRepository<T, TId> Repository { get; }

    /// <summary>An id the repository refuses before anything is sent.</summary>
    protected abstract TId InvalidId { get; }

    /// <summary>A new aggregate with a fresh id; <paramref name="n"/> varies its kind (e.g. room-scoped or global).</summary>
    /// <param name="n">0, 1, ...: which kind of sample.</param>
    /// <returns>The aggregate (not stored yet).</returns>
    protected abstract T NewEntity(int n);

    /// <summary>The same aggregate (same id) with other content, different for each <paramref name="n"/>.</summary>
    /// <param name="entity">The aggregate.</param>
    /// <param name="n">1, 2, ...: which variant.</param>
    /// <returns>The variant.</returns>
    protected abstract T Variant(T entity, int n);

    /// <summary>The id of <paramref name="entity"/>.</summary>
    /// <param name="entity">The aggregate.</param>
    /// <returns>Its id.</returns>
    protected abstract TId IdOf(T entity);

    /// <summary>Stores what <paramref name="entity"/> needs to be listed (e.g. its room); nothing by default.</summary>
    /// <param name="entity">The aggregate about to be saved.</param>
    /// <returns>A task.</returns>
    protected virtual ValueTask ArrangeAsync(T entity) => ValueTask.CompletedTask;

    [Fact]
    public async Task A_saved_aggregate_reads_back_equal_and_exists()
    {
        foreach (int n in new[] { 0, 1 })
        {
            T entity = NewEntity(n);
            await ArrangeAsync(entity);

            await Repository.SaveAsync(entity);

            Assert.Equal(entity, await Repository.GetByIdAsync(IdOf(entity)));
            Assert.True(await Repository.ExistsAsync(IdOf(entity)));
        }
    }

    [Fact]
    public async Task A_missing_aggregate_reads_as_null_does_not_exist_and_is_not_deleted()
    {
        TId id = IdOf(NewEntity(0));

        Assert.Null(await Repository.GetByIdAsync(id));
        Assert.False(await Repository.ExistsAsync(id));
        Assert.False(await Repository.DeleteAsync(id));
    }

    [Fact]
    public async Task Saving_again_replaces_the_content()
    {
        T entity = NewEntity(0);
        await ArrangeAsync(entity);
        await Repository.SaveAsync(entity);
        T changed = Variant(entity, 1);
        Assert.NotEqual(entity, changed); // the sample must change something

        await Repository.SaveAsync(changed);

        Assert.Equal(changed, await Repository.GetByIdAsync(IdOf(entity)));
    }

    [Fact]
    public async Task Delete_removes_the_aggregate_once()
    {
        foreach (int n in new[] { 0, 1 })
        {
            T entity = NewEntity(n);
            await ArrangeAsync(entity);
            await Repository.SaveAsync(entity);

            Assert.True(await Repository.DeleteAsync(IdOf(entity)));

            Assert.False(await Repository.DeleteAsync(IdOf(entity)));
            Assert.Null(await Repository.GetByIdAsync(IdOf(entity)));
            Assert.False(await Repository.ExistsAsync(IdOf(entity)));
        }
    }

    [Fact]
    public async Task Concurrent_saves_of_one_aggregate_leave_exactly_one_of_the_written_values()
    {
        T entity = NewEntity(0);
        await ArrangeAsync(entity);
        var written = Enumerable.Range(1, 12).Select(n => Variant(entity, n)).ToList();

        await Task.WhenAll(written.Select(e => Repository.SaveAsync(e).AsTask()));

        Assert.Contains(await Repository.GetByIdAsync(IdOf(entity)), written);
    }

    [Fact]
    public async Task Saved_aggregates_are_listed_and_deleted_ones_are_not()
    {
        if (Repository is not IEnumerableRepository<T, TId> listing)
        {
            return; // sessions: not enumerable by design
        }

        T kept = NewEntity(0), other = NewEntity(1), deleted = NewEntity(0);
        foreach (T e in new[] { kept, other, deleted })
        {
            await ArrangeAsync(e);
            await Repository.SaveAsync(e);
        }

        await Repository.DeleteAsync(IdOf(deleted));

        var ids = new List<TId>();
        await foreach (TId id in listing.ListIdsAsync())
        {
            ids.Add(id);
        }

        Assert.Contains(IdOf(kept), ids);
        Assert.Contains(IdOf(other), ids);
        Assert.DoesNotContain(IdOf(deleted), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public async Task An_invalid_id_is_refused_before_anything_is_sent()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Repository.GetByIdAsync(InvalidId));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Repository.ExistsAsync(InvalidId));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Repository.DeleteAsync(InvalidId));
    }

    [Fact]
    public async Task A_cancelled_token_stores_nothing()
    {
        T entity = NewEntity(0);
        await ArrangeAsync(entity);
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Repository.SaveAsync(entity, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Repository.GetByIdAsync(IdOf(entity), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Repository.ExistsAsync(IdOf(entity), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Repository.DeleteAsync(IdOf(entity), cancelled));
        if (Repository is IEnumerableRepository<T, TId> listing)
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            {
                await foreach (TId _ in listing.ListIdsAsync(cancelled))
                {
                }
            });
        }

        Assert.False(await Repository.ExistsAsync(IdOf(entity)));
    }
}
