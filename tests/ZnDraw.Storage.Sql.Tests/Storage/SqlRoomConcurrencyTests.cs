using Microsoft.Extensions.DependencyInjection;
using System.Data.Common;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.Storage;

/// <summary>
/// The SQL room repository under concurrency and across both stores: one winner of concurrent creates, a delete stopped
/// between its SQL and its Redis step and the repair that follows, hostile ids and text as plain parameters.
/// </summary>
public abstract class SqlRoomConcurrencyTests(Func<SqlStorageGroups, IStoreFactory> backend) : IAsyncLifetime
{
    private const string LockTarget = LockInfo.TrajectoryMetaTarget;

    private TestStore? _store;

    private TestStore Store => _store ?? throw new InvalidOperationException("The store is created in InitializeAsync.");

    private SqlRoomRepository Rooms => Assert.IsType<SqlRoomRepository>(Store.Get<IRoomRepository>());

    public async Task InitializeAsync() => _store = await backend(SqlStorageGroups.All).CreateAsync();

    public async Task DisposeAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    [Fact]
    public async Task Of_32_concurrent_creates_of_one_id_exactly_one_returns_true()
    {
        string id = RedisFixture.NewId("room");
        SqlRoomRepository rooms = Rooms;
        using var start = new ManualResetEventSlim(false);

        Task<bool>[] creates = [.. Enumerable.Range(0, 32).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await rooms.CreateAsync(id, $"by {i}");
        }))];
        start.Set();
        bool[] results = await Task.WhenAll(creates);

        Assert.Equal(1, results.Count(created => created));
        int winner = Array.IndexOf(results, true);
        Assert.Equal(new Room(id, $"by {winner}"), await rooms.GetByIdAsync(id));
        Assert.Single(await rooms.ListAllAsync(), listed => listed == id);
    }

    [Fact]
    public async Task A_delete_stopped_after_its_sql_step_leaves_the_room_gone_the_redis_state_and_a_pending_cleanup()
    {
        string id = RedisFixture.NewId("room");
        SqlRoomRepository rooms = Rooms;
        var locks = Store.Get<ILockRepository>();
        Assert.True(await rooms.CreateAsync(id));
        Assert.True(await locks.AcquireAsync(id, LockTarget, "alice", TimeSpan.FromMinutes(5)));

        rooms.AfterSqlStep = static _ => throw new SimulatedCrashException();
        await Assert.ThrowsAsync<SimulatedCrashException>(async () => await rooms.DeleteAsync(id));
        rooms.AfterSqlStep = null;

        Assert.False(await rooms.ExistsAsync(id));
        Assert.DoesNotContain(id, await rooms.ListAllAsync());
        Assert.Equal("alice", (await locks.GetAsync(id, LockTarget))?.Holder);
        Assert.Equal([id], await PendingCleanupsAsync());
    }

    [Fact]
    public async Task A_create_after_a_stopped_delete_finishes_the_cleanup_before_the_room_exists_again()
    {
        string id = RedisFixture.NewId("room");
        SqlRoomRepository rooms = Rooms;
        var locks = Store.Get<ILockRepository>();
        Assert.True(await rooms.CreateAsync(id, "old"));
        Assert.True(await locks.AcquireAsync(id, LockTarget, "alice", TimeSpan.FromMinutes(5)));
        await StopAfterSqlStepAsync(rooms, id);

        Assert.True(await rooms.CreateAsync(id, "new"));

        Assert.Null(await locks.GetAsync(id, LockTarget));
        Assert.Empty(await PendingCleanupsAsync());
        Assert.Equal(new Room(id, "new"), await rooms.GetByIdAsync(id));
        Assert.True(await locks.AcquireAsync(id, LockTarget, "bob", TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task A_save_after_a_stopped_delete_finishes_the_cleanup_too()
    {
        string id = RedisFixture.NewId("room");
        SqlRoomRepository rooms = Rooms;
        var locks = Store.Get<ILockRepository>();
        Assert.True(await rooms.CreateAsync(id));
        Assert.True(await locks.AcquireAsync(id, LockTarget, "alice", TimeSpan.FromMinutes(5)));
        await StopAfterSqlStepAsync(rooms, id);

        await rooms.SaveAsync(new Room(id, "saved", CurrentFrame: 2));

        Assert.Null(await locks.GetAsync(id, LockTarget));
        Assert.Empty(await PendingCleanupsAsync());
        Assert.Equal(new Room(id, "saved", CurrentFrame: 2), await rooms.GetByIdAsync(id));
    }

    [Fact]
    public async Task A_repeated_delete_or_the_reconcile_step_finishes_a_stopped_delete()
    {
        string first = RedisFixture.NewId("room"), second = RedisFixture.NewId("room");
        SqlRoomRepository rooms = Rooms;
        var locks = Store.Get<ILockRepository>();
        foreach (string id in new[] { first, second })
        {
            Assert.True(await rooms.CreateAsync(id));
            Assert.True(await locks.AcquireAsync(id, LockTarget, "alice", TimeSpan.FromMinutes(5)));
            await StopAfterSqlStepAsync(rooms, id);
        }

        Assert.False(await rooms.DeleteAsync(first));
        Assert.Null(await locks.GetAsync(first, LockTarget));
        Assert.Equal([second], await PendingCleanupsAsync());

        Assert.Equal(1, (await Store.Services.ReconcileStorageAsync()).RoomCleanupsFinished);
        Assert.Null(await locks.GetAsync(second, LockTarget));
        Assert.Empty(await PendingCleanupsAsync());
        Assert.True((await Store.Services.ReconcileStorageAsync()).NothingToDo);
    }

    [Fact]
    public async Task A_completed_delete_leaves_no_pending_cleanup_and_no_redis_state()
    {
        string id = RedisFixture.NewId("room");
        SqlRoomRepository rooms = Rooms;
        var locks = Store.Get<ILockRepository>();
        Assert.True(await rooms.CreateAsync(id));
        Assert.True(await rooms.SetMetadataAsync(id, new RoomMetadata([new("relative_file_path", "a.xyz")])));
        Assert.True(await locks.AcquireAsync(id, LockTarget, "alice", TimeSpan.FromMinutes(5)));

        Assert.True(await rooms.DeleteAsync(id));

        Assert.Null(await locks.GetAsync(id, LockTarget));
        Assert.Null(await rooms.GetMetadataAsync(id));
        Assert.Empty(await PendingCleanupsAsync());
        Assert.False(await rooms.DeleteAsync(id));
    }

    [Fact]
    public async Task Concurrent_metadata_writes_and_a_delete_never_leave_metadata_of_a_deleted_room()
    {
        SqlRoomRepository rooms = Rooms;
        string[] ids = [.. Enumerable.Range(0, 8).Select(_ => RedisFixture.NewId("room"))];
        foreach (string id in ids)
        {
            Assert.True(await rooms.CreateAsync(id));
        }

        using var start = new ManualResetEventSlim(false);
        Task<bool>[] writes = [.. ids.SelectMany(id => Enumerable.Range(0, 4).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await rooms.SetMetadataAsync(id, new RoomMetadata([new("field" + i, "value")]));
        })))];
        Task<bool>[] deletes = [.. ids.Select(id => Task.Run(async () => { start.Wait(); return await rooms.DeleteAsync(id); }))];
        start.Set();
        await Task.WhenAll(writes);
        Assert.All(await Task.WhenAll(deletes), Assert.True);

        foreach (string id in ids)
        {
            Assert.Null(await rooms.GetMetadataAsync(id));
        }
    }

    [Fact]
    public async Task Hostile_room_ids_descriptions_and_metadata_are_stored_as_given_and_the_tables_survive()
    {
        SqlRoomRepository rooms = Rooms;
        string sentinel = RedisFixture.NewId("sentinel");
        Assert.True(await rooms.CreateAsync(sentinel, "keep me"));
        string[] ids =
        [
            "Robert.--", "--", "..", "-", "_", "a--b", "DROP_TABLE_rooms--", "1.0-_-.x", "r1\n", new string('x', KeyValidation.MaxIdLength),
        ];
        string[] texts =
        [
            "'; DROP TABLE rooms; --", "\" OR \"1\"=\"1", "x') ON CONFLICT DO NOTHING; DELETE FROM room_metadata; --",
            "%_*?[]\\", "Ünïcode ✓ 🙂", "@id", "$1", "/* */ --",
        ];
        foreach (string id in ids)
        {
            Assert.True(KeyValidation.IsValidRoomId(id));
        }

        for (int i = 0; i < ids.Length; i++)
        {
            string id = ids[i];
            string text = texts[i % texts.Length];
            Assert.True(await rooms.CreateAsync(id, text));
            Assert.False(await rooms.CreateAsync(id, text));
            Assert.True(await rooms.SetMetadataAsync(id, new RoomMetadata([new(text, text), new("@f0", "$2")])));
            Assert.True(await rooms.SetDescriptionAsync(id, text + text));
            Assert.True(await rooms.SetDefaultRoomAsync(id));
            Assert.Equal(id, await rooms.GetDefaultRoomAsync());
        }

        IReadOnlyList<string> listed = await rooms.ListAllAsync();
        Assert.Equal([.. ids.Append(sentinel).Order(StringComparer.Ordinal)], listed);
        for (int i = 0; i < ids.Length; i++)
        {
            string text = texts[i % texts.Length];
            Assert.True(await rooms.ExistsAsync(ids[i]));
            Assert.Equal(new Room(ids[i], text + text), await rooms.GetByIdAsync(ids[i]));
            Assert.Equal(new RoomMetadata([new(text, text), new("@f0", "$2")]), await rooms.GetMetadataAsync(ids[i]));
        }

        Assert.False(await rooms.ExistsAsync("r1"));
        Assert.Equal(new Room(sentinel, "keep me"), await rooms.GetByIdAsync(sentinel));
        foreach (string id in ids)
        {
            Assert.True(await rooms.DeleteAsync(id));
        }

        Assert.Equal([sentinel], await rooms.ListAllAsync());
        Assert.Empty(await PendingCleanupsAsync());
    }

    [Theory]
    [InlineData(SqlStorageGroups.All)]
    [InlineData(SqlStorageGroups.Rooms)]
    public async Task Hostile_user_names_join_a_room_as_given(SqlStorageGroups groups)
    {
        await using TestStore store = await backend(groups).CreateAsync();
        var rooms = store.Get<IRoomRepository>();
        var users = store.Get<IUserRepository>();
        string id = RedisFixture.NewId("room");
        string[] names = ["x'); DROP TABLE users; --", "\" OR 1=1 --", "a:b *", "Ünïcode ✓ 🙂", "@user", "%"];
        Assert.True(await rooms.CreateAsync(id));

        foreach (string name in names)
        {
            Assert.True(await users.CreateAsync(new User(name)));
            Assert.True(await rooms.AddUserAsync(id, name));
            Assert.Equal(id, (await users.GetByIdAsync(name))?.CurrentRoom);
        }

        Assert.False(await rooms.AddUserAsync(id, "'; --"));
        Assert.Equal([.. names.Order(StringComparer.Ordinal)], await rooms.GetUsersAsync(id));
        Assert.Equal(names.Length, (await users.ListAllAsync()).Count);
    }

    private static async Task StopAfterSqlStepAsync(SqlRoomRepository rooms, string id)
    {
        rooms.AfterSqlStep = static _ => throw new SimulatedCrashException();
        try
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(async () => await rooms.DeleteAsync(id));
        }
        finally
        {
            rooms.AfterSqlStep = null;
        }
    }

    private async Task<List<string>> PendingCleanupsAsync()
    {
        var context = Store.Get<SqlStoreContext>();
        await using DbConnection connection = await context.OpenAsync("test", null, default);
        await using DbCommand command = connection.CreateCommand();
        command.CommandText = "SELECT room_id FROM room_cleanups ORDER BY room_id";
        var ids = new List<string>();
        await using DbDataReader reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    /// <summary>Stands for a process that stops between the two steps.</summary>
    private sealed class SimulatedCrashException : Exception
    {
        public SimulatedCrashException()
            : base("Stopped between the SQL step and the Redis step.")
        {
        }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class SqlRoomConcurrencyOnSqlite(RedisFixture redis) : SqlRoomConcurrencyTests(groups => SqlStores.Sqlite(redis, groups));

[Collection(PostgresCollection.Name)]
public sealed class SqlRoomConcurrencyOnPostgres(RedisFixture redis) : SqlRoomConcurrencyTests(groups => SqlStores.Postgres(redis, groups));
