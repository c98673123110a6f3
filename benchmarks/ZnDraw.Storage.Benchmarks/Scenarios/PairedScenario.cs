using System.Diagnostics;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using ZnDraw.Storage.Benchmarks.Infrastructure;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// Paired, interleaved A/B measurement of every library call against its raw twin: the same <c>X_once</c> methods
/// the BenchmarkDotNet classes time, but alternated in short blocks (raw, library, library, raw, …) so that machine
/// drift between two consecutive BenchmarkDotNet benchmarks (seconds apart on a shared 2-core machine) cannot pass
/// for library overhead. Reports the median over blocks of (library block time ÷ raw block time). An A/A control
/// (the raw twin against itself) shows the noise floor of the method.
/// </summary>
internal static class PairedScenario
{
    /// <param name="sizes">The mode's sizes.</param>
    /// <param name="include">Which classes (all when null).</param>
    /// <param name="quick">The quick run: on the cluster only the [ClusterTwins(Quick = true)] classes.</param>
    /// <param name="clusterOnly">Only the runs on the cluster.</param>
    public static async Task<List<PairedResult>> RunAsync(ScenarioSizes sizes, Func<Type, bool>? include = null, bool quick = false, bool clusterOnly = false)
    {
        var results = new List<PairedResult>();
        Type[] classes =
        [
            .. typeof(PairedScenario).Assembly.GetTypes()
                .Where(t => t.IsClass && !t.IsAbstract && t.IsPublic && typeof(RedisBenchmark).IsAssignableFrom(t))
                .Where(t => include is null || include(t))
                .OrderBy(t => t.Name, StringComparer.Ordinal),
        ];
        if (!clusterOnly)
        {
            await RunClassesAsync(classes, sizes, results).ConfigureAwait(false);
        }

        // The same twins on the cluster ([ClusterTwins]; the quick run: the representative subset).
        Type[] clusterClasses = [.. classes.Where(t => t.GetCustomAttribute<ClusterTwinsAttribute>() is { } c && (!quick || c.Quick))];
        if (clusterClasses.Length > 0 && !BenchmarkCluster.Available)
        {
            Console.WriteLine($"paired on the cluster: skipped ({BenchmarkCluster.EnvironmentVariable} is not set)");
        }
        else if (clusterClasses.Length > 0)
        {
            BenchmarkCluster.Active = true;
            try
            {
                await RunClassesAsync(clusterClasses, sizes, results).ConfigureAwait(false);
            }
            finally
            {
                BenchmarkCluster.Active = false;
            }
        }

        return results;
    }

    private static async Task RunClassesAsync(Type[] classes, ScenarioSizes sizes, List<PairedResult> results)
    {
        foreach (Type type in classes)
        {
            ScenarioSizes typeSizes = type.GetCustomAttribute<PairedBudgetAttribute>() is { } budget
                ? sizes with { PairedBudget = sizes.PairedBudget * budget.Share }
                : sizes;
            foreach (object? parameter in ParameterValues(type))
            {
                var instance = (RedisBenchmark)Activator.CreateInstance(type)!;
                string parameterText = string.Empty;
                if (parameter is not null)
                {
                    (MemberInfo member, object value) = ((MemberInfo, object))parameter;
                    SetMember(instance, member, value);
                    parameterText = $"{member.Name}={value}";
                }

                if (BenchmarkCluster.Active)
                {
                    parameterText = RedisBenchmark.ClusterParameters(parameterText);
                }

                if (!instance.Available)
                {
                    Console.WriteLine($"paired {type.Name} {parameterText}: skipped (its server was not started)");
                    continue;
                }

                instance.GlobalSetup();
                try
                {
                    foreach ((string category, MethodInfo rawBenchmark, MethodInfo raw, MethodInfo libBenchmark, MethodInfo lib) in Pairs(type))
                    {
                        Func<Task> rawCall = Bind(instance, raw);
                        Func<Task> libCall = Bind(instance, lib);
                        Action? cleanup = IterationCleanup(instance);
                        PairedResult r = await MeasureAsync(type, category, parameterText, rawBenchmark.Name, libBenchmark.Name, rawCall, libCall, cleanup, typeSizes).ConfigureAwait(false);
                        results.Add(r);
                        Console.WriteLine($"paired {r.Name,-50} {r.Ratio:0.000}× ({r.Detail})");
                    }
                }
                finally
                {
                    foreach (MethodInfo m in type.GetMethods().Where(m => m.GetCustomAttribute<GlobalCleanupAttribute>() is not null))
                    {
                        m.Invoke(instance, null);
                    }
                }
            }
        }
    }

    private static async Task<PairedResult> MeasureAsync(
        Type type, string category, string parameters, string rawName, string libName, Func<Task> raw, Func<Task> lib, Action? cleanup, ScenarioSizes sizes)
    {
        // Warm both sides, then size the blocks from the measured call time: a block lasts about 2 ms (at most
        // PairedBlock calls), and the whole pair gets a fixed time budget (PairedBlocks blocks at most, 9 at least).
        // Warm-up by time (PairedWarmup: quick 250 ms, full 400 ms; alternating), so tiered JIT has promoted both paths before the
        // first block: a short count-based warm-up left the first pair of a run reading high.
        double perCall;
        long warmStart = Stopwatch.GetTimestamp();
        while (Stopwatch.GetElapsedTime(warmStart) < sizes.PairedWarmup)
        {
            await TimeAsync(raw, 4).ConfigureAwait(false);
            await TimeAsync(lib, 4).ConfigureAwait(false);
            cleanup?.Invoke();
        }

        perCall = await TimeAsync(raw, 4).ConfigureAwait(false) / 4;
        cleanup?.Invoke();
        int block = Math.Clamp((int)(2000 / Math.Max(perCall, 1)), 1, sizes.PairedBlock);
        int blocks = Math.Clamp((int)(sizes.PairedBudget.TotalMicroseconds / (4 * block * Math.Max(perCall, 1))), 9, sizes.PairedBlocks);
        for (int i = 0; i < block * 4; i++)
        {
            await raw().ConfigureAwait(false);
            await lib().ConfigureAwait(false);
        }

        cleanup?.Invoke();
        var ratios = new double[blocks];
        var control = new double[blocks];
        var rawTimes = new double[blocks];
        var libTimes = new double[blocks];
        for (int b = 0; b < blocks; b++)
        {
            // ABBA order: each side runs first half of the time, so a trend inside a block cancels out.
            double r1, l1, l2, r2;
            if ((b & 1) == 0)
            {
                r1 = await TimeAsync(raw, block).ConfigureAwait(false);
                l1 = await TimeAsync(lib, block).ConfigureAwait(false);
                l2 = await TimeAsync(lib, block).ConfigureAwait(false);
                r2 = await TimeAsync(raw, block).ConfigureAwait(false);
            }
            else
            {
                l1 = await TimeAsync(lib, block).ConfigureAwait(false);
                r1 = await TimeAsync(raw, block).ConfigureAwait(false);
                r2 = await TimeAsync(raw, block).ConfigureAwait(false);
                l2 = await TimeAsync(lib, block).ConfigureAwait(false);
            }

            cleanup?.Invoke();
            ratios[b] = (l1 + l2) / (r1 + r2);
            control[b] = r2 / r1;
            rawTimes[b] = (r1 + r2) / (2.0 * block);
            libTimes[b] = (l1 + l2) / (2.0 * block);
        }

        // Allocations per call, process-wide (what BenchmarkDotNet's MemoryDiagnoser counts too, so the client's own
        // allocations on its reader count for both sides alike): five alternating rounds, the median of each side.
        var rawBytes = new double[5];
        var libBytes = new double[5];
        int allocCalls = Math.Max(16, block * 2);
        for (int i = 0; i < rawBytes.Length; i++)
        {
            rawBytes[i] = await AllocatedPerCallAsync(raw, allocCalls).ConfigureAwait(false);
            libBytes[i] = await AllocatedPerCallAsync(lib, allocCalls).ConfigureAwait(false);
            cleanup?.Invoke();
        }

        return new PairedResult(type, category, parameters, rawName, libName, Median(ratios), Median(control), Median(rawTimes), Median(libTimes), blocks, block)
        {
            RawBytes = Median(rawBytes),
            LibraryBytes = Median(libBytes),
        };
    }

    private static async Task<double> AllocatedPerCallAsync(Func<Task> call, int count)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < count; i++)
        {
            await call().ConfigureAwait(false);
        }

        return (GC.GetTotalAllocatedBytes(precise: true) - before) / (double)count;
    }

    private static async Task<double> TimeAsync(Func<Task> call, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            await call().ConfigureAwait(false);
        }

        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }

    private static IEnumerable<(string Category, MethodInfo RawBenchmark, MethodInfo Raw, MethodInfo LibBenchmark, MethodInfo Lib)> Pairs(Type type)
    {
        var benchmarks = type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Select(m => (Method: m, Attr: m.GetCustomAttribute<BenchmarkAttribute>(), Cat: m.GetCustomAttribute<BenchmarkCategoryAttribute>()))
            .Where(x => x.Attr is not null && x.Cat is not null)
            .ToList();
        foreach (var group in benchmarks.GroupBy(x => x.Cat!.Categories[0], StringComparer.Ordinal))
        {
            var baseline = group.FirstOrDefault(x => x.Attr!.Baseline);
            if (baseline.Method is null)
            {
                continue;
            }

            foreach (var other in group.Where(x => !x.Attr!.Baseline))
            {
                MethodInfo? rawOnce = type.GetMethod(baseline.Method.Name + "_once");
                MethodInfo? libOnce = type.GetMethod(other.Method.Name + "_once");
                if (rawOnce is not null && libOnce is not null)
                {
                    yield return (group.Key, baseline.Method, rawOnce, other.Method, libOnce);
                }
            }
        }
    }

    private static Func<Task> Bind(object instance, MethodInfo method)
    {
        Type ret = method.ReturnType;
        if (ret == typeof(Task) || (ret.IsGenericType && ret.GetGenericTypeDefinition() == typeof(Task<>)))
        {
            // Every side goes through one async adapter of the same shape, whatever task type it returns.
            var f = (Func<Task>)Delegate.CreateDelegate(typeof(Func<Task>), instance, method);
            return async () => await f().ConfigureAwait(false);
        }

        if (ret == typeof(ValueTask))
        {
            var f = (Func<ValueTask>)Delegate.CreateDelegate(typeof(Func<ValueTask>), instance, method);
            return async () => await f().ConfigureAwait(false);
        }

        if (ret.IsGenericType && ret.GetGenericTypeDefinition() == typeof(ValueTask<>))
        {
            MethodInfo adapt = typeof(PairedScenario).GetMethod(nameof(AdaptValueTask), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(ret.GetGenericArguments()[0]);
            return (Func<Task>)adapt.Invoke(null, [instance, method])!;
        }

        throw new InvalidOperationException($"{method.Name}: unsupported return type {ret}.");
    }

    private static Func<Task> AdaptValueTask<T>(object instance, MethodInfo method)
    {
        var f = (Func<ValueTask<T>>)Delegate.CreateDelegate(typeof(Func<ValueTask<T>>), instance, method);
        return async () => await f().ConfigureAwait(false);
    }

    private static Action? IterationCleanup(object instance)
    {
        MethodInfo? m = instance.GetType().GetMethods().FirstOrDefault(m => m.GetCustomAttribute<IterationCleanupAttribute>() is not null);
        return m is null ? null : () => m.Invoke(instance, null);
    }

    private static IEnumerable<object?> ParameterValues(Type type)
    {
        MemberInfo? member = type.GetMembers(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(m => m.GetCustomAttribute<ParamsAttribute>() is not null);
        if (member is null)
        {
            yield return null;
            yield break;
        }

        foreach (object? value in member.GetCustomAttribute<ParamsAttribute>()!.Values)
        {
            yield return (member, value!);
        }
    }

    private static void SetMember(object instance, MemberInfo member, object value)
    {
        switch (member)
        {
            case PropertyInfo p:
                p.SetValue(instance, value);
                break;
            case FieldInfo f:
                f.SetValue(instance, value);
                break;
        }
    }
}

/// <summary>
/// One paired comparison: the median over ABBA blocks of library time ÷ raw time, the A/A control (the raw twin's
/// second run ÷ its first in the same block: the noise floor), and the median per-call times.
/// </summary>
public sealed record PairedResult(
    Type Class, string Category, string Parameters, string RawMethod, string LibraryMethod, double Ratio, double Control, double RawMicroseconds, double LibraryMicroseconds, int Blocks, int BlockSize)
{
    /// <summary>Category, parameters and (when a category has several library methods) the method.</summary>
    public string Name => (string.IsNullOrEmpty(Parameters) ? Category : $"{Category} ({Parameters})") + (LibraryMethod.StartsWith("Lib_", StringComparison.Ordinal) ? string.Empty : " " + LibraryMethod);

    /// <summary>Bytes allocated per raw call (process-wide, median of five rounds).</summary>
    public double RawBytes { get; init; }

    /// <summary>Bytes allocated per library call (process-wide, median of five rounds).</summary>
    public double LibraryBytes { get; init; }

    /// <summary>How it was measured, for the summary.</summary>
    public string Detail =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Blocks} ABBA blocks of {BlockSize} calls; raw {RawMicroseconds:0.0} µs, library {LibraryMicroseconds:0.0} µs per call; A/A control {Control:0.000}×; raw {RawBytes:0} B, library {LibraryBytes:0} B per call");
}
