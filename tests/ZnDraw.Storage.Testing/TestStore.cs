using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace ZnDraw.Storage.Testing;

/// <summary>A backend under test: makes fresh, isolated stores that resolve the library's contracts.</summary>
/// <remarks>
/// One factory per backend and layout (ZnDraw's layout on one Redis, the cluster-safe layout on the Redis Cluster, and
/// later SQLite and PostgreSQL). A contract class receives one in its constructor and never learns which it is, except
/// through <see cref="Capabilities"/> where a backend documents a difference.
/// </remarks>
public interface IStoreFactory
{
    /// <summary>A short name for test output, e.g. <c>redis-zndraw</c>.</summary>
    string Name { get; }

    /// <summary>What the backend can and cannot do, where the contracts allow a difference.</summary>
    StoreCapabilities Capabilities { get; }

    /// <summary>Creates a store isolated from every other store this factory made (its own key space or database).</summary>
    /// <param name="time">The clock the store uses; a fresh <see cref="FakeTimeProvider"/> when <see langword="null"/>.</param>
    /// <param name="configure">Changes the storage options before the store is built (limits, lock TTLs, ...).</param>
    Task<TestStore> CreateAsync(FakeTimeProvider? time = null, Action<ZnDrawStorageOptions>? configure = null);
}

/// <summary>Differences between backends that a contract may depend on.</summary>
/// <param name="SharesKeySpaceWithOtherTests">
/// True when listings of the store may contain aggregates of other tests (ZnDraw's own layout has no prefix, so every
/// test on that server shares one key space): a contract then asserts "contains" rather than "equals".
/// </param>
/// <param name="ListingsAtomicWithWrites">
/// True when a listing (e.g. <c>IRoomRepository.ListAllAsync</c>) changes in the same atomic step as the create or delete
/// it follows. False when it is a second step (the cluster-safe layout keeps index sets in another cluster slot): then
/// concurrent creates and deletes of one id can leave the listing out of step with existence until the next create or
/// delete of that id (or a reindex) repairs it, and a contract asserts that repair instead.
/// </param>
public sealed record StoreCapabilities(bool SharesKeySpaceWithOtherTests, bool ListingsAtomicWithWrites = true);

/// <summary>One store under test: its services (every contract resolves from here) and its clock.</summary>
public sealed class TestStore(ServiceProvider services, FakeTimeProvider time, string name, Func<Task>? cleanup = null) : IAsyncDisposable
{
    /// <summary>The store's container: repositories, services and options as <c>AddZnDrawStorage</c> registers them.</summary>
    public IServiceProvider Services => services;

    /// <summary>The store's clock; advance it to expire TTLs the store computes (not those the server enforces).</summary>
    public FakeTimeProvider Time { get; } = time;

    /// <summary>The backend's name (<see cref="IStoreFactory.Name"/>).</summary>
    public string Name { get; } = name;

    /// <summary>Resolves a contract, e.g. <c>Get&lt;IRoomRepository&gt;()</c>.</summary>
    public T Get<T>()
        where T : notnull => services.GetRequiredService<T>();

    /// <summary>Disposes the container, then removes what the store created outside it (a database, a file).</summary>
    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        if (cleanup is not null)
        {
            await cleanup();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Name;
}
