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
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}

/// <summary>The test PostgreSQL server: its address, and the <c>pg_ctl</c>/<c>initdb</c> runner of the private servers (<see cref="PrivatePostgres"/>).</summary>
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
