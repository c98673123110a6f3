using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// A redis-server child process a test owns: started on a loopback port without persistence, killed with SIGKILL (a
/// crash, not a shutdown), started again on the same port, and stopped with its folder deleted on dispose. Only the
/// process it started is ever signalled.
/// </summary>
public sealed class OwnRedisServer : IAsyncDisposable
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(10);

    private readonly string? _password;
    private readonly string[] _arguments;
    private readonly bool _ownsDirectory;
    private Process? _process;

    private OwnRedisServer(int port, string? password, string directory, bool ownsDirectory, IEnumerable<string> arguments)
    {
        Port = port;
        _password = password;
        Directory = directory;
        _ownsDirectory = ownsDirectory;
        _arguments = [.. arguments];
    }

    /// <summary>The loopback port.</summary>
    public int Port { get; private set; }

    /// <summary>The server's address for StackExchange.Redis (<c>127.0.0.1:port</c>).</summary>
    public string Endpoint => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The server's working folder (its log is <c>redis.log</c> there).</summary>
    public string Directory { get; }

    /// <summary>True while the process this object started is running.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts a server and waits until it answers <c>PING</c> (after <c>AUTH</c> with <paramref name="password"/>). Without
    /// a <paramref name="port"/> a free one is chosen, and another one if it was taken before the server could bind it.
    /// </summary>
    /// <param name="port">The port, or null for a free one (whose cluster bus port, +10000, is free too).</param>
    /// <param name="password">The <c>requirepass</c>, or null for none.</param>
    /// <param name="arguments">More redis-server arguments (e.g. <c>--cluster-enabled yes</c>).</param>
    /// <param name="directory">The working folder (created when missing and kept on dispose), or null for a temporary one deleted on dispose.</param>
    public static async Task<OwnRedisServer> StartAsync(int? port = null, string? password = null, IEnumerable<string>? arguments = null, string? directory = null)
    {
        bool owns = directory is null;
        directory ??= System.IO.Directory.CreateTempSubdirectory("zndraw-redis-").FullName;
        System.IO.Directory.CreateDirectory(directory);
        var server = new OwnRedisServer(port ?? FreePort(), password, directory, owns, arguments ?? []);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await server.RestartAsync();
                return server;
            }
            catch (InvalidOperationException) when (port is null && attempt < 5 && server.LogSays("Address already in use"))
            {
                server.Port = FreePort();
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>A loopback port nothing listens on, whose cluster bus port (+10000) is free too.</summary>
    public static int FreePort()
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            int port = Bind(0, out TcpListener first);
            try
            {
                if (port + 10000 <= IPEndPoint.MaxPort && Bind(port + 10000, out TcpListener bus) > 0)
                {
                    bus.Stop();
                    return port;
                }
            }
            catch (SocketException)
            {
                // the bus port is taken: try another
            }
            finally
            {
                first.Stop();
            }
        }

        throw new InvalidOperationException("No free loopback port with a free cluster bus port was found.");
    }

    /// <summary>Starts the server (again) on its port, in its folder, and waits until this very process answers.</summary>
    /// <exception cref="InvalidOperationException">It exited or did not answer within 10 s.</exception>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException($"redis-server on port {Port} is already running.");
        }

        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, WorkingDirectory = Directory };
        string[] standard =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", string.Empty,
            "--appendonly", "no", "--dir", Directory, "--logfile", Path.Combine(Directory, "redis.log"),
        ];
        foreach (string argument in standard.Concat(_password is null ? [] : ["--requirepass", _password]).Concat(_arguments))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        var clock = Stopwatch.StartNew();
        while (!await IsOursAsync())
        {
            if (_process.HasExited || clock.Elapsed > StartBound)
            {
                bool exited = _process.HasExited;
                await KillAsync();
                throw new InvalidOperationException($"redis-server on port {Port} did not answer (exited: {exited}); see redis.log in its folder.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Kills the server with SIGKILL (a crash, not a shutdown) and waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    /// <summary>Sends one command to this server (with its password) and returns the reply (see <see cref="RespCommand"/>).</summary>
    public Task<object?> CommandAsync(params string[] arguments) => RespCommand.SendAsync(Port, _password, CancellationToken.None, arguments);

    /// <summary>Kills the server and deletes its folder when it created it.</summary>
    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        if (_ownsDirectory && System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    private static int Bind(int port, out TcpListener listener)
    {
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool LogSays(string text)
    {
        string log = Path.Combine(Directory, "redis.log");
        return File.Exists(log) && File.ReadAllText(log).Contains(text, StringComparison.Ordinal);
    }

    /// <summary>True when the server on the port answers and is this process (not a stranger that took the port).</summary>
    private async Task<bool> IsOursAsync()
    {
        try
        {
            string info = (string)(await CommandAsync("INFO", "server"))!;
            return info.Contains($"process_id:{_process!.Id.ToString(CultureInfo.InvariantCulture)}\r\n", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or RespErrorException)
        {
            return false; // not listening yet, or still loading
        }
    }
}
