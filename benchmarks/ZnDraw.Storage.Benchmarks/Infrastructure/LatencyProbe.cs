using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using StackExchange.Redis;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// "Another client" of a Redis, in a process of its own (this executable started with <c>--latency-probe</c>), so that
/// what it measures is the server's answer time and not the measuring process's thread pool: <see cref="Callers"/>
/// callers GET one key, each with 1 ms think time, each GET timed. The parent names phases on the probe's standard
/// input (one name per line); every sample belongs to the phase that was current when its GET was sent. When the input
/// closes, the probe prints one line per phase: its name and every sample in µs.
/// </summary>
internal sealed class LatencyProbe : IAsyncDisposable
{
    private const string Argument = "--latency-probe";
    private const string Ready = "ready";
    private const string ProbeKey = "bench:latency";

    /// <summary>How many callers the probe runs (each about 300-500 GETs/s: enough samples for a p99 of a short phase).</summary>
    private const int Callers = 8;

    /// <summary>How many phases a probe can have.</summary>
    private const int MaxPhases = 64;

    private readonly Process _process;

    private LatencyProbe(Process process) => _process = process;

    /// <summary>Whether <paramref name="args"/> start the probe (the child side).</summary>
    public static bool IsProbe(string[] args) => args.Length > 0 && args[0] == Argument;

    /// <summary>Starts the probe against <paramref name="connection"/>, database <paramref name="database"/>, and waits until it has warmed up.</summary>
    public static async Task<LatencyProbe> StartAsync(string connection, int database)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (string.Equals(Path.GetFileNameWithoutExtension(Environment.ProcessPath), "dotnet", StringComparison.Ordinal))
        {
            start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location); // run as "dotnet X.dll"
        }

        start.ArgumentList.Add(Argument);
        start.ArgumentList.Add(connection);
        start.ArgumentList.Add(database.ToString(CultureInfo.InvariantCulture));
        Process process = Process.Start(start) ?? throw new InvalidOperationException("the latency probe did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != Ready)
        {
            process.Kill();
            throw new InvalidOperationException($"the latency probe answered '{line}' instead of '{Ready}'.");
        }

        return new LatencyProbe(process);
    }

    /// <summary>The probe's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a new phase: the GETs sent from now on count for <paramref name="name"/>.</summary>
    public async Task PhaseAsync(string name)
    {
        await _process.StandardInput.WriteLineAsync(name);
        await _process.StandardInput.FlushAsync();
    }

    /// <summary>Ends the probe and returns each phase's GET times (µs).</summary>
    public async Task<Dictionary<string, double[]>> StopAsync()
    {
        _process.StandardInput.Close();
        var phases = new Dictionary<string, double[]>(StringComparer.Ordinal);
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            phases[parts[0]] = [.. parts.Skip(1).Select(static v => double.Parse(v, CultureInfo.InvariantCulture))];
        }

        await _process.WaitForExitAsync();
        return phases;
    }

    /// <summary>The <paramref name="p"/> quantile (0-1) of <paramref name="samples"/> (NaN when there are none).</summary>
    public static double Percentile(IEnumerable<double> samples, double p)
    {
        double[] sorted = [.. samples.Order()];
        return sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    /// <summary>The probe itself: <c>--latency-probe CONNECTION DATABASE</c>.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        await using ConnectionMultiplexer client = await ConnectionMultiplexer.ConnectAsync(args[1]);
        IDatabase db = client.GetDatabase(int.Parse(args[2], CultureInfo.InvariantCulture));
        await db.StringSetAsync(ProbeKey, "x");

        var names = new List<string> { "warm-up" };
        var samples = new List<double>[MaxPhases][]; // allocated up front: the callers index it while phases begin
        for (int i = 0; i < MaxPhases; i++)
        {
            samples[i] = [.. Enumerable.Range(0, Callers).Select(static _ => new List<double>(1 << 14))];
        }

        int current = 0;
        using var stop = new CancellationTokenSource();
        Task[] callers = new Task[Callers];
        for (int c = 0; c < callers.Length; c++)
        {
            int caller = c;
            callers[c] = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    List<double> into = samples[Volatile.Read(ref current)][caller];
                    long t = Stopwatch.GetTimestamp();
                    await db.StringGetAsync(ProbeKey);
                    into.Add(Stopwatch.GetElapsedTime(t).TotalMicroseconds);
                    await Task.Delay(1); // a client with think time, not a saturating load
                }
            });
        }

        await Task.Delay(TimeSpan.FromSeconds(1)); // JIT and connection warm-up, not reported
        Console.WriteLine(Ready);
        while (Console.ReadLine() is { } name && names.Count < MaxPhases)
        {
            names.Add(name);
            Volatile.Write(ref current, names.Count - 1);
        }

        await stop.CancelAsync();
        await Task.WhenAll(callers);
        for (int i = 1; i < names.Count; i++)
        {
            Console.WriteLine(names[i] + " " + string.Join(' ', samples[i].SelectMany(static s => s).Select(static v => v.ToString("0.0", CultureInfo.InvariantCulture))));
        }

        return 0;
    }
}
