namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes one kind of aggregate root, addressed by its id.</summary>
/// <typeparam name="T">The aggregate's model type; it carries its own id, so <see cref="SaveAsync"/> needs no separate id.</typeparam>
/// <typeparam name="TId">
/// The id: a <see cref="string"/> where one name is the whole id (rooms, users, sessions), a typed id where the id has
/// several parts (<see cref="ExtensionId"/>, <see cref="JobId"/>, <see cref="FilesystemId"/>).
/// </typeparam>
/// <remarks>
/// <para>
/// Every backend guarantees: every call is one atomic step, unless a repository documents more steps. Arguments are
/// validated before anything is stored: invalid ids throw <see cref="ArgumentException"/> and nothing is written. The
/// cancellation token is checked before anything is sent and then bounds the wait; a backend may still complete the
/// call after the caller stopped waiting. Stored data that cannot be read throws <see cref="StorageDataException"/>; a
/// backend that cannot be reached or times out throws <see cref="StorageUnavailableException"/>. Each repository
/// documents what its aggregate holds (see <c>docs/aggregates.md</c>).
/// </para>
/// <para>
/// Redis backend: every call is one round trip, unless a repository documents more. StackExchange.Redis takes no
/// cancellation tokens, so a command may still run on the server after the caller stopped waiting.
/// </para>
/// </remarks>
public interface IRepository<T, TId>
    where T : class
    where TId : notnull
{
    /// <summary>Reads the aggregate, or <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="id">The aggregate's id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>The aggregate, or <see langword="null"/>.</returns>
    ValueTask<T?> GetByIdAsync(TId id, CancellationToken cancellationToken = default);

    /// <summary>Writes the aggregate (create or replace) in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="entity">The aggregate; its id is part of it.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>A task that completes when the aggregate is stored.</returns>
    ValueTask SaveAsync(T entity, CancellationToken cancellationToken = default);

    /// <summary>Deletes the aggregate in one atomic step; <see langword="false"/> when it did not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="id">The aggregate's id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether the aggregate existed.</returns>
    ValueTask<bool> DeleteAsync(TId id, CancellationToken cancellationToken = default);

    /// <summary>Whether the aggregate exists.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="id">The aggregate's id.</param>
    /// <param name="cancellationToken">Checked before anything is sent, then bounds the wait; a backend may still complete the call.</param>
    /// <returns>Whether <see cref="GetByIdAsync"/> would find it.</returns>
    ValueTask<bool> ExistsAsync(TId id, CancellationToken cancellationToken = default);
}

/// <summary>Reads and writes one kind of aggregate root, addressed by its string id.</summary>
/// <typeparam name="T">The aggregate's model type.</typeparam>
public interface IRepository<T> : IRepository<T, string>
    where T : class
{
}

/// <summary>A repository whose backend can list the ids of every stored aggregate of its kind: the source of a copy or migration.</summary>
/// <typeparam name="T">The aggregate's model type.</typeparam>
/// <typeparam name="TId">The aggregate's id.</typeparam>
/// <remarks>
/// Sessions are not enumerable: they are bound to live connections and have no index (see <c>docs/aggregates.md</c>).
/// </remarks>
public interface IEnumerableRepository<T, TId> : IRepository<T, TId>
    where T : class
    where TId : notnull
{
    /// <summary>Lists the id of every stored aggregate of this kind, each once, for maintenance (copy, migration), not for a hot path.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Stops the listing between reads.</param>
    /// <returns>The ids, in no particular order, read in pages; an aggregate written or deleted while the listing runs may or may not appear.</returns>
    /// <remarks>
    /// A part of an index that cannot be read (e.g., in the Redis backend, one room's sets holding another type) is skipped and reported like the
    /// other listings' unreadable entries (event 2100, <c>zndraw.storage.unreadable</c>), so one bad room never stops a copy.
    /// The listing reads the backend's indexes, not the aggregates: an id may name an aggregate that expired or was
    /// deleted since (<see cref="IRepository{T, TId}.GetByIdAsync"/> returns <see langword="null"/> for it). Each
    /// repository documents which index it reads.
    /// </remarks>
    IAsyncEnumerable<TId> ListIdsAsync(CancellationToken cancellationToken = default);
}
