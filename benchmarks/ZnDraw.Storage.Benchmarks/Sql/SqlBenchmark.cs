using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Sql.Repositories;

namespace ZnDraw.Storage.Benchmarks.Sql;

/// <summary>
/// Base of the SQL twins: a fresh database per class and dialect (a temp SQLite file, or a new PostgreSQL database on
/// ZNDRAW_POSTGRES), migrated with <c>MigrateStorageDatabaseAsync</c>; the library's repositories come from the same DI
/// set-up a host uses (ephemeral state in Redis under a fresh prefix). A twin opens its own connections with the
/// connection string the library uses (so both share one pool) and issues the same statements by hand.
/// </summary>
/// <remarks>
/// Round trips are counted outside the library: on PostgreSQL one per activity of Npgsql's <c>ActivitySource</c> (one
/// per command or batch sent); on SQLite (in process) one per statement SQLite starts, traced on each connection's
/// handle (the library's connections through <see cref="SqlStoreContext.ConnectionOpened"/>, the twin's in
/// <see cref="OpenAsync"/>).
/// </remarks>
[PairedBudget(0.6)]
public abstract class SqlBenchmark : RedisBenchmark
{
    /// <summary>SQLite (a temp file) or PostgreSQL (a fresh database).</summary>
    [Params("sqlite", "postgres")]
    public string Dialect { get; set; } = "sqlite";

    private ServiceProvider? _provider;
    private NpgsqlDataSource? _postgres;
    private string _connectionString = string.Empty;
    private string? _file;
    private string? _database;

    /// <inheritdoc/>
    public override bool Available => Dialect != "postgres" || HistoryDatabases.Postgres is not null;

    /// <summary>True on PostgreSQL.</summary>
    protected bool IsPostgres => Dialect == "postgres";

    /// <summary>The library's services (repositories resolve to the SQL implementations).</summary>
    protected IServiceProvider Services => _provider!;

    /// <inheritdoc/>
    protected override string ParameterText() => "Dialect=" + Dialect;

    /// <summary>Creates and migrates the database and the services, then writes the data (<see cref="SeedAsync"/>).</summary>
    protected sealed override async Task SetupAsync()
    {
        string efConnection;
        if (IsPostgres)
        {
            string admin = HistoryDatabases.Postgres ?? throw new InvalidOperationException("ZNDRAW_POSTGRES is not set.");
            _database = "zndraw_bench_" + Guid.NewGuid().ToString("N")[..16];
            await using (var connection = new NpgsqlConnection(admin))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{_database}\"", connection);
                await create.ExecuteNonQueryAsync();
            }

            efConnection = new NpgsqlConnectionStringBuilder(admin) { Database = _database }.ToString();
            _connectionString = efConnection;
            _postgres = NpgsqlDataSource.Create(_connectionString);
        }
        else
        {
            _file = HistoryDatabases.NewSqliteFile();
            efConnection = new SqliteConnectionStringBuilder { DataSource = _file }.ToString();

            // What SqlStoreContext opens: the twin shares its pool.
            _connectionString = new SqliteConnectionStringBuilder(efConnection) { Pooling = true }.ToString();
        }

        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<IConnectionMultiplexer>(BenchmarkRedis.Connection);
        services.AddZnDrawStorage(o =>
            {
                o.KeyPrefix = string.Create(CultureInfo.InvariantCulture, $"b{Guid.NewGuid():N}:");
                o.IndexReconciliation.Enabled = false;
            })
            .AddSqlStorage(sql => _ = IsPostgres ? sql.UseNpgsql(efConnection) : sql.UseSqlite(efConnection), o => o.ReconcileOnStart = false);
        _provider = services.BuildServiceProvider();
        await _provider.MigrateStorageDatabaseAsync();
        await SeedAsync();
    }

    /// <summary>Writes the data the benchmarks read (through the library).</summary>
    protected abstract Task SeedAsync();

    /// <summary>Drops the database.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _provider?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _postgres?.Dispose();
        if (_file is not null)
        {
            SqliteConnection.ClearAllPools();
            foreach (string f in new[] { _file, _file + "-wal", _file + "-shm" })
            {
                File.Delete(f);
            }
        }

        if (_database is not null)
        {
            NpgsqlConnection.ClearAllPools();
            using var connection = new NpgsqlConnection(HistoryDatabases.Postgres);
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_database}\" WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
    }

    /// <summary>What a hand-written caller does first: opens a pooled connection (the library's connection string).</summary>
    protected async ValueTask<DbConnection> OpenAsync()
    {
        DbConnection connection = _postgres is not null ? _postgres.CreateConnection() : new SqliteConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        if (s_counting)
        {
            Trace(connection);
        }

        return connection;
    }

    /// <summary>Adds a parameter, as a hand-written caller does.</summary>
    protected static void Add(DbCommand command, string name, object? value)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    private static volatile bool s_counting;
    private static int s_statements;
    private static readonly List<string> Sent = [];

    /// <inheritdoc/>
    protected override void CountRoundTrips(string parameters)
    {
        s_counting = true;
        SqlStoreContext.ConnectionOpened = Trace;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = a =>
            {
                Interlocked.Increment(ref s_statements);
                lock (Sent)
                {
                    Sent.Add(a.DisplayName);
                }
            },
        };
        if (IsPostgres)
        {
            ActivitySource.AddActivityListener(listener);
        }

        try
        {
            RoundTripCounts.CountAll(this, parameters, MeasureAsync);
            if (Environment.GetEnvironmentVariable("ZNDRAW_BENCH_DEBUG") == "1")
            {
                foreach (var (key, count) in RoundTripCounts.All.Where(e => e.Key.StartsWith(GetType().Name + ".", StringComparison.Ordinal) && e.Key.EndsWith(parameters + ")", StringComparison.Ordinal)))
                {
                    Console.WriteLine($"round trips {key}: {count.RoundTrips} ({string.Join(" | ", count.Commands)})");
                }
            }
        }
        finally
        {
            s_counting = false;
            SqlStoreContext.ConnectionOpened = null;

            // The traced SQLite handles leave the pool: the timed calls run on untraced connections.
            SqliteConnection.ClearAllPools();
        }
    }

    private static async Task<RoundTripCount> MeasureAsync(Func<Task> call)
    {
        Interlocked.Exchange(ref s_statements, 0);
        lock (Sent)
        {
            Sent.Clear();
        }

        await call().ConfigureAwait(false);
        lock (Sent)
        {
            return new RoundTripCount(Volatile.Read(ref s_statements), [.. Sent]);
        }
    }

    private static void Trace(DbConnection connection)
    {
        if (connection is SqliteConnection sqlite)
        {
            SQLitePCL.raw.sqlite3_trace(sqlite.Handle, static (_, statement) =>
            {
                if (s_counting)
                {
                    Interlocked.Increment(ref s_statements);
                    string text = statement.utf8_to_string().ReplaceLineEndings(" ").Trim();
                    lock (Sent)
                    {
                        Sent.Add(text.Length > 24 ? text[..24] : text);
                    }
                }
            }, null);
        }
    }
}
