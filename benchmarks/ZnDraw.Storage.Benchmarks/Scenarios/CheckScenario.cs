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
/// check's keys/s (target ≥ 50,000) and the GET latency of a concurrent client (<see cref="LatencyProbe"/>: two callers
/// in a process of their own, as another host's clients are) before, during and after the check (target: p50 and p99
/// during at most +10 % over before; after ÷ before is the method's A/A control), with no rate limit, the recommended
/// one and a lower one (the quick run: the recommended one only).
/// </summary>
internal static class CheckScenario
{
    private const int KeysPerRoom = 100;

    /// <summary>What the other client is, as the summary names it.</summary>
    private const string ProbeCallers = "8 callers GET with 1 ms think time";

    /// <summary>The rate limit docs/check.md recommends for a check beside live traffic.</summary>
    internal const int RecommendedRate = 150_000;

    /// <summary>The page size docs/check.md recommends with <see cref="RecommendedRate"/>: shorter SCAN calls (about 1 µs of server time per key).</summary>
    internal const int RecommendedPageSize = 100;

    /// <summary>The parallelism docs/check.md recommends with <see cref="RecommendedRate"/>: one aggregate read at a time, no bursts.</summary>
    internal const int RecommendedParallelism = 1;

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
            await using LatencyProbe probe = await LatencyProbe.StartAsync(Environment.GetEnvironmentVariable("ZNDRAW_REDIS")!, db);

            int serverPid = await CpuPinning.ServerProcessIdAsync(server);
            int[] pins = [serverPid, probe.ProcessId, Environment.ProcessId];

            // Each setting is measured with the processes split over the CPUs as over separate hosts (the Redis server
            // and the other client on CPU 0, the check on CPU 1; the target); in the full run the recommended one also
            // unsplit (the three share both CPUs: informational). The quick run (CI): the recommended setting, 100k keys.
            bool split = CpuPinning.IsAvailable;
            bool quick = rooms < 10_000;
            (int? Rate, int PageSize, int Parallel, bool Split)[] settings = quick
                ? [(RecommendedRate, RecommendedPageSize, RecommendedParallelism, split)]
                :
                [
                    (null, 1000, 4, split), (RecommendedRate, RecommendedPageSize, RecommendedParallelism, split),
                    (RecommendedRate, RecommendedPageSize, RecommendedParallelism, false), (100_000, RecommendedPageSize, RecommendedParallelism, split),
                ];
            int rounds = quick ? 5 : 3;
            TimeSpan idleWindow = TimeSpan.FromSeconds(quick ? 1 : 3);
            var measured = new List<Measured>();
            try
            {
                for (int i = 0; i < settings.Length; i++)
                {
                    (int? rate, int pageSize, int parallel, bool pinned) = settings[i];
                    if (CpuPinning.IsAvailable)
                    {
                        CpuPinning.Pin(serverPid, pinned ? "0" : CpuPinning.AllCpus);
                        CpuPinning.Pin(probe.ProcessId, pinned ? "0" : CpuPinning.AllCpus);
                        CpuPinning.Pin(Environment.ProcessId, pinned ? "1" : CpuPinning.AllCpus);
                    }

                    // Idle, check, idle, check, …, idle: each check's GETs against those of the idle windows around it.
                    var run = new Measured((rate is null ? "no rate limit" : $"--rate {rate:N0}") + $", --page-size {pageSize}, --parallel {parallel}"
                        + (pinned ? ", check on its own CPU" : ", all on both CPUs"), pinned);
                    for (int round = 0; round <= rounds; round++)
                    {
                        await probe.PhaseAsync($"idle-{i}-{round}");
                        double cpu = await ServerCpuSecondsAsync(server);
                        long idleStarted = Stopwatch.GetTimestamp();
                        await Task.Delay(idleWindow);
                        run.IdleCpu += await ServerCpuSecondsAsync(server) - cpu;
                        run.IdleSeconds += Stopwatch.GetElapsedTime(idleStarted).TotalSeconds;
                        if (round == rounds)
                        {
                            break;
                        }

                        await probe.PhaseAsync($"during-{i}-{round}");
                        cpu = await ServerCpuSecondsAsync(server);
                        StorageCheckReport report = await StorageCheck.RunAsync(services, new StorageCheckOptions { MaxKeysPerSecond = rate, PageSize = pageSize, MaxDegreeOfParallelism = parallel });
                        run.CheckCpu += await ServerCpuSecondsAsync(server) - cpu;
                        if (report.KeysScanned < keys)
                        {
                            throw new InvalidOperationException($"the check scanned {report.KeysScanned} of {keys} keys.");
                        }

                        if (!report.IsClean)
                        {
                            throw new InvalidOperationException("the check found problems in a clean fill: " + report.Problems[0]);
                        }

                        run.Checks.Add(report);
                    }

                    measured.Add(run);
                }
            }
            finally
            {
                if (CpuPinning.IsAvailable)
                {
                    foreach (int pid in pins)
                    {
                        CpuPinning.Pin(pid, CpuPinning.AllCpus);
                    }
                }
            }

            Dictionary<string, double[]> phases = await probe.StopAsync();
            for (int i = 0; i < measured.Count; i++)
            {
                Measured run = measured[i];
                double[][] idle = [.. Enumerable.Range(0, rounds + 1).Select(r => phases[$"idle-{i}-{r}"])];
                double[][] during = [.. Enumerable.Range(0, rounds).Select(r => phases[$"during-{i}-{r}"])];
                double scanned = run.Checks.Sum(static c => (double)c.KeysScanned);
                double seconds = run.Checks.Sum(static c => c.Elapsed.TotalSeconds);
                string target = run.Split ? "target ratio ≤ 1.10" : "informational: the check competes with the server and the client for 2 cores";
                results.Add(new ScenarioResult("Check", $"check {keys:N0} keys / {rooms:N0} rooms, {run.Setting}", scanned / seconds, 50_000, "keys/s",
                    $"{seconds / rounds:0.0} s per check incl. reading {run.Checks[0].AggregatesRead:N0} aggregates; baseline = the 50,000 keys/s target"));
                results.Add(new ScenarioResult("Check", $"Redis server CPU during check, {run.Setting}", 100 * run.CheckCpu / seconds, 100 * run.IdleCpu / run.IdleSeconds, "%",
                    $"INFO used_cpu_user + used_cpu_sys over the checks' wall time; baseline: over the idle windows (the other client's load alone)"));
                foreach ((string name, double p) in new[] { ("p50", 0.50), ("p99", 0.99) })
                {
                    // Per round: the check's quantile ÷ that of the two idle windows around it; the median of the rounds.
                    // The A/A control: each idle window ÷ the one before it (the method's own noise), median and range.
                    double[] ratios = [.. Enumerable.Range(0, rounds).Select(r => LatencyProbe.Percentile(during[r], p) / LatencyProbe.Percentile([.. idle[r], .. idle[r + 1]], p))];
                    double[] control = [.. Enumerable.Range(0, rounds).Select(r => LatencyProbe.Percentile(idle[r + 1], p) / LatencyProbe.Percentile(idle[r], p))];
                    results.Add(new ScenarioResult("Check", $"concurrent GET {name} during check, {run.Setting}",
                        LatencyProbe.Percentile(during.SelectMany(static d => d), p), LatencyProbe.Percentile(idle.SelectMany(static w => w), p), "µs per GET",
                        $"another client ({ProbeCallers}) in its own process; {rounds} checks between {rounds + 1} idle windows of {idleWindow.TotalSeconds:0} s, "
                        + $"{during.Sum(static d => d.Length):N0} GETs during, {idle.Sum(static w => w.Length):N0} idle (baseline: all of them); "
                        + $"median of the rounds' ratios {Median(ratios):0.000}× ({Range(ratios)}); A/A control (idle ÷ the idle before) {Median(control):0.000}× ({Range(control)}); {target}"));
                }
            }
        }
        finally
        {
            await server.FlushDatabaseAsync(db);
        }

        return results;
    }

    /// <summary>One setting's checks and the server's CPU seconds during them and during the idle windows.</summary>
    private sealed class Measured(string setting, bool split)
    {
        public string Setting { get; } = setting;

        public bool Split { get; } = split;

        public List<StorageCheckReport> Checks { get; } = [];

        public double CheckCpu { get; set; }

        public double IdleCpu { get; set; }

        public double IdleSeconds { get; set; }
    }

    /// <summary>The server's CPU time so far (INFO cpu: <c>used_cpu_user</c> + <c>used_cpu_sys</c>, seconds).</summary>
    private static async Task<double> ServerCpuSecondsAsync(IServer server)
    {
        Dictionary<string, string> cpu = await BenchmarkRedis.InfoAsync(server, "cpu");
        return double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture);
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Range(double[] values) => string.Create(CultureInfo.InvariantCulture, $"{values.Min():0.00}–{values.Max():0.00}");

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
