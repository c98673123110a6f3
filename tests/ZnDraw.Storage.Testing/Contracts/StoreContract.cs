namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>
/// The base of every contract class: a fresh store of the backend under test per test, disposed afterwards.
/// </summary>
/// <remarks>
/// A contract class holds every behavioural test of one repository interface, written against the interface only
/// (results, concurrency, bad input, unreadable data where a backend-neutral way to plant it exists). Facts that only
/// one backend has (exact keys, round trips, scripts) belong in that backend's own test classes, not here. A test
/// project runs a contract by subclassing it once per backend, e.g.
/// <code>
/// [Collection(RedisCollection.Name)]
/// public sealed class RoomRepositoryOnZnDrawLayout(RedisFixture redis) : RoomRepositoryContract(RedisStores.ZnDraw(redis));
/// </code>
/// </remarks>
public abstract class StoreContract(IStoreFactory backend) : IAsyncLifetime
{
    private TestStore? _store;

    /// <summary>The backend under test.</summary>
    protected IStoreFactory Backend { get; } = backend;

    /// <summary>This test's store.</summary>
    protected TestStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    /// <summary>A fresh id valid for every aggregate and every layout.</summary>
    protected static string NewId(string kind = "t") => RedisFixture.NewId(kind);

    /// <inheritdoc/>
    public virtual async Task InitializeAsync() => _store = await Backend.CreateAsync();

    /// <inheritdoc/>
    public virtual async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
