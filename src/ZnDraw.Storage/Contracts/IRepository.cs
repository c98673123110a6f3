namespace ZnDraw.Storage.Contracts;

/// <summary>Reads and writes one kind of aggregate, addressed by its string id.</summary>
/// <typeparam name="T">The aggregate's model type.</typeparam>
/// <remarks>
/// Every call is one round trip to Redis. StackExchange.Redis takes no cancellation tokens: a
/// token is checked before anything is sent and then bounds the wait only, so a command may still
/// run on the server after the caller stopped waiting. Invalid ids throw <see cref="ArgumentException"/>
/// before anything is sent; unreadable stored data throws <see cref="StorageDataException"/>.
/// </remarks>
public interface IRepository<T>
    where T : class
{
    /// <summary>Reads the aggregate, or <see langword="null"/> when it does not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    ValueTask<T?> GetByIdAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Writes the aggregate (create or replace) in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    ValueTask SaveAsync(T entity, CancellationToken cancellationToken = default);

    /// <summary>Deletes the aggregate in one atomic step; <see langword="false"/> when it did not exist.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Whether the aggregate exists.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default);
}
