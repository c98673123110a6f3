using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>What a command needs opened.</summary>
[Flags]
internal enum StoreNeeds
{
    /// <summary>Only the services (nothing connected).</summary>
    None = 0,

    /// <summary>A connected Redis (rooms, users, extensions, jobs...).</summary>
    Redis = 1,

    /// <summary>The SQL history (<c>AddSqlHistory</c>): --sql-provider and --sql are required.</summary>
    SqlHistory = 2,
}

/// <summary>
/// The library, registered as a server registers it (<c>AddZnDrawStorage("redis")</c> on the run's configuration, plus
/// <c>AddSqlHistory</c> / <c>AddSqlStorage</c> when configured), in a host that is built but never started: no hosted
/// service runs (no index reconciler, no history dispatcher, no migration, no start-up reconcile). The tool connects
/// Redis itself (fail fast, asynchronously) and registers that multiplexer, which the library then reuses.
/// </summary>
/// <remarks>
/// Commands take repositories and services from <see cref="Services"/> (<c>store.Get&lt;RoomService&gt;()</c>);
/// <see cref="Redis"/> is there for what the library has no call for.
/// </remarks>
internal sealed class ToolStore : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly ConnectionMultiplexer? _redis;

    private ToolStore(IHost host, ZnDrawStorageOptions options, ConnectionMultiplexer? redis, SqlProviderKind sqlProvider, SqlStorageGroups sqlStorage)
    {
        _host = host;
        Options = options;
        _redis = redis;
        SqlProvider = sqlProvider;
        SqlStorage = sqlStorage;
    }

    /// <summary>The root service provider (never started).</summary>
    public IServiceProvider Services => _host.Services;

    /// <summary>The library's options as bound and validated.</summary>
    public ZnDrawStorageOptions Options { get; }

    /// <summary>The key space (prefix and layout) of the options.</summary>
    public KeySpace Keys => Services.GetRequiredService<KeySpace>();

    /// <summary>The SQL provider configured, if any.</summary>
    public SqlProviderKind SqlProvider { get; }

    /// <summary>The groups read from SQL (hybrid storage).</summary>
    public SqlStorageGroups SqlStorage { get; }

    /// <summary>The connected multiplexer.</summary>
    /// <exception cref="InvalidOperationException">The store was opened without <see cref="StoreNeeds.Redis"/>.</exception>
    public IConnectionMultiplexer Redis => _redis ?? throw new InvalidOperationException("The store was opened without Redis (StoreNeeds.Redis).");

    /// <summary>The endpoints of the Redis connection string, for messages (never the password).</summary>
    public string RedisEndpoints { get; private set; } = string.Empty;

    /// <summary>A registered service.</summary>
    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>
    /// Builds the services from <paramref name="configuration"/> and opens what <paramref name="needs"/> says.
    /// </summary>
    /// <exception cref="ToolException">A setting is missing, Redis is unreachable, or the layout does not fit the server.</exception>
    /// <exception cref="OptionsValidationException">A library option is invalid (the message names the setting).</exception>
    public static async Task<ToolStore> OpenAsync(IConfiguration configuration, StoreNeeds needs, CancellationToken cancellationToken) =>
        await OpenAsync(configuration, needs, verbose: false, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc cref="OpenAsync(IConfiguration, StoreNeeds, CancellationToken)"/>
    /// <param name="configuration">The run's configuration.</param>
    /// <param name="needs">What to open.</param>
    /// <param name="verbose">Log the library's (and EF Core's) information messages too, not only warnings and errors.</param>
    /// <param name="cancellationToken">Bounds the connect.</param>
    public static async Task<ToolStore> OpenAsync(IConfiguration configuration, StoreNeeds needs, bool verbose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var sqlProvider = ToolConfiguration.SqlProvider(configuration);
        var sqlStorage = ToolConfiguration.SqlStorage(configuration);
        var sqlConnection = configuration.GetConnectionString(ToolConfiguration.SqlConnectionName);
        bool wantsSql = needs.HasFlag(StoreNeeds.SqlHistory) || sqlStorage != SqlStorageGroups.None;
        if (wantsSql && (sqlProvider == SqlProviderKind.None || string.IsNullOrWhiteSpace(sqlConnection)))
        {
            throw new ToolException(
                ExitCodes.Usage,
                (needs.HasFlag(StoreNeeds.SqlHistory) ? "this command reads the SQL history" : $"--sql-storage {sqlStorage} reads users or rooms from SQL")
                + ": pass --sql-provider sqlite|postgresql and --sql <connection string> "
                + $"(or set {ToolConfiguration.SqlProviderKey} and ConnectionStrings:{ToolConfiguration.SqlConnectionName}).");
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ApplicationName = "zndraw-storage",
        });
        builder.Configuration.AddConfiguration(configuration);
        // What the library logs (e.g. a listing that skipped an unreadable room, naming the key) reaches the operator:
        // one line each on standard error, so standard output stays the result.
        builder.Logging.ClearProviders();
        // Without --verbose only the library's own warnings: EF Core and Npgsql log a failed command as an error, which
        // the tool reports itself in one line.
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        if (!verbose)
        {
            builder.Logging.AddFilter((category, level) =>
                level >= LogLevel.Warning && category is not null && category.StartsWith("ZnDraw.", StringComparison.Ordinal));
        }

        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
            o.ColorBehavior = Microsoft.Extensions.Logging.Console.LoggerColorBehavior.Disabled;
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        var holder = new MultiplexerHolder();
        // Registered before AddZnDrawStorage resolves anything: the library reuses a host's multiplexer and never disposes it.
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => holder.Multiplexer
            ?? throw new ToolException(ExitCodes.Failure, "this command did not open Redis (StoreNeeds.Redis)."));
        var storage = builder.AddZnDrawStorage(ToolConfiguration.RedisConnectionName);
        if (needs.HasFlag(StoreNeeds.SqlHistory))
        {
            storage.AddSqlHistory(sql => UseProvider(sql, sqlProvider, sqlConnection!));
        }

        if (sqlStorage != SqlStorageGroups.None)
        {
            storage.AddSqlStorage(sql => UseProvider(sql, sqlProvider, sqlConnection!), o =>
            {
                o.Groups = sqlStorage;
                o.MigrateOnStart = false;
                o.ReconcileOnStart = false;
            });
        }

        var host = builder.Build();
        try
        {
            // Resolving the options runs the library's validators (OptionsValidationException names the setting).
            var options = host.Services.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
            ConnectionMultiplexer? redis = null;
            string endpoints = string.Empty;
            if (needs.HasFlag(StoreNeeds.Redis))
            {
                (redis, endpoints) = await ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                holder.Multiplexer = redis;
            }

            var store = new ToolStore(host, options, redis, sqlProvider, sqlStorage) { RedisEndpoints = endpoints };
            if (redis is not null)
            {
                store.CheckLayoutAgainstServer();
            }

            return store;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }

    /// <summary>
    /// ZnDraw's own layout spreads a room's keys over slots: on a Redis Cluster every multi-key call would fail with
    /// CROSSSLOT. Said before any command runs.
    /// </summary>
    private void CheckLayoutAgainstServer()
    {
        if (Options.Layout == KeyLayout.ZnDraw
            && Redis.GetServers().Any(static s => s.IsConnected && s.ServerType == ServerType.Cluster))
        {
            throw new ToolException(
                ExitCodes.WrongLayout,
                $"wrong layout: {RedisEndpoints} is a Redis Cluster, which needs the cluster-safe layout; pass --layout cluster-safe (ZnDrawStorage:Layout = ClusterSafe).");
        }
    }

    private static async Task<(ConnectionMultiplexer Redis, string Endpoints)> ConnectAsync(ZnDrawStorageOptions options, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            throw new ToolException(
                ExitCodes.Usage,
                $"no Redis connection string: pass --redis host:port, or set ConnectionStrings:{ToolConfiguration.RedisConnectionName} "
                + $"(environment: ConnectionStrings__{ToolConfiguration.RedisConnectionName}) or ZnDrawStorage:ConnectionString.");
        }

        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ToolException(ExitCodes.Usage, $"invalid Redis connection string: {ex.Message}", ex);
        }

        configuration.AbortOnConnectFail = true;

        // An operator's connection: StackExchange.Redis's admin commands are allowed (INFO tells servers apart, e.g.
        // migrate layout refusing the source's own server under another address); the tool sends no destructive one.
        configuration.AllowAdmin = true;
        string endpoints = string.Join(", ", configuration.EndPoints.Select(Describe));
        try
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(configuration).WaitAsync(cancellationToken).ConfigureAwait(false);
            return (redis, endpoints);
        }
        catch (RedisConnectionException ex)
        {
            throw new ToolException(
                ExitCodes.Unavailable,
                $"Redis unreachable: could not connect to {endpoints} within {configuration.ConnectTimeout} ms ({ex.FailureType}); "
                + "check --redis (host, port, password) and that Redis runs there.",
                ex);
        }
    }

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => ip.ToString(),
        _ => endpoint.ToString() ?? "?",
    };

    private static void UseProvider(SqlDatabaseBuilder sql, SqlProviderKind provider, string connectionString)
    {
        switch (provider)
        {
            case SqlProviderKind.Sqlite:
                RequireSqliteFile(connectionString);
                sql.UseSqlite(connectionString);
                break;
            case SqlProviderKind.PostgreSql:
                sql.UseNpgsql(connectionString);
                break;
            default:
                throw new ToolException(ExitCodes.Usage, "no SQL provider: pass --sql-provider sqlite|postgresql.");
        }
    }

    /// <summary>
    /// SQLite creates a missing database file on open: a mistyped path would read as an empty history and leave a file
    /// behind. The tool only reads, so a file that is not there is an error.
    /// </summary>
    private static void RequireSqliteFile(string connectionString)
    {
        Microsoft.Data.Sqlite.SqliteConnectionStringBuilder builder;
        try
        {
            builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ToolException(ExitCodes.Usage, $"invalid SQLite connection string: {ex.Message}", ex);
        }

        string file = builder.DataSource;
        bool inMemory = builder.Mode == Microsoft.Data.Sqlite.SqliteOpenMode.Memory
            || file.Length == 0 || file == ":memory:" || file.StartsWith("file:", StringComparison.OrdinalIgnoreCase);
        if (!inMemory && !File.Exists(file))
        {
            throw new ToolException(ExitCodes.Unavailable, $"SQLite database not found: {Path.GetFullPath(file)} (check --sql).");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable asyncHost)
        {
            await asyncHost.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            _host.Dispose();
        }

        if (_redis is not null)
        {
            await _redis.CloseAsync(allowCommandsToComplete: true).ConfigureAwait(false);
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class MultiplexerHolder
    {
        public ConnectionMultiplexer? Multiplexer { get; set; }
    }
}
