using System.Collections.Concurrent;
using System.Reflection;
using BenchmarkDotNet.Attributes;
using StackExchange.Redis;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>What one call of a benchmark method sent: its commands and how many round trips they took.</summary>
public sealed record RoundTripCount(int RoundTrips, IReadOnlyList<string> Commands);

/// <summary>
/// The round trips of every benchmark method, counted once per parameter set in the class's global setup with the test
/// kit's counter (<see cref="ZnDraw.Storage.Testing.RoundTrips"/>, the one the tests assert with): a round trip is a wave
/// of commands sent before any reply of that wave arrived (one command, a pipelined batch, one MULTI/EXEC block or one
/// EVALSHA each count as one; "send, await, send again" counts as two).
/// </summary>
public static class RoundTripCounts
{
    private static readonly ConcurrentDictionary<string, RoundTripCount> Results = new(StringComparer.Ordinal);

    /// <summary>Counts per "Type.Method" (and parameters, e.g. "FrameBenchmarks.Raw_range(Frames=1000)").</summary>
    public static IReadOnlyDictionary<string, RoundTripCount> All => Results;

    public static string Key(Type type, string method, string parameters) =>
        string.IsNullOrEmpty(parameters) ? $"{type.Name}.{method}" : $"{type.Name}.{method}({parameters})";

    /// <summary>Records a count measured by another counter (the SQL twins count database commands, not Redis waves).</summary>
    public static void Record(string key, RoundTripCount count) => Results[key] = count;

    /// <summary>Runs <paramref name="call"/> once under a profiling session and returns what it sent.</summary>
    public static async Task<RoundTripCount> MeasureAsync(Func<Task> call)
    {
        RoundTrips.Measurement m = await RoundTrips.MeasureAsync(BenchmarkCluster.Current, call).ConfigureAwait(false);
        return new RoundTripCount(m.RoundTrips, m.CommandNames);
    }

    /// <summary>
    /// Calls every [Benchmark] method of <paramref name="instance"/> once (warm: scripts loaded, pools primed), then
    /// once more under profiling, and records the counts under the instance's current parameters.
    /// </summary>
    public static void CountAll(object instance, string parameters) =>
        CountAll(instance, parameters, MeasureAsync);

    /// <summary>As <see cref="CountAll(object, string)"/>, with another counter (e.g. database commands).</summary>
    public static void CountAll(object instance, string parameters, Func<Func<Task>, Task<RoundTripCount>> measure)
    {
        Type type = instance.GetType();
        foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance))
        {
            if (method.GetCustomAttribute<BenchmarkAttribute>() is null)
            {
                continue;
            }

            // BenchmarkDotNet's in-process toolchain runs an emitted subclass: key by the declaring class.
            string key = Key(method.DeclaringType ?? type, method.Name, parameters);
            if (Results.ContainsKey(key))
            {
                continue;
            }

            // A benchmark "X" repeats "X_once" Ops times; one call is "X_once".
            MethodInfo once = type.GetMethod(method.Name + "_once", BindingFlags.Public | BindingFlags.Instance) ?? method;
            Invoke(instance, once).GetAwaiter().GetResult();
            RoundTripCount count = measure(() => Invoke(instance, once)).GetAwaiter().GetResult();
            Results[key] = count;
        }
    }

    private static Task Invoke(object instance, MethodInfo method)
    {
        object? result = method.Invoke(instance, null);
        return result switch
        {
            null => Task.CompletedTask,
            Task task => task,
            ValueTask valueTask => valueTask.AsTask(),
            _ when result.GetType().IsGenericType && result.GetType().GetGenericTypeDefinition() == typeof(ValueTask<>) =>
                (Task)result.GetType().GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(result, null)!,
            _ => Task.CompletedTask,
        };
    }
}

/// <summary>
/// Base of every benchmark class that talks to Redis: shares the multiplexer, runs the derived setup, verifies that
/// the twins return equal results, and counts the round trips of each method once per parameter set.
/// </summary>
public abstract class RedisBenchmark
{
    /// <summary>
    /// Calls per benchmark invocation. Each benchmark awaits its one-call method (<c>X_once</c>) this many times in a
    /// loop, so library and raw calls are awaited the same way (an <c>await</c> in the caller), whatever task type
    /// they return, and the harness's own blocking wait is shared by 16 calls.
    /// </summary>
    public const int Ops = 16;

    /// <summary>The database of the twins: <paramref name="db"/> on the one server, the cluster's only database while <see cref="BenchmarkCluster.Active"/>.</summary>
    protected static IDatabase Db(int db = BenchmarkRedis.MainDb) =>
        BenchmarkCluster.Active ? BenchmarkCluster.Connection.GetDatabase() : BenchmarkRedis.Connection.GetDatabase(db);

    /// <summary>
    /// The head of a room's key names as a raw twin writes them: <c>room:{id}</c> (ZnDraw's layout), or
    /// <c>room:{{id}}</c> (the cluster-safe layout's hash tag) while <see cref="BenchmarkCluster.Active"/>. Twins build
    /// their key names once, in setup, from this head.
    /// </summary>
    protected static string Room(string roomId) => BenchmarkCluster.Active ? "room:{" + roomId + "}" : "room:" + roomId;

    /// <summary><see cref="Room(string)"/> and <c>:</c> in one concatenation, for twins that build it per call.</summary>
    protected static string RoomBase(string roomId) => BenchmarkCluster.Active ? "room:{" + roomId + "}:" : "room:" + roomId + ":";

    /// <summary><c>room:{id}:{suffix}</c> (hash-tagged on the cluster) in one concatenation, for twins that build it per call.</summary>
    protected static string RoomKey(string roomId, string suffix) =>
        BenchmarkCluster.Active ? string.Concat("room:{", roomId, "}:", suffix) : string.Concat("room:", roomId, ":", suffix);

    /// <summary>A job hash as a raw twin writes it: <c>job:{id}</c>, or <c>job:{{room}}:{id}</c> in the cluster-safe layout.</summary>
    protected static string JobHash(string roomId, string jobId) => BenchmarkCluster.Active ? "job:{" + roomId + "}:" + jobId : "job:" + jobId;

    protected static async Task Repeat<T>(Func<Task<T>> call)
    {
        for (int i = 0; i < Ops; i++)
        {
            await call().ConfigureAwait(false);
        }
    }

    protected static async Task Repeat(Func<Task> call)
    {
        for (int i = 0; i < Ops; i++)
        {
            await call().ConfigureAwait(false);
        }
    }

    protected static async Task Repeat<T>(Func<ValueTask<T>> call)
    {
        for (int i = 0; i < Ops; i++)
        {
            await call().ConfigureAwait(false);
        }
    }

    protected static async Task Repeat(Func<ValueTask> call)
    {
        for (int i = 0; i < Ops; i++)
        {
            await call().ConfigureAwait(false);
        }
    }

    [GlobalSetup]
    public void GlobalSetup()
    {
        SetupAsync().GetAwaiter().GetResult();
        VerifyAsync().GetAwaiter().GetResult();
        CountRoundTrips(BenchmarkCluster.Active ? ClusterParameters(ParameterText()) : ParameterText());
        AfterCountAsync().GetAwaiter().GetResult();
    }

    /// <summary>The parameter text of a run on the cluster: <paramref name="parameters"/> and <see cref="BenchmarkCluster.Parameter"/>.</summary>
    public static string ClusterParameters(string parameters) =>
        string.IsNullOrEmpty(parameters) ? BenchmarkCluster.Parameter : parameters + ", " + BenchmarkCluster.Parameter;

    /// <summary>Counts the round trips of every benchmark method once (Redis: the profiling session's waves).</summary>
    protected virtual void CountRoundTrips(string parameters) => RoundTripCounts.CountAll(this, parameters);

    /// <summary>False when the server this class needs was not started (the paired comparison skips the class).</summary>
    public virtual bool Available => true;

    /// <summary>Writes the data the benchmarks read.</summary>
    protected abstract Task SetupAsync();

    /// <summary>Throws when a raw twin does not produce what the library produces (same keys, same decoding).</summary>
    protected virtual Task VerifyAsync() => Task.CompletedTask;

    /// <summary>Restores state the round-trip pass changed, if any.</summary>
    protected virtual Task AfterCountAsync() => Task.CompletedTask;

    /// <summary>The parameters in BenchmarkDotNet's display form (e.g. <c>Frames=1000</c>), empty when none.</summary>
    protected virtual string ParameterText() => string.Empty;

    protected static void Same<T>(T library, T raw, string what)
    {
        if (!EqualityComparer<T>.Default.Equals(library, raw))
        {
            throw new InvalidOperationException($"{what}: the raw twin returned {raw}, the library {library}.");
        }
    }

    protected static void SameSequence<T>(IEnumerable<T> library, IEnumerable<T> raw, string what)
    {
        if (!library.SequenceEqual(raw))
        {
            throw new InvalidOperationException($"{what}: the raw twin's sequence differs from the library's.");
        }
    }
}
