using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql.Tests.CrossStore;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Check;

/// <summary>
/// <see cref="StorageCheck"/> on a hybrid store: the SQL side's pending cleanup (a delete stopped between SQL and Redis)
/// and a Redis orphan are found beside a live room and a lock of a never-created room (legitimate), and the repair
/// fixes both.
/// </summary>
public abstract class HybridCheckTests(IStoreFactory backend, RedisFixture redis) : IAsyncLifetime
{
    private const string Target = "trajectory:meta";

    private TestStore? _store;

    private TestStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    public async Task InitializeAsync() => _store = await backend.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Check_finds_a_pending_cleanup_and_a_redis_orphan_and_repair_fixes_both()
    {
        var probe = new CrossStoreProbe(Store, redis);
        var locks = Store.Get<ILockRepository>();
        KeySpace space = Store.Get<KeySpace>();
        Assert.True(await Store.Get<IRoomRepository>().CreateAsync("live"));
        Assert.True(await locks.AcquireAsync("live", Target, "alice", TimeSpan.FromMinutes(1)));
        Assert.True(await locks.AcquireAsync("nevercreated", Target, "bob", TimeSpan.FromMinutes(1)));
        Assert.True(await locks.AcquireAsync("gone", Target, "carol", TimeSpan.FromMinutes(1)));
        await probe.InsertCleanupAsync("gone"); // the delete's SQL step committed, then the process died
        ExtensionKeys orphan = space.Extension("live", "modifiers", "Gone");
        await redis.Database.SetAddAsync(orphan.IdleWorkers(), "sid-gone");

        StorageCheckReport report = await StorageCheck.RunAsync(Store.Services);

        Assert.Equal(
            [(StorageProblemKind.OrphanWorkers, (string)orphan.IdleWorkers()!), (StorageProblemKind.PendingCleanup, "room_cleanups gone")],
            report.Problems.Select(p => (p.Kind, p.Key)).ToList());
        Assert.Contains("still there", report.Problems[1].Detail, StringComparison.Ordinal);

        StorageRepairResult repair = await StorageCheck.RepairAsync(Store.Services, report);

        Assert.Equal(2, repair.Repairs.Count);
        Assert.Null(await locks.GetAsync("gone", Target));
        Assert.Equal("alice", (await locks.GetAsync("live", Target))?.Holder);
        Assert.Equal("bob", (await locks.GetAsync("nevercreated", Target))?.Holder);
        Assert.Empty(await probe.CleanupsAsync());
        Assert.True((await StorageCheck.RunAsync(Store.Services)).IsClean);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class HybridCheckOnSqlite(RedisFixture redis) : HybridCheckTests(SqlStores.Sqlite(redis), redis);

[Collection(PostgresCollection.Name)]
public sealed class HybridCheckOnPostgres(RedisFixture redis) : HybridCheckTests(SqlStores.Postgres(redis), redis);
