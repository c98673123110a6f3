using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// A PostgreSQL server of one test's own (as <c>scripts/services.sh</c> starts the shared one: <c>initdb</c> and
/// <c>pg_ctl</c>, as the <c>postgres</c> user when root, a free loopback port, fsync off), so that a test may stop it
/// while the other tests go on with the shared server. Removed with its folder on dispose.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _bin;
    private readonly string _base;
    private readonly string _data;

    private PrivatePostgres(string bin, string folder, int port)
    {
        _bin = bin;
        _base = folder;
        _data = Path.Combine(folder, "data");
        Port = port;
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; }

    /// <summary>An Npgsql connection string of the superuser (trust authentication on loopback).</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Database=postgres;Username=postgres;Timeout=5");

    /// <summary>Creates a cluster in a fresh temporary folder and starts it.</summary>
    public static async Task<PrivatePostgres> StartAsync()
    {
        var bin = FindBin();
        var folder = Path.Combine(Path.GetTempPath(), "zndraw-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", ["postgres", folder]);
        }

        var server = new PrivatePostgres(bin, folder, OwnRedisServer.FreePort());
        try
        {
            await PostgresServer.RunAsync(Path.Combine(bin, "initdb"),
                ["-D", server._data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions"], server._data);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (fast shutdown, waits until it is down).</summary>
    public async Task StopAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresServer.RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "stop", "-m", "fast", "-w", "-t", "30"], _data);
    }

    /// <summary>Starts the server (again) on its port, waiting until it accepts connections.</summary>
    public Task StartAgainAsync()
    {
        var options = string.Create(
            CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {Port} -k {_base} -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        return PostgresServer.RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "-l", Path.Combine(_base, "postgres.log"), "-w", "-t", "30", "-o", options, "start"], _data);
    }

    /// <summary>Stops the server if it runs (immediate shutdown) and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(_data, "postmaster.pid")))
        {
            try
            {
                await PostgresServer.RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", _data, "stop", "-m", "immediate", "-w", "-t", "30"], _data);
            }
            catch (InvalidOperationException)
            {
                // Already down.
            }
        }

        Directory.Delete(_base, recursive: true);
    }

    /// <summary>The folder of <c>pg_ctl</c> and <c>initdb</c>: the one of <c>ZNDRAW_POSTGRES_CTL</c>, else the newest installed PostgreSQL.</summary>
    private static string FindBin()
    {
        var control = Environment.GetEnvironmentVariable(PostgresServer.ControlVariable);
        if (!string.IsNullOrWhiteSpace(control) && control.IndexOf(" -D ", StringComparison.Ordinal) is var at and > 0)
        {
            var dir = Path.GetDirectoryName(control[..at].Trim());
            if (dir is not null && File.Exists(Path.Combine(dir, "initdb")))
            {
                return dir;
            }
        }

        var root = Path.Combine(Path.DirectorySeparatorChar + "usr", "lib", "postgresql");
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            $"A private PostgreSQL needs initdb and pg_ctl: set {PostgresServer.ControlVariable} (./scripts/test.sh does) or install PostgreSQL.");
    }

    internal static async Task RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await error}");
        }
    }
}
