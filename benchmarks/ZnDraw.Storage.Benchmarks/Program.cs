using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;

namespace ZnDraw.Storage.Benchmarks;

/// <summary>Entry point: <c>--quick</c> selects short jobs; other arguments go to BenchmarkDotNet.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var quick = args.Contains("--quick");
        var rest = args.Where(a => a != "--quick").ToArray();
        var config = DefaultConfig.Instance
            .WithOptions(ConfigOptions.JoinSummary)
            .AddJob(quick ? Job.ShortRun.WithId("quick") : Job.Default.WithId("full"));
        if (rest.Length == 0)
        {
            rest = ["--filter", "*"];
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }
}
