namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>One measured figure of a scenario (not a BenchmarkDotNet benchmark): library, raw or reference, and the unit.</summary>
public sealed record ScenarioResult(string Scenario, string Case, double Library, double Baseline, string Unit, string Detail)
{
    /// <summary>Library ÷ baseline, or the paired ratio when the scenario measured one (<see cref="PairedRatio"/>).</summary>
    public double Ratio => PairedRatio ?? (Baseline == 0 ? double.NaN : Library / Baseline);

    /// <summary>The median over ABBA blocks of library ÷ baseline, when the scenario interleaves the two.</summary>
    public double? PairedRatio { get; init; }
}

/// <summary>Mode-dependent sizes of the scenarios.</summary>
public sealed record ScenarioSizes(TimeSpan ThroughputRound, int ThroughputRounds, int ListingRepeats, int ScanRepeats, int DrainEvents, int[] UnrelatedKeys, int PairedBlock = 32, int PairedBlocks = 400)
{
    /// <summary>Time budget of one paired comparison.</summary>
    public TimeSpan PairedBudget { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Warm-up of both sides of a pair, alternating, before its blocks (tiered JIT promotes both paths).</summary>
    public TimeSpan PairedWarmup { get; init; } = TimeSpan.FromMilliseconds(400);

    public static ScenarioSizes Quick { get; } = new(TimeSpan.FromSeconds(1), 2, 20, 3, 10_000, [0, 100_000, 1_000_000])
    {
        PairedBudget = TimeSpan.FromSeconds(0.5),
        PairedWarmup = TimeSpan.FromMilliseconds(250),
    };

    public static ScenarioSizes Full { get; } = new(TimeSpan.FromSeconds(1.5), 6, 100, 5, 50_000, [0, 100_000, 1_000_000]);
}
