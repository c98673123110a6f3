using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Testing;

/// <summary>An empty history database for one test class, removed afterwards.</summary>
public interface ITestDatabase : IAsyncLifetime
{
    /// <summary>Chooses this database for <c>AddSqlHistory</c> / <c>AddSqlStorage</c> (<c>UseSqlite</c> or <c>UseNpgsql</c>).</summary>
    void Configure(SqlDatabaseBuilder builder);
}

/// <summary>A SQLite file in a fresh temporary folder; the folder is deleted afterwards.</summary>
public sealed class SqliteTestDatabase : ITestDatabase
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zndraw-history-" + Guid.NewGuid().ToString("N"));

    public string ConnectionString => new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(_folder, "history.db"),
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    public void Configure(SqlDatabaseBuilder builder) => builder.UseSqlite(ConnectionString);

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }
}

/// <summary>
/// A database with a random name on the test PostgreSQL (<c>ZNDRAW_POSTGRES</c>, a role with
/// CREATEDB), created empty and dropped afterwards.
/// </summary>
public sealed class PostgresTestDatabase : ITestDatabase
{
    private readonly string _name = "zndraw_history_" + Guid.NewGuid().ToString("N")[..16];

    public string ConnectionString { get; private set; } = string.Empty;

    public void Configure(SqlDatabaseBuilder builder) => builder.UseNpgsql(ConnectionString);

    public async Task InitializeAsync()
    {
        var admin = PostgresServer.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = _name }.ToString();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await PostgresServer.EnsureRunningAsync();
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>The test PostgreSQL server: its address, and stop/start for the fault tests.</summary>
public static class PostgresServer
{
    public const string EnvironmentVariable = "ZNDRAW_POSTGRES";
    public const string ControlVariable = "ZNDRAW_POSTGRES_CTL";

    public static string ConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return string.IsNullOrWhiteSpace(value)
                ? throw new InvalidOperationException(
                    $"Integration tests need a PostgreSQL server, and {EnvironmentVariable} is not set. " +
                    "Run ./scripts/test.sh (it starts a throwaway PostgreSQL and sets it), or set it to an Npgsql " +
                    "connection string of a role with CREATEDB.")
                : value;
        }
    }

    private static bool s_stopped;

    /// <summary>Stops the server (fast shutdown, waits until it is down).</summary>
    public static async Task StopAsync()
    {
        var (pgCtl, dataDir) = Control();
        NpgsqlConnection.ClearAllPools();
        await RunAsync(pgCtl, ["-D", dataDir, "stop", "-m", "fast", "-w", "-t", "30"], dataDir);
        s_stopped = true;
    }

    /// <summary>Starts the server again on the same port and socket folder, waiting until it accepts connections.</summary>
    public static async Task StartAsync()
    {
        var (pgCtl, dataDir) = Control();
        var port = new NpgsqlConnectionStringBuilder(ConnectionString).Port;
        var socketDir = Path.GetDirectoryName(dataDir.TrimEnd('/'))!;
        var options = string.Create(
            CultureInfo.InvariantCulture,
            $"-c listen_addresses=127.0.0.1 -p {port} -k {socketDir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        await RunAsync(pgCtl, ["-D", dataDir, "-l", Path.Combine(socketDir, "postgres-restart.log"), "-w", "-t", "30", "-o", options, "start"], dataDir);
        s_stopped = false;
    }

    /// <summary>Starts the server if a test stopped it and did not start it again.</summary>
    public static async Task EnsureRunningAsync()
    {
        if (s_stopped)
        {
            await StartAsync();
        }
    }

    private static (string PgCtl, string DataDir) Control()
    {
        var value = Environment.GetEnvironmentVariable(ControlVariable);
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new InvalidOperationException(
                $"The PostgreSQL fault tests need {ControlVariable} ('<pg_ctl> -D <data dir>'), which ./scripts/test.sh sets.");
        }

        var at = value.IndexOf(" -D ", StringComparison.Ordinal);
        return at < 0
            ? throw new InvalidOperationException($"{ControlVariable} must look like '<pg_ctl> -D <data dir>' (is '{value}').")
            : (value[..at].Trim(), value[(at + 4)..].Trim());
    }

    /// <summary>Runs a PostgreSQL program (<c>pg_ctl</c>, <c>initdb</c>) as the <c>postgres</c> user when root, in the data folder's parent; throws on a non-zero exit.</summary>
    internal static async Task RunAsync(string pgCtl, string[] args, string dataDir)
    {
        var root = Environment.UserName == "root";
        var start = new ProcessStartInfo(root ? "runuser" : pgCtl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dataDir.TrimEnd('/'))!,
        };
        if (root)
        {
            foreach (var a in new[] { "-u", "postgres", "--", pgCtl })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("pg_ctl did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctl {string.Join(' ', args)} failed ({process.ExitCode}): {await output} {await error}");
        }
    }
}
