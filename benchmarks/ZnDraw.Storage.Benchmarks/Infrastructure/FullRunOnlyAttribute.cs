namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// BenchmarkDotNet measures this class in the full run only, to keep the quick (CI) run under five minutes; the quick
/// run still measures every pair of the class with the paired scenario (time ratio and A/A control), so no twin rots.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class FullRunOnlyAttribute : Attribute;
