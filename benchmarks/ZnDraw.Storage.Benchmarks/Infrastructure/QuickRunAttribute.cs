namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// BenchmarkDotNet measures this class in the quick (CI) run too: the CPU-only pairs (nothing else measures them) and
/// one representative class of network twins, so that the BenchmarkDotNet path never rots. Every other class is
/// measured by BenchmarkDotNet in the full run only; the quick run still times every twin with the paired comparison
/// (time, A/A control, allocations) and counts its round trips, which keeps it under five minutes.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class QuickRunAttribute : Attribute;
