using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Benchmarks.Scenarios;

namespace ZnDraw.Storage.Benchmarks;

/// <summary>
/// Entry point. <c>--quick</c>: short jobs (the CI run, under five minutes); otherwise the full run. Each run is
/// BenchmarkDotNet (times, allocations, round trips), then the paired ABBA comparison of every twin (the time
/// ratios the targets are judged on), then the scenarios.
/// <c>--out DIR</c>: where the summary (markdown + JSON) goes. <c>--render DIR</c>: rewrite DIR/summary.md from its
/// summary.json (no measurement). <c>--no-scenarios</c>: no scenarios.
/// <c>--scenarios-only</c>: only throughput, listing scaling, drain and cluster. <c>--cluster-only</c>: only the cluster
/// scenarios and the paired comparison of the [ClusterTwins] classes (on one server and on the cluster). <c>--no-paired</c>: no paired comparison.
/// <c>--paired-only [--paired-filter TEXT]</c>: only the paired comparison (classes whose name contains TEXT), printed,
/// no summary written. Other arguments go to BenchmarkDotNet (e.g. <c>--filter '*Room*'</c>; a filtered run skips
/// the paired comparison unless <c>--paired-filter</c> is given, and the scenarios).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (LatencyProbe.IsProbe(args))
        {
            return await LatencyProbe.RunAsync(args); // the check scenario's other client, in its own process
        }

        bool quick = args.Contains("--quick");
        bool scenarios = !args.Contains("--no-scenarios");
        bool benchmarks = !args.Contains("--scenarios-only");
        string mode = quick ? "quick" : "full";
        string outDir = Path.Combine("benchmarks", "results", mode);
        var rest = new List<string>();
        string? pairedFilter = null;
        int render = Array.IndexOf(args, "--render");
        if (render >= 0)
        {
            // --render DIR: summary.md again from DIR/summary.json (no measurement).
            string dir = render + 1 < args.Length ? args[render + 1] : outDir;
            Console.WriteLine($"// Summary written to {await SummaryWriter.RenderAsync(dir)}");
            return 0;
        }

        if (args.Contains("--check-only"))
        {
            // Only the check scenario, printed (to measure it alone).
            foreach (ScenarioResult r in await CheckScenario.RunAsync(quick ? ScenarioSizes.Quick : ScenarioSizes.Full))
            {
                Console.WriteLine($"{r.Scenario,-10} {r.Case,-55} library {r.Library,12:N1} baseline {r.Baseline,12:N1} {r.Unit} ratio {r.Ratio:0.000} ({r.Detail})");
            }

            return 0;
        }

        if (args.Contains("--cluster-only"))
        {
            // Only what runs on the clusters (to time it): the [ClusterTwins] pairs there and the cluster scenarios.
            ScenarioSizes clusterSizes = quick ? ScenarioSizes.Quick : ScenarioSizes.Full;
            var clusterStarted = DateTimeOffset.UtcNow;
            int filterAt = Array.IndexOf(args, "--paired-filter");
            var pairsWatch = System.Diagnostics.Stopwatch.StartNew();
            List<PairedResult> clusterPairs = await PairedScenario.RunAsync(
                clusterSizes, PairedFilter(filterAt >= 0 && filterAt + 1 < args.Length ? args[filterAt + 1] : null), quick, clusterOnly: true);
            Console.WriteLine($"// cluster twins: {pairsWatch.Elapsed.TotalSeconds:0.0} s");
            var scenariosWatch = System.Diagnostics.Stopwatch.StartNew();
            List<ScenarioResult> clusterScenarios = scenarios ? await ClusterScenario.RunAsync(clusterSizes) : [];
            Console.WriteLine($"// cluster scenarios: {scenariosWatch.Elapsed.TotalSeconds:0.0} s");
            foreach (ScenarioResult r in clusterScenarios)
            {
                Console.WriteLine($"{r.Scenario,-10} {r.Case,-50} library {r.Library,12:N1} baseline {r.Baseline,12:N1} {r.Unit} ({r.Detail})");
            }

            int outAt = Array.IndexOf(args, "--out");
            if (outAt >= 0 && outAt + 1 < args.Length)
            {
                Console.WriteLine($"// Summary written to {await SummaryWriter.WriteAsync(args[outAt + 1], mode, clusterStarted, [], clusterPairs, clusterScenarios)}");
            }

            return 0;
        }

        if (args.Contains("--paired-only"))
        {
            ScenarioSizes pairedSizes = quick ? ScenarioSizes.Quick : ScenarioSizes.Full;
            for (int i = 0; i < args.Length - 1; i++)
            {
                if (args[i] == "--paired-filter")
                {
                    pairedFilter = args[i + 1];
                }
            }

            await PairedScenario.RunAsync(pairedSizes, PairedFilter(pairedFilter), quick);
            return 0;
        }

        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick" or "--no-scenarios" or "--scenarios-only" or "--paired-only" or "--no-paired":
                    break;
                case "--paired-filter" when i + 1 < args.Length:
                    pairedFilter = args[++i];
                    break;
                case "--out" when i + 1 < args.Length:
                    outDir = args[++i];
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        bool filtered = rest.Contains("--filter");
        if (!filtered)
        {
            rest.AddRange(["--filter", "*"]);
        }

        var started = DateTimeOffset.UtcNow;
        var summaries = new List<Summary>();
        int status = 0;
        if (benchmarks)
        {
            // Core set: the short (quick) or long (full) job. [FullRunOnly] classes: skipped in the quick run (the paired
            // comparison measures them), a medium job in the full run — their time is judged by the paired comparison,
            // BenchmarkDotNet adds allocations and medians, and 200 long jobs would take an hour.
            static bool FullRunOnly(BenchmarkDotNet.Running.BenchmarkCase c) =>
                c.Descriptor.Type.GetCustomAttributes(typeof(FullRunOnlyAttribute), inherit: false).Length > 0;
            static bool QuickRun(BenchmarkDotNet.Running.BenchmarkCase c) =>
                c.Descriptor.Type.GetCustomAttributes(typeof(QuickRunAttribute), inherit: false).Length > 0;

            Job core = quick
                ? Job.Default.WithWarmupCount(2).WithIterationCount(7).WithIterationTime(TimeInterval.FromMilliseconds(100))
                : Job.Default.WithWarmupCount(5).WithIterationCount(25).WithIterationTime(TimeInterval.FromMilliseconds(250));
            Job medium = Job.Default.WithWarmupCount(3).WithIterationCount(10).WithIterationTime(TimeInterval.FromMilliseconds(150));
            var runs = new List<(Job Job, Func<BenchmarkDotNet.Running.BenchmarkCase, bool> Include)> { (core, c => quick ? QuickRun(c) : !FullRunOnly(c)) };
            if (!quick)
            {
                runs.Add((medium, FullRunOnly));
            }

            foreach ((Job job, Func<BenchmarkDotNet.Running.BenchmarkCase, bool> include) in runs)
            {
                IConfig config = DefaultConfig.Instance
                    .WithOptions(ConfigOptions.JoinSummary)
                    .AddJob(job.WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance).WithId(mode))
                    .AddColumn(new RoundTripColumn())
                    .AddFilter(new BenchmarkDotNet.Filters.SimpleFilter(include));
                summaries.AddRange(BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config));
            }

            foreach (Summary summary in summaries)
            {
                if (summary.HasCriticalValidationErrors)
                {
                    Console.Error.WriteLine("Critical validation errors: " + string.Join("; ", summary.ValidationErrors.Select(e => e.Message)));
                    status = 1;
                }

                foreach (BenchmarkReport report in summary.Reports.Where(r => !r.Success))
                {
                    Console.Error.WriteLine($"Benchmark failed: {report.BenchmarkCase.DisplayInfo}");
                    status = 1;
                }
            }
        }

        var paired = new List<PairedResult>();
        if (benchmarks && !args.Contains("--no-paired") && (!filtered || pairedFilter is not null))
        {
            Console.WriteLine("// Paired ABBA comparison of every twin");
            paired.AddRange(await PairedScenario.RunAsync(quick ? ScenarioSizes.Quick : ScenarioSizes.Full, PairedFilter(pairedFilter), quick));
        }

        var scenarioResults = new List<ScenarioResult>();
        if (scenarios && !filtered)
        {
            ScenarioSizes sizes = quick ? ScenarioSizes.Quick : ScenarioSizes.Full;
            Console.WriteLine("// Scenario: throughput");
            scenarioResults.AddRange(await ThroughputScenario.RunAsync(sizes));
            Console.WriteLine("// Scenario: listing scaling");
            scenarioResults.AddRange(await ListingScalingScenario.RunAsync(sizes));
            Console.WriteLine("// Scenario: history drain");
            scenarioResults.AddRange(await DrainScenario.RunAsync(sizes));
            Console.WriteLine("// Scenario: cluster (throughput on 3 primaries, WAIT cost, failover)");
            scenarioResults.AddRange(await ClusterScenario.RunAsync(sizes));
            Console.WriteLine("// Scenario: check (StorageCheck keys/s and a concurrent client's latency)");
            scenarioResults.AddRange(await CheckScenario.RunAsync(sizes));
            foreach (ScenarioResult r in scenarioResults)
            {
                Console.WriteLine($"{r.Scenario,-10} {r.Case,-50} library {r.Library,12:N1} baseline {r.Baseline,12:N1} {r.Unit} ({r.Detail})");
            }
        }

        if (Environment.GetEnvironmentVariable("ZNDRAW_BENCH_DEBUG") == "1")
        {
            Console.WriteLine("round-trip keys: " + string.Join(", ", RoundTripCounts.All.Keys));
        }

        string written = await SummaryWriter.WriteAsync(outDir, mode, started, summaries, paired, scenarioResults);
        Console.WriteLine($"// Summary written to {written}");
        return status;
    }

    /// <summary>Classes whose name contains the filter text, or any of its comma-separated parts.</summary>
    private static Func<Type, bool>? PairedFilter(string? filter) =>
        filter is null ? null : t => filter.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Any(f => t.Name.Contains(f, StringComparison.Ordinal));
}
