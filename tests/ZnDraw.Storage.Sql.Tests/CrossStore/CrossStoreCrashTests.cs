using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.CrashWorker;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Sql.Model;
using ZnDraw.Storage.Sql.PostgreSql;
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
    /// <summary>
    /// Kills per dialect (two dialects: 32 runs in all, at random points 50–400 ms into the workload). 25 per dialect
    /// until the cluster tests joined the CI run, whose 20-minute budget took the difference; a control without the
    /// reconcile failed at run 8.
    /// </summary>
    private const int Runs = 16;

    /// <summary>
    /// The bound of one dialect's test, runs and checks included. A run costs about 1.4 s of CPU, nearly all of it the
    /// worker's start (runtime, DI, EF Core, connections; mostly JIT). Measured on a 2-core machine busy with other work
    /// (load average 10): 45 s for one dialect alone, 90–105 s each with both side by side. The bound stops a hang.
    /// </summary>
    private static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(150);

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
        var guests = new Dictionary<string, string?>(StringComparer.Ordinal);
        int run = 0, finished = 0, journalled = 0;
        TimeSpan starting = TimeSpan.Zero, startingCpu = TimeSpan.Zero, checking = TimeSpan.Zero;
        string Progress() => string.Create(
            CultureInfo.InvariantCulture,
            $"{backend}: {run} kills in {clock.Elapsed.TotalSeconds:F1} s (worker start to ready {Mean(starting):F0} ms, {Mean(startingCpu):F0} ms of CPU; reconcile and check {Mean(checking):F0} ms per run); reconcile finished {finished} interrupted deletes; {journalled} journal lines");
        double Mean(TimeSpan total) => run == 0 ? 0 : total.TotalMilliseconds / run;

        try
        {
            for (; run < Runs; run++)
            {
                int seed = random.Next();
                int lifetime = random.Next(50, 401);
                long started = Stopwatch.GetTimestamp();
                using (var worker = CrashWorkerProcess.Start(database, redis.Address, probe.KeyPrefix, seed))
                {
                    await worker.WaitUntilReadyAsync(bound.Token);
                    starting += Stopwatch.GetElapsedTime(started);
                    startingCpu += worker.StartProcessorTime;
                    await Task.Delay(lifetime, bound.Token);
                    await worker.KillAsync();
                    journalled += worker.Journal.Count;
                    Read(worker.Journal, guests);
                }

                long checkStarted = Stopwatch.GetTimestamp();
                SqlReconcileResult result = await probe.Reconciler.ReconcileAsync(bound.Token);
                finished += result.RoomCleanupsFinished;
                try
                {
                    await CheckAsync(store, probe, guests);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    throw new Xunit.Sdk.XunitException($"run {run} (seed {seed}, killed {lifetime} ms after ready, reconcile {result}): {ex.Message}");
                }

                checking += Stopwatch.GetElapsedTime(checkStarted);
            }
        }
        catch (OperationCanceledException) when (bound.IsCancellationRequested)
        {
            throw new Xunit.Sdk.XunitException($"Not done within {TimeBound.TotalSeconds} s. {Progress()}");
        }

        output.WriteLine(Progress());
    }

    /// <summary>The invariants between SQL and Redis after a kill and a reconcile.</summary>
    private static async Task CheckAsync(TestStore store, CrossStoreProbe probe, Dictionary<string, string?> guests)
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

        // Users: the listing is the rows; each journalled guest exists under exactly one name, its own or (registered) its
        // member name, which carries the password; no member name exists without its journalled guest.
        List<string> userRows = await probe.UserRowsAsync();
        var registered = (await probe.RegisteredUserRowsAsync()).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(userRows, Sorted(await users.ListAllAsync()));
        var existing = userRows.ToHashSet(StringComparer.Ordinal);
        foreach (var (name, registeredAs) in guests)
        {
            string member = CrashWorkload.MemberName(name);
            bool asGuest = existing.Contains(name), asMember = existing.Contains(member);
            Assert.True(asGuest != asMember, $"guest {name}: exists as guest {asGuest}, as {member} {asMember}");
            Assert.True(registeredAs is null || asMember, $"guest {name} registered as {registeredAs} but that user does not exist");
            Assert.True(asMember == registered.Contains(member) && !registered.Contains(name), $"guest {name}: the password is not on the member name alone");
        }

        var strays = userRows.Where(u => u.StartsWith("member-", StringComparison.Ordinal) && !guests.ContainsKey("user-" + u["member-".Length..])).ToList();
        Assert.True(strays.Count == 0, $"members without a journalled guest: {string.Join(", ", strays)}");
    }

    /// <summary>Folds the journal of one run into the guests seen so far (name → the name it registered as, if journalled).</summary>
    private static void Read(IEnumerable<string> journal, Dictionary<string, string?> guests)
    {
        foreach (string line in journal)
        {
            string[] parts = line.Split(' ');
            switch (parts[0])
            {
                case "guest":
                    guests.Add(parts[1], null);
                    break;
                case "registered":
                    Assert.True(guests.ContainsKey(parts[1]), $"registered an unjournalled guest: {line}");
                    guests[parts[1]] = parts[2];
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
        return context.Dialect is PostgresDialect ? connectionString : new SqliteConnectionStringBuilder(connectionString).DataSource;
    }

    private static List<string> Sorted(IEnumerable<string> values) => [.. values.Order(StringComparer.Ordinal)];
}

[Collection(CrashCollection.Name)]
public sealed class CrossStoreCrashTestsOnSqlite(RedisFixture redis, ITestOutputHelper output)
    : CrossStoreCrashTests(SqlStores.Sqlite(redis), redis, output);

[Collection(CrashCollection.Name)]
public sealed class CrossStoreCrashTestsOnPostgres(RedisFixture redis, ITestOutputHelper output)
    : CrossStoreCrashTests(SqlStores.Postgres(redis), redis, output);
