using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.CrossStore;

/// <summary>
/// <see cref="SqlStorageReconciler"/>: a room delete stopped between its SQL step and its Redis step leaves a pending
/// cleanup and Redis state; the reconcile removes both, once.
/// </summary>
public abstract class SqlStorageReconcilerTests(IStoreFactory backend, RedisFixture redis) : IAsyncLifetime
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private TestStore? _store;

    private TestStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    private CrossStoreProbe Probe => new(Store, redis);

    private ILockRepository Locks => Store.Get<ILockRepository>();

    public async Task InitializeAsync() => _store = await backend.CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_delete_stopped_before_redis_is_finished_by_the_reconcile_and_a_second_reconcile_does_nothing()
    {
        string room = RedisFixture.NewId("room");
        Assert.True(await Locks.AcquireAsync(room, LockTarget, "alice", Minute));
        await Probe.InsertCleanupAsync(room); // the delete's SQL transaction committed, then the process died

        SqlReconcileResult first = await Probe.ReconcileAsync();

        Assert.Equal(new SqlReconcileResult(1, 1, 0, 0), first);
        Assert.Null(await Locks.GetAsync(room, LockTarget));
        Assert.DoesNotContain(room, await Probe.RoomsWithRedisStateAsync());
        Assert.Empty(await Probe.CleanupsAsync());

        SqlReconcileResult second = await Probe.ReconcileAsync();

        Assert.Equal(new SqlReconcileResult(0, 0, 0, 0), second);
        Assert.True(second.NothingToDo);
    }

    [Fact]
    public async Task A_room_delete_stopped_by_the_test_hook_between_sql_and_redis_is_finished_by_the_reconcile()
    {
        string room = RedisFixture.NewId("room");
        var rooms = (SqlRoomRepository)Store.Get<IRoomRepository>();
        Assert.True(await rooms.CreateAsync(room));
        Assert.True(await Locks.AcquireAsync(room, LockTarget, "alice", Minute));
        rooms.AfterSqlStep = static _ => throw new SimulatedCrashException();
        try
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(async () => await rooms.DeleteAsync(room));
        }
        finally
        {
            rooms.AfterSqlStep = null;
        }

        Assert.False(await rooms.ExistsAsync(room));
        Assert.Equal("alice", (await Locks.GetAsync(room, LockTarget))?.Holder);
        Assert.Equal([room], await Probe.CleanupsAsync());

        Assert.Equal(new SqlReconcileResult(1, 1, 0, 0), await Probe.ReconcileAsync());

        Assert.Null(await Locks.GetAsync(room, LockTarget));
        Assert.DoesNotContain(room, await Probe.RoomsWithRedisStateAsync());
        Assert.Empty(await Probe.CleanupsAsync());
        Assert.True((await Probe.ReconcileAsync()).NothingToDo);

        // The id is free again, and a new room of it keeps its own Redis state through the next reconcile.
        Assert.True(await rooms.CreateAsync(room));
        Assert.True(await Locks.AcquireAsync(room, LockTarget, "bob", Minute));
        Assert.Equal(new SqlReconcileResult(0, 0, 0, 0), await Probe.ReconcileAsync());
        Assert.Equal("bob", (await Locks.GetAsync(room, LockTarget))?.Holder);
    }

    [Fact]
    public async Task A_reconcile_beside_creates_of_the_same_ids_never_removes_the_new_rooms_redis_state()
    {
        var rooms = (SqlRoomRepository)Store.Get<IRoomRepository>();
        string[] ids = [.. Enumerable.Range(0, 12).Select(_ => RedisFixture.NewId("room"))];
        rooms.AfterSqlStep = static _ => throw new SimulatedCrashException();
        try
        {
            foreach (string id in ids)
            {
                Assert.True(await rooms.CreateAsync(id));
                Assert.True(await Locks.AcquireAsync(id, LockTarget, "old", Minute));
                await Assert.ThrowsAsync<SimulatedCrashException>(async () => await rooms.DeleteAsync(id));
            }
        }
        finally
        {
            rooms.AfterSqlStep = null;
        }

        // Two reconciles race creates that finish the same cleanups and then lock their new rooms.
        Task<SqlReconcileResult>[] reconciles = [Task.Run(() => Probe.ReconcileAsync()), Task.Run(() => Probe.ReconcileAsync())];
        await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            Assert.True(await rooms.CreateAsync(id));
            Assert.True(await Locks.AcquireAsync(id, LockTarget, "new", Minute));
        })));
        await Task.WhenAll(reconciles);

        foreach (string id in ids)
        {
            Assert.Equal("new", (await Locks.GetAsync(id, LockTarget))?.Holder);
        }

        Assert.Empty(await Probe.CleanupsAsync());
    }

    [Fact]
    public async Task A_cleanup_without_redis_state_is_finished_too()
    {
        string room = RedisFixture.NewId("room");
        await Probe.InsertCleanupAsync(room); // Redis was already clean: only the last step (the row) was lost

        Assert.Equal(new SqlReconcileResult(1, 1, 0, 0), await Probe.ReconcileAsync());
        Assert.Empty(await Probe.CleanupsAsync());
    }

    [Fact]
    public async Task A_cleanup_of_a_room_that_exists_again_drops_the_row_and_leaves_the_live_room_s_redis_state()
    {
        string room = RedisFixture.NewId("room");
        Assert.True(await Store.Get<IRoomRepository>().CreateAsync(room));
        Assert.True(await Locks.AcquireAsync(room, LockTarget, "alice", Minute));
        await Probe.InsertCleanupAsync(room);

        Assert.Equal(new SqlReconcileResult(1, 0, 0, 1), await Probe.ReconcileAsync());
        Assert.Empty(await Probe.CleanupsAsync());
        Assert.Equal("alice", (await Locks.GetAsync(room, LockTarget))?.Holder);
        Assert.True(await Store.Get<IRoomRepository>().ExistsAsync(room));
    }

    [Fact]
    public async Task More_pending_cleanups_than_a_page_are_all_finished()
    {
        string[] rooms = [.. Enumerable.Range(0, SqlStorageReconciler.PageSize + 20).Select(i => RedisFixture.NewId("room"))];
        foreach (string room in rooms)
        {
            await Probe.InsertCleanupAsync(room);
        }

        Assert.True(await Locks.AcquireAsync(rooms[^1], LockTarget, "alice", Minute));

        Assert.Equal(new SqlReconcileResult(rooms.Length, rooms.Length, 0, 0), await Probe.ReconcileAsync());
        Assert.Empty(await Probe.CleanupsAsync());
        Assert.Null(await Locks.GetAsync(rooms[^1], LockTarget));
    }

    [Fact]
    public async Task Concurrent_reconciles_finish_each_cleanup_exactly_once()
    {
        string[] rooms = [.. Enumerable.Range(0, 60).Select(i => RedisFixture.NewId("room"))];
        foreach (string room in rooms)
        {
            await Probe.InsertCleanupAsync(room);
            Assert.True(await Locks.AcquireAsync(room, LockTarget, "alice", Minute));
        }

        SqlReconcileResult[] results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Probe.ReconcileAsync())));

        Assert.Equal(rooms.Length, results.Sum(r => r.RoomCleanupsFinished));
        Assert.All(results, r => Assert.Equal(r.RoomCleanupsFound, r.RoomCleanupsFinished + r.RoomCleanupsAlreadyFinished));
        Assert.Empty(await Probe.CleanupsAsync());
        Assert.Empty((await Probe.RoomsWithRedisStateAsync()).Intersect(rooms));
    }

    [Fact]
    public async Task A_redis_failure_keeps_the_cleanup_pending_for_the_next_run()
    {
        string room = RedisFixture.NewId("room");
        Assert.True(await Locks.AcquireAsync(room, LockTarget, "alice", Minute));
        await Probe.InsertCleanupAsync(room);
        var failing = new SqlStorageReconciler(Store.Get<SqlStoreContext>(), new FailingRoomState());

        await Assert.ThrowsAsync<StorageUnavailableException>(() => failing.ReconcileAsync());

        Assert.Equal([room], await Probe.CleanupsAsync());
        Assert.NotNull(await Locks.GetAsync(room, LockTarget));
        Assert.Equal(new SqlReconcileResult(1, 1, 0, 0), await Probe.ReconcileAsync());
        Assert.Null(await Locks.GetAsync(room, LockTarget));
    }

    [Fact]
    public async Task A_cancelled_reconcile_throws_and_leaves_the_cleanup_pending()
    {
        string room = RedisFixture.NewId("room");
        await Probe.InsertCleanupAsync(room);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Probe.Reconciler.ReconcileAsync(new CancellationToken(canceled: true)));

        Assert.Equal([room], await Probe.CleanupsAsync());
    }

    private const string LockTarget = "trajectory:meta";

    /// <summary>Stands for a process that died at the hook.</summary>
    private sealed class SimulatedCrashException : Exception;

    /// <summary>An ephemeral state whose store is down.</summary>
    private sealed class FailingRoomState : IRoomEphemeralState
    {
        public ValueTask DeleteAsync(string roomId, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(new StorageUnavailableException("IRoomEphemeralState.DeleteAsync", roomId, "Redis is down (test).", null));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class SqlStorageReconcilerOnSqlite(RedisFixture redis) : SqlStorageReconcilerTests(SqlStores.Sqlite(redis), redis);

[Collection(PostgresCollection.Name)]
public sealed class SqlStorageReconcilerOnPostgres(RedisFixture redis) : SqlStorageReconcilerTests(SqlStores.Postgres(redis), redis);
