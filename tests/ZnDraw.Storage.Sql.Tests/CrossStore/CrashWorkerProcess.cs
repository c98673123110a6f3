using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ZnDraw.Storage.CrashWorker;

namespace ZnDraw.Storage.Sql.Tests.CrossStore;

/// <summary>
/// One run of the crash worker (<c>ZnDraw.Storage.CrashWorker.dll</c>, copied into this test's output folder by the
/// project reference): started with <c>dotnet</c>, its journal read line by line, killed with SIGKILL.
/// </summary>
internal sealed class CrashWorkerProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<string> _journal = new();
    private readonly StringBuilder _errors = new();

    private CrashWorkerProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            if (e.Data == CrashWorkload.Ready)
            {
                _ready.TrySetResult();
            }
            else
            {
                _journal.Enqueue(e.Data);
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
    }

    /// <summary>The journal lines (everything but <c>ready</c>), complete once <see cref="KillAsync"/> returned.</summary>
    public IReadOnlyCollection<string> Journal => _journal;

    /// <summary>Starts the worker: <c>dotnet ZnDraw.Storage.CrashWorker.dll DATABASE REDIS PREFIX SEED</c>.</summary>
    public static CrashWorkerProcess Start(string database, string redis, string keyPrefix, int seed)
    {
        string worker = Path.Combine(AppContext.BaseDirectory, "ZnDraw.Storage.CrashWorker.dll");
        if (!File.Exists(worker))
        {
            throw new FileNotFoundException("The crash worker is built beside the tests (project reference); it is missing.", worker);
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true, // held open: the worker exits when it closes (this process is gone)
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (string argument in new[] { worker, database, redis, keyPrefix, seed.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var run = new CrashWorkerProcess(process);
        if (!process.Start())
        {
            throw new InvalidOperationException("The crash worker did not start.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return run;
    }

    /// <summary>Waits for <c>ready</c>; fails with the worker's error output if it exits first.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        Task exited = _process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(_ready.Task, exited) != _ready.Task)
        {
            await exited; // surfaces a cancellation (the test's time bound)
            throw new InvalidOperationException($"The crash worker exited ({_process.ExitCode}) before it was ready:\n{Errors}");
        }

        StartProcessorTime = _process.TotalProcessorTime;
    }

    /// <summary>Fails if the worker stopped on its own (a workload error) instead of running until killed.</summary>
    public void EnsureRunning()
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"The crash worker failed ({_process.ExitCode}) before it was killed:\n{Errors}");
        }
    }

    /// <summary>The processor time the worker used until it was ready (its start: runtime, DI, EF Core, connections).</summary>
    public TimeSpan StartProcessorTime { get; private set; }

    /// <summary>SIGKILLs the worker (this process only) and waits until it is gone and its output is read.</summary>
    public async Task KillAsync()
    {
        EnsureRunning();
        _process.Kill(entireProcessTree: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        _process.Dispose();
    }

    private string Errors
    {
        get
        {
            lock (_errors)
            {
                return _errors.ToString();
            }
        }
    }

    /// <summary>The <c>dotnet</c> that runs these tests (the CLI sets <c>DOTNET_HOST_PATH</c>), else <c>dotnet</c> on the path.</summary>
    private static string DotnetHost()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? current = Environment.ProcessPath;
        return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
    }
}
