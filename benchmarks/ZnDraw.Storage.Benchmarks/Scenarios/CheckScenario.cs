using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// <see cref="StorageCheck"/> over a live keyspace: 10,000 ZnDraw-shaped rooms of 100 keys each (1M keys; 1,000 rooms
/// and 100k keys in the quick run), written with pipelined raw commands into a database of its own. Measures the
/// check's keys/s (target ≥ 50,000) and the GET latency of a concurrent client (its own connection, two callers, in this
/// process) without and during the check (target: p50 and p99 at most +10 %), with no rate limit, the recommended
/// one and a lower one (the quick run: the recommended one only).
/// </summary>
internal static class CheckScenario
{
    private const int KeysPerRoom = 100;

    /// <summary>The rate limit docs/check.md recommends for a check beside live traffic.</summary>
    internal const int RecommendedRate = 150_000;

    /// <summary>The page size docs/check.md recommends with <see cref="RecommendedRate"/>: shorter SCAN calls.</summary>
    internal const int RecommendedPageSize = 250;

    public static async Task<List<ScenarioResult>> RunAsync(ScenarioSizes sizes)
    {
        int rooms = ReferenceEquals(sizes, ScenarioSizes.Quick) ? 1_000 : 10_000;
        IServer server = BenchmarkRedis.Server;
        int db = BenchmarkRedis.ScalingDb;
        await server.FlushDatabaseAsync(db);
        var results = new List<ScenarioResult>();
        try
        {
            await FillAsync(BenchmarkRedis.Connection.GetDatabase(db), rooms);
            long keys = await server.DatabaseSizeAsync(db);
            await using ServiceProvider services = Services(db);
            await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(Environment.GetEnvironmentVariable("ZNDRAW_REDIS")!);
            IDatabase clientDb = client.GetDatabase(db);
            await clientDb.StringSetAsync("bench:latency", "x");

            // The quick run (CI) measures only the recommended setting, on 100k keys.
            (int?, int)[] settings = rooms < 10_000
                ? [(RecommendedRate, RecommendedPageSize)]
                : [(null, 1000), (RecommendedRate, RecommendedPageSize), (100_000, RecommendedPageSize)];
            foreach ((int? rate, int pageSize) in settings)
            {
                string setting = (rate is null ? "no rate limit" : $"--rate {rate:N0}") + $", --page-size {pageSize}";
                (double idleP50, double idleP99, long idleGets) = await MeasureLatencyAsync(clientDb, TimeSpan.FromSeconds(3), during: null);
                StorageCheckReport? report = null;
                (double p50, double p99, long gets) = await MeasureLatencyAsync(clientDb, TimeSpan.Zero, async () =>
                    report = await StorageCheck.RunAsync(services, new StorageCheckOptions { MaxKeysPerSecond = rate, PageSize = pageSize }));
                if (report is null || report.KeysScanned < keys)
                {
                    throw new InvalidOperationException($"the check scanned {report?.KeysScanned} of {keys} keys.");
                }

                if (!report.IsClean)
                {
                    throw new InvalidOperationException("the check found problems in a clean fill: " + report.Problems[0]);
                }

                double keysPerSecond = report.KeysScanned / report.Elapsed.TotalSeconds;
                results.Add(new ScenarioResult("Check", $"check {keys:N0} keys / {rooms:N0} rooms, {setting}", keysPerSecond, 50_000, "keys/s",
                    $"{report.Elapsed.TotalSeconds:0.0} s incl. reading {report.AggregatesRead:N0} aggregates; baseline = the 50,000 keys/s target"));
                results.Add(new ScenarioResult("Check", $"concurrent GET p50 during check, {setting}", p50, idleP50, "µs",
                    $"{gets:N0} GETs during, {idleGets:N0} in 3 s before (baseline); target ratio ≤ 1.10"));
                results.Add(new ScenarioResult("Check", $"concurrent GET p99 during check, {setting}", p99, idleP99, "µs",
                    $"same GETs; target ratio ≤ 1.10"));
            }
        }
        finally
        {
            await server.FlushDatabaseAsync(db);
        }

        return results;
    }

    /// <summary>The library as a host registers it, on the scenario's database, with no background reconcile.</summary>
    private static ServiceProvider Services(int db)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IConnectionMultiplexer>(BenchmarkRedis.Connection);
        services.AddZnDrawStorage(o =>
        {
            o.Database = db;
            o.IndexReconciliation.Enabled = false;
        });
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// GETs of one key from two callers, each timed, for <paramref name="window"/> or while <paramref name="during"/> runs.
    /// </summary>
    private static async Task<(double P50, double P99, long Count)> MeasureLatencyAsync(IDatabase db, TimeSpan window, Func<Task>? during)
    {
        using var stop = new CancellationTokenSource();
        var samples = new List<double>[2];
        Task[] callers = new Task[2];
        for (int c = 0; c < callers.Length; c++)
        {
            var mine = samples[c] = new List<double>(1 << 16);
            callers[c] = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    long t = Stopwatch.GetTimestamp();
                    await db.StringGetAsync("bench:latency");
                    mine.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                    await Task.Delay(1); // a client with think time, not a saturating load
                }
            });
        }

        if (during is null)
        {
            await Task.Delay(window);
        }
        else
        {
            await during();
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);
        double[] all = [.. samples.SelectMany(static s => s).Order()];
        return (Percentile(all, 0.50), Percentile(all, 0.99), all.Length);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>
    /// Writes <paramref name="rooms"/> rooms as ZnDraw leaves them: the creation keys, geometries, a trajectory, chat,
    /// bookmarks and selections, plus per-user settings and extension data up to <see cref="KeysPerRoom"/> keys; indexed.
    /// Pipelined: 100 rooms per batch, 8 batches in flight.
    /// </summary>
    private static async Task FillAsync(IDatabase db, int rooms)
    {
        var inFlight = new List<Task>();
        for (int start = 0; start < rooms; start += 100)
        {
            IBatch batch = db.CreateBatch();
            var tasks = new List<Task>(100 * KeysPerRoom);
            for (int r = start; r < Math.Min(rooms, start + 100); r++)
            {
                string id = "bench-" + r.ToString("D5", CultureInfo.InvariantCulture);
                string p = "room:" + id + ":";
                tasks.Add(batch.StringSetAsync(
                [
                    new(p + "current_frame", "0"), new(p + "locked", "0"), new(p + "hidden", "0"), new(p + "description", "room " + id),
                    new(p + "chat:counter", "1"),
                ]));
                tasks.Add(batch.HashSetAsync(p + "geometries", "particles", "{\"type\": \"Sphere\", \"data\": {\"active\": true}}"));
                tasks.Add(batch.SortedSetAddAsync(p + "trajectory:indices", id + ":0", 1.0));
                tasks.Add(batch.HashSetAsync(p + "chat:data", "msg_" + id + "_1", "{\"id\": \"msg_" + id + "_1\", \"roomId\": \"" + id + "\", \"author\": {\"id\": \"u0\"}, \"content\": \"hi\", \"createdAt\": 1700000000000, \"updatedAt\": 1700000000000, \"isEdited\": false}"));
                tasks.Add(batch.SortedSetAddAsync(p + "chat:index", "msg_" + id + "_1", 1700000000000));
                tasks.Add(batch.HashSetAsync(p + "bookmarks", "0", "start"));
                tasks.Add(batch.HashSetAsync(p + "selections", "particles", "[0]"));
                tasks.Add(batch.SetAddAsync("rooms:index", id));
                for (int k = 0; k < KeysPerRoom - 10; k++)
                {
                    tasks.Add(batch.HashSetAsync(p + "user:u" + k.ToString(CultureInfo.InvariantCulture) + ":settings", "camera", "{\"fov\": 75}"));
                }
            }

            batch.Execute();
            inFlight.Add(Task.WhenAll(tasks));
            if (inFlight.Count >= 8)
            {
                await Task.WhenAll(inFlight);
                inFlight.Clear();
            }
        }

        await Task.WhenAll(inFlight);
    }
}
