using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.CrashWorker;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Model;
using ZnDraw.Storage.Sql.Repositories;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests.CrossStore;

/// <summary>
/// A child process (<see cref="CrashWorkload"/>) creates, copies and deletes rooms and registers guests on one database and
/// one Redis key space until it is SIGKILLed at a random moment; after each kill the reconcile runs and every invariant
/// between the two stores must hold. The runs share the store, so each starts from what the earlier kills left.
/// </summary>
public abstract class CrossStoreCrashTests(IStoreFactory backend, RedisFixture redis, ITestOutputHelper output)
{
    /// <summary>Kills per dialect (two dialects: 60 runs in all).</summary>
    private const int Runs = 30;

    /// <summary>The bound of one dialect's test, runs and checks included.</summary>
    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(75);

    private static readonly string[] DefaultNames = [.. DefaultGeometries.All.Select(g => g.Name)];

    [Fact]
    public async Task Every_kill_of_create_copy_delete_and_register_is_repaired_by_the_reconcile()
    {
        using var bound = new CancellationTokenSource(TimeBound);
        var clock = Stopwatch.StartNew();
        await using TestStore store = await backend.CreateAsync();
        var probe = new CrossStoreProbe(store, redis);
        string database = DatabaseArgument(store);
        var random = new Random(Environment.TickCount);
        var guests = new Dictionary<string, Guest>(StringComparer.Ordinal);
        int finished = 0, journalled = 0;
        for (int run = 0; run < Runs; run++)
        {
            int seed = random.Next();
            int lifetime = random.Next(50, 401);
            using (var worker = CrashWorkerProcess.Start(database, redis.Address, probe.KeyPrefix, seed))
            {
                await worker.WaitUntilReadyAsync(bound.Token);
                await Task.Delay(lifetime, bound.Token);
                await worker.KillAsync();
                journalled += worker.Journal.Count;
                Read(worker.Journal, guests);
            }

            SqlReconcileResult result = await probe.ReconcileAsync();
            finished += result.RoomCleanupsFinished;
            try
            {
                await CheckAsync(store, probe, guests);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"run {run} (seed {seed}, killed after {lifetime} ms, reconcile {result}): {ex.Message}");
            }

            bound.Token.ThrowIfCancellationRequested();
        }

        List<string> rooms = await probe.RoomRowsAsync();
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{backend}: {Runs} kills in {clock.Elapsed.TotalSeconds:F1} s; reconcile finished {finished} interrupted deletes; {rooms.Count} rooms and {guests.Count} journalled guests at the end; {journalled} journal lines"));
    }

    /// <summary>The invariants between SQL and Redis after a kill and a reconcile.</summary>
    private static async Task CheckAsync(TestStore store, CrossStoreProbe probe, Dictionary<string, Guest> guests)
    {
        var rooms = store.Get<IRoomRepository>();
        var frames = store.Get<IFrameRepository>();
        var geometries = store.Get<IGeometryRepository>();
        var users = store.Get<IUserRepository>();
        var locks = store.Get<ILockRepository>();

        // No cleanup left pending.
        Assert.Empty(await probe.CleanupsAsync());

        // The room listing is the rows; no Redis state for a room that does not exist in SQL.
        List<string> roomRows = await probe.RoomRowsAsync();
        Assert.Equal(roomRows, Sorted(await rooms.ListAllAsync()));
        SortedSet<string> withRedisState = await probe.RoomsWithRedisStateAsync();
        Assert.True(withRedisState.IsSubsetOf(roomRows), $"Redis state of rooms gone from SQL: {string.Join(", ", withRedisState.Except(roomRows))}");
        foreach (string room in CrashWorkload.AllRoomIds().Except(roomRows))
        {
            Assert.Null(await locks.GetAsync(room, CrashWorkload.LockTarget));
        }

        // Every room reads back, with its parts whole: a copy (and a completed create) carries the marker, the frames the
        // marker names and the default geometries; a create cut short has the defaults and a whole append or none.
        foreach (string room in roomRows)
        {
            Room read = await rooms.GetByIdAsync(room) ?? throw new Xunit.Sdk.XunitException($"room {room} is listed but does not read");
            IReadOnlyList<TrajectoryEntry> trajectory = await frames.GetRangeAsync(room);
            var parts = (await geometries.GetAllAsync(room)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            Assert.True(DefaultNames.All(parts.ContainsKey), $"room {room} lacks default geometries: {string.Join(", ", parts.Keys)}");
            if (parts.TryGetValue(CrashWorkload.Marker, out Geometry? marker))
            {
                var (origin, count) = CrashWorkload.ReadMarker(marker);
                Assert.Equal(DefaultNames.Length + 1, parts.Count);
                Assert.Equal(Enumerable.Range(0, count).Select(i => new FrameIndex(origin, i)), trajectory.Select(e => e.Frame));
            }
            else
            {
                Assert.True(read.Description == CrashWorkload.FreshDescription, $"room {room} ({read.Description}) has no marker: a copy is never partial");
                Assert.Equal(DefaultNames.Length, parts.Count);
                Assert.Equal(Enumerable.Range(0, trajectory.Count).Select(i => new FrameIndex(room, i)), trajectory.Select(e => e.Frame));
            }
        }

        // Users: the listing is the rows; each guest's token is held by exactly one user, under the right name.
        List<(string Name, string? CurrentRoom)> userRows = await probe.UserRowsAsync();
        Assert.Equal(Sorted(userRows.Select(u => u.Name)), Sorted(await users.ListAllAsync()));
        var holders = userRows.Where(u => u.CurrentRoom is not null).GroupBy(u => u.CurrentRoom!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(u => u.Name).ToList(), StringComparer.Ordinal);
        Assert.All(holders, h => Assert.True(h.Value.Count == 1, $"token {h.Key} is held by {string.Join(", ", h.Value)}"));
        foreach (var (token, guest) in guests)
        {
            Assert.True(holders.TryGetValue(token, out List<string>? names), $"guest {guest.Name} ({token}) is lost");
            string name = Assert.Single(names);
            if (guest.RegisteredAs is not null)
            {
                Assert.Equal(guest.RegisteredAs, name);
            }
            else
            {
                Assert.True(name == guest.Name || name.StartsWith("member-", StringComparison.Ordinal), $"guest {guest.Name} is now {name}");
            }

            Assert.Equal(token, (await users.GetByIdAsync(name))?.CurrentRoom);
        }
    }

    /// <summary>Folds the journal of one run into the guests seen so far.</summary>
    private static void Read(IEnumerable<string> journal, Dictionary<string, Guest> guests)
    {
        var byName = guests.Values.Where(g => g.RegisteredAs is null).ToDictionary(g => g.Name, StringComparer.Ordinal);
        foreach (string line in journal)
        {
            string[] parts = line.Split(' ');
            switch (parts[0])
            {
                case "guest":
                    var guest = new Guest(parts[1], parts[2]);
                    guests.Add(guest.Token, guest);
                    byName[guest.Name] = guest;
                    break;
                case "registered":
                    byName[parts[1]].RegisteredAs = parts[2];
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected journal line: {line}");
            }
        }
    }

    /// <summary>The worker's database argument: the SQLite file, or the PostgreSQL connection string.</summary>
    private static string DatabaseArgument(TestStore store)
    {
        SqlStoreContext context = store.Get<SqlStoreContext>();
        using StorageDbContext db = context.CreateDbContext();
        string connectionString = db.Database.GetConnectionString()!;
        return context.IsPostgres ? connectionString : new SqliteConnectionStringBuilder(connectionString).DataSource;
    }

    private static List<string> Sorted(IEnumerable<string> values) => [.. values.Order(StringComparer.Ordinal)];

    private sealed class Guest(string name, string token)
    {
        public string Name { get; } = name;

        public string Token { get; } = token;

        public string? RegisteredAs { get; set; }
    }
}

[Collection(SqliteCollection.Name)]
public sealed class CrossStoreCrashTestsOnSqlite(RedisFixture redis, ITestOutputHelper output)
    : CrossStoreCrashTests(SqlStores.Sqlite(redis), redis, output);

[Collection(PostgresCollection.Name)]
public sealed class CrossStoreCrashTestsOnPostgres(RedisFixture redis, ITestOutputHelper output)
    : CrossStoreCrashTests(SqlStores.Postgres(redis), redis, output);
