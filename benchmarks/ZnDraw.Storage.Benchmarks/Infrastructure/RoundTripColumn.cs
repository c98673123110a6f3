using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>A summary column with the round trips one call made (counted in the class's global setup), and its commands.</summary>
public sealed class RoundTripColumn : IColumn
{
    public string Id => "RoundTrips";

    public string ColumnName => "Round trips";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Round trips of one call (StackExchange.Redis profiling; a batch, MULTI/EXEC or EVALSHA counts once), then its commands";

    public static RoundTripCount? For(BenchmarkCase benchmarkCase) =>
        RoundTripCounts.All.TryGetValue(
            RoundTripCounts.Key(benchmarkCase.Descriptor.Type, benchmarkCase.Descriptor.WorkloadMethod.Name, benchmarkCase.Parameters.PrintInfo),
            out RoundTripCount? count) ? count : null;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => Format(For(benchmarkCase));

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public static string Format(RoundTripCount? count) =>
        count is null ? "-" : $"{count.RoundTrips} ({string.Join(" ", count.Commands)})";
}
