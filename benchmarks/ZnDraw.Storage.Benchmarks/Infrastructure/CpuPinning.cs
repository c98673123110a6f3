using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// Pins processes to CPUs with <c>taskset -a -p</c> (every thread of the process; threads made later inherit it), to
/// emulate on one 2-core machine what a deployment has on separate hosts: the server and its other clients on one CPU,
/// the process under test (an operator's tool) on the other, so that what the other clients measure is the load the
/// process puts on the server, not its competition with them for the same CPU.
/// </summary>
internal static class CpuPinning
{
    /// <summary>Whether pinning can be done here: at least two CPUs and <c>taskset</c>.</summary>
    public static bool IsAvailable { get; } = Environment.ProcessorCount >= 2 && Run("taskset", "-V");

    /// <summary>Every CPU of the machine, as <c>taskset</c> takes it.</summary>
    public static string AllCpus { get; } = string.Create(CultureInfo.InvariantCulture, $"0-{Environment.ProcessorCount - 1}");

    /// <summary>Pins every thread of process <paramref name="pid"/> to <paramref name="cpus"/> (<c>taskset</c>'s list form).</summary>
    /// <exception cref="InvalidOperationException">taskset failed.</exception>
    public static void Pin(int pid, string cpus)
    {
        if (!Run("taskset", "-a", "-p", "-c", cpus, pid.ToString(CultureInfo.InvariantCulture)))
        {
            throw new InvalidOperationException($"taskset could not pin process {pid} to CPUs {cpus}.");
        }
    }

    /// <summary>The process id of the Redis server behind <paramref name="server"/> (INFO server's <c>process_id</c>; a server on this machine).</summary>
    public static async Task<int> ServerProcessIdAsync(IServer server) =>
        int.Parse((await BenchmarkRedis.InfoAsync(server, "server"))["process_id"], CultureInfo.InvariantCulture);

    private static bool Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            using Process process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // not installed
        }
    }
}
