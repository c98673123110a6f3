using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Samples.Tests.Infrastructure;

/// <summary>
/// The web API sample, started in-process over real HTTP (the test server) with its configuration
/// replaced by <paramref name="settings"/>; environment <paramref name="environment"/>, by default <c>Testing</c>
/// (so no appsettings.Development.json).
/// </summary>
public sealed class SampleApp(IReadOnlyDictionary<string, string?> settings, string environment = "Testing") : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(environment);
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
    }
}

/// <summary>The addresses of the test servers, from the variables that <c>scripts/test.sh</c> exports.</summary>
public static class TestServers
{
    public const string RedisVariable = "ZNDRAW_REDIS";
    public const string PostgresVariable = "ZNDRAW_POSTGRES";

    /// <summary>The test Redis (<c>host:port</c>); a missing address fails the test with how to get one.</summary>
    public static string Redis => Require(RedisVariable, "Redis", "redis-server --port 6390 --save ''", "127.0.0.1:6390");

    /// <summary>The test PostgreSQL (an Npgsql connection string of a role with CREATEDB).</summary>
    public static string Postgres => Require(PostgresVariable, "PostgreSQL", "a PostgreSQL with a CREATEDB role",
        "Host=127.0.0.1;Port=5432;Database=zndraw;Username=zndraw;Password=zndraw");

    private static string Require(string variable, string server, string howToStart, string example)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value)
            ? throw new InvalidOperationException(
                $"The sample tests need a {server} server, and {variable} is not set. Run ./scripts/test.sh " +
                $"(it installs and starts throwaway servers), or start {howToStart} yourself and set {variable}={example}.")
            : value;
    }
}

/// <summary>The sample with history in an SQLite file in a temporary folder, deleted afterwards.</summary>
public sealed class SqliteHistoryApp : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zndraw-samples-" + Guid.NewGuid().ToString("N"));
    private SampleApp? _app;

    public SampleApp App => _app ?? throw new InvalidOperationException("The app fixture is not initialised.");

    public Task InitializeAsync()
    {
        var redis = TestServers.Redis;
        Directory.CreateDirectory(_folder);
        var sqlite = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(_folder, "history.db"),
            Pooling = false,
            DefaultTimeout = 30,
        };
        _app = new SampleApp(new Dictionary<string, string?>
        {
            ["ZnDrawStorage:ConnectionString"] = redis,
            ["History:Sqlite"] = sqlite.ToString(),
        });
        _ = _app.Server; // starts the host: options validated, Redis connected, migrations applied
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

/// <summary>The sample with history in a fresh PostgreSQL database, dropped afterwards.</summary>
public sealed class PostgresHistoryApp : IAsyncLifetime
{
    private SampleApp? _app;
    private NpgsqlConnectionStringBuilder? _database;

    public SampleApp App => _app ?? throw new InvalidOperationException("The app fixture is not initialised.");

    public Task InitializeAsync()
    {
        var redis = TestServers.Redis;
        _database = new NpgsqlConnectionStringBuilder(TestServers.Postgres)
        {
            Database = "zndraw_sample_" + Guid.NewGuid().ToString("N")[..16],
        };
        _app = new SampleApp(new Dictionary<string, string?>
        {
            ["ZnDrawStorage:ConnectionString"] = redis,
            ["History:Postgres"] = _database.ToString(),
        });
        _ = _app.Server; // the migration creates the database
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(TestServers.Postgres);
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database.Database}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>
/// The sample without any history store. It sets no ZnDrawStorage connection string, so it also proves
/// the sample's fallback to <c>ZNDRAW_REDIS</c>.
/// </summary>
public sealed class NoHistoryApp : IAsyncLifetime
{
    private SampleApp? _app;

    public SampleApp App => _app ?? throw new InvalidOperationException("The app fixture is not initialised.");

    public Task InitializeAsync()
    {
        _ = TestServers.Redis;
        _app = new SampleApp(new Dictionary<string, string?>
        {
            ["History:Sqlite"] = string.Empty,
            ["History:Postgres"] = string.Empty,
        });
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}

/// <summary>
/// The sample without history, its keys under a prefix of its own (so that listing rooms sees only this
/// fixture's rooms), in the given environment (default <c>Testing</c>); the rooms are deleted afterwards.
/// </summary>
public class RoomsApp : IAsyncLifetime
{
    private readonly string _environment;
    private SampleApp? _app;

    public RoomsApp()
        : this("Testing")
    {
    }

    protected RoomsApp(string environment) => _environment = environment;

    /// <summary>Settings added to (or overriding) the fixture's own, e.g. a hybrid storage database.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> ExtraSettings => [];

    public SampleApp App => _app ?? throw new InvalidOperationException("The app fixture is not initialised.");

    public Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ZnDrawStorage:ConnectionString"] = TestServers.Redis,
            ["ZnDrawStorage:KeyPrefix"] = $"samples-test-{Guid.NewGuid():N}:",
            ["History:Sqlite"] = string.Empty, // also over appsettings.Development.json
            ["History:Postgres"] = string.Empty,
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }

        _app = new SampleApp(settings, _environment);
        _ = _app.Server;
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync()
    {
        if (_app is null)
        {
            return;
        }

        var rooms = _app.Services.GetRequiredService<IRoomRepository>();
        foreach (var room in await rooms.ListAllAsync())
        {
            await rooms.DeleteAsync(room);
        }

        await _app.DisposeAsync();
    }
}

/// <summary>The sample with hybrid storage: users and rooms (and the history) in a fresh SQLite file, removed afterwards.</summary>
public sealed class HybridRoomsApp : RoomsApp
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zndraw-samples-" + Guid.NewGuid().ToString("N"));

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string?>> ExtraSettings
    {
        get
        {
            Directory.CreateDirectory(_folder);
            yield return new("Storage:Sqlite", new SqliteConnectionStringBuilder { DataSource = Path.Combine(_folder, "zndraw.db") }.ToString());
        }
    }

    /// <inheritdoc/>
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
