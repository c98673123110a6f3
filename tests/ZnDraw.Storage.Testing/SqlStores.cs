using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// The SQL backends under test: the chosen groups in a fresh SQLite file or a fresh PostgreSQL database per store, the
/// ephemeral state in Redis under a fresh prefix. The schema comes from the migrations, applied once to a template that
/// every store copies (a file copy, or <c>CREATE DATABASE ... TEMPLATE</c>).
/// </summary>
public static class SqlStores
{
    /// <summary>Users and rooms in a SQLite file.</summary>
    /// <param name="redis">The Redis of the ephemeral state.</param>
    /// <param name="groups">The groups kept in SQL.</param>
    /// <param name="configure">Changes the SQL storage options.</param>
    /// <param name="extend">Adds to the storage builder (e.g. <c>b =&gt; b.AddHistory(...)</c>).</param>
    public static IStoreFactory Sqlite(
        RedisFixture redis, SqlStorageGroups groups = SqlStorageGroups.All, Action<SqlStorageOptions>? configure = null, Action<IZnDrawStorageBuilder>? extend = null) =>
        new SqlStoreFactory("sql-sqlite", redis, new SqliteDatabases(), groups, configure, extend);

    /// <summary>Users and rooms in a PostgreSQL database (<c>ZNDRAW_POSTGRES</c>).</summary>
    /// <param name="redis">The Redis of the ephemeral state.</param>
    /// <param name="groups">The groups kept in SQL.</param>
    /// <param name="configure">Changes the SQL storage options.</param>
    /// <param name="extend">Adds to the storage builder (e.g. <c>b =&gt; b.AddHistory(...)</c>).</param>
    public static IStoreFactory Postgres(
        RedisFixture redis, SqlStorageGroups groups = SqlStorageGroups.All, Action<SqlStorageOptions>? configure = null, Action<IZnDrawStorageBuilder>? extend = null) =>
        new SqlStoreFactory("sql-postgres", redis, PostgresDatabases.Instance, groups, configure, extend);

    /// <summary>Where a store's database comes from.</summary>
    internal interface IDatabases
    {
        /// <summary>Creates a fresh, migrated database and returns its provider choice and its removal.</summary>
        Task<(Action<SqlDatabaseBuilder> Configure, Func<Task> Drop)> CreateAsync();
    }

    private sealed class SqlStoreFactory(
        string name, RedisFixture redis, IDatabases databases, SqlStorageGroups groups, Action<SqlStorageOptions>? configureSql, Action<IZnDrawStorageBuilder>? extend) : IStoreFactory
    {
        public string Name { get; } = groups == SqlStorageGroups.All ? name : $"{name}-{groups.ToString().ToLowerInvariant()}";

        public StoreCapabilities Capabilities { get; } = new(SharesKeySpaceWithOtherTests: false, ListingsAtomicWithWrites: true);

        public async Task<TestStore> CreateAsync(FakeTimeProvider? time = null, Action<ZnDrawStorageOptions>? configure = null)
        {
            time ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var (configureDatabase, drop) = await databases.CreateAsync();
            var services = new ServiceCollection();
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(redis.Connection);
            services.AddSingleton<TimeProvider>(time);
            var storage = services.AddZnDrawStorage(o =>
                {
                    o.KeyPrefix = string.Create(CultureInfo.InvariantCulture, $"t{Guid.NewGuid():N}:");
                    o.IndexReconciliation.Enabled = false;
                    configure?.Invoke(o);
                })
                .AddSqlStorage(configureDatabase, o =>
                {
                    o.Groups = groups;
                    o.ReconcileOnStart = false; // a store under test never reconciles behind the test's back
                    configureSql?.Invoke(o);
                });
            extend?.Invoke(storage);
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            return new TestStore(provider, time, Name, drop);
        }

        public override string ToString() => Name;
    }

    /// <summary>SQLite: one migrated template file per process, copied per store into its own temporary folder.</summary>
    private sealed class SqliteDatabases : IDatabases
    {
        private static readonly SemaphoreSlim Gate = new(1, 1);
        private static string? s_template;

        public async Task<(Action<SqlDatabaseBuilder>, Func<Task>)> CreateAsync()
        {
            var template = await TemplateAsync();
            var folder = Path.Combine(Path.GetTempPath(), "zndraw-sql-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            var file = Path.Combine(folder, "zndraw.db");
            File.Copy(template, file);
            var connectionString = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 30 }.ToString();
            return (sql => sql.UseSqlite(connectionString), () =>
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
                return Task.CompletedTask;
            });
        }

        private static async Task<string> TemplateAsync()
        {
            await Gate.WaitAsync();
            try
            {
                if (s_template is null)
                {
                    var folder = Path.Combine(Path.GetTempPath(), "zndraw-sql-template-" + Guid.NewGuid().ToString("N"));
                    Directory.CreateDirectory(folder);
                    var file = Path.Combine(folder, "template.db");
                    await MigrateAsync(sql => sql.UseSqlite(new SqliteConnectionStringBuilder { DataSource = file }.ToString()));
                    SqliteConnection.ClearAllPools();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
                    s_template = file;
                }

                return s_template;
            }
            finally
            {
                Gate.Release();
            }
        }
    }

    /// <summary>PostgreSQL: one migrated template database per process, cloned per store and dropped afterwards.</summary>
    private sealed class PostgresDatabases : IDatabases
    {
        public static readonly PostgresDatabases Instance = new();

        private readonly SemaphoreSlim _gate = new(1, 1);
        private string? _template;

        public async Task<(Action<SqlDatabaseBuilder>, Func<Task>)> CreateAsync()
        {
            var template = await TemplateAsync();
            var name = "zndraw_store_" + Guid.NewGuid().ToString("N")[..16];
            await AdminAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            // The test server accepts 300 connections (scripts/services.sh) and stores of several collections use it at once;
            // a pool of 40 per store keeps them all under that limit (a contract that starts 120 calls at once waits for
            // a pooled connection instead of hitting the server's limit).
            var connectionString = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Database = name, MaxPoolSize = 40 }.ToString();
            return (sql => sql.UseNpgsql(connectionString), async () =>
            {
                NpgsqlConnection.ClearAllPools();
                await DropAsync(name);
            });
        }

        private async Task<string> TemplateAsync()
        {
            await _gate.WaitAsync();
            try
            {
                if (_template is null)
                {
                    var name = "zndraw_template_" + Guid.NewGuid().ToString("N")[..16];
                    await AdminAsync($"CREATE DATABASE \"{name}\"");
                    var connectionString = new NpgsqlConnectionStringBuilder(PostgresServer.ConnectionString) { Database = name, Pooling = false }.ToString();
                    await MigrateAsync(sql => sql.UseNpgsql(connectionString));
                    _template = name;
                }

                return _template;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>
        /// Drops a store's database. <c>WITH (FORCE)</c> ends the sessions still on it; one it may not end (an autovacuum
        /// worker: 42501) ends by itself, so the drop is retried a few times before the error stands.
        /// </summary>
        private static async Task DropAsync(string name)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await AdminAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                    return;
                }
                catch (PostgresException ex) when (attempt < 10 && ex.SqlState is PostgresErrorCodes.InsufficientPrivilege or PostgresErrorCodes.ObjectInUse)
                {
                    await Task.Delay(100 * attempt);
                }
            }
        }

        private static async Task AdminAsync(string sql)
        {
            await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Applies the storage and the history migrations through the library's own paths, so a store may keep its history
    /// in the same database (<see cref="SqlStorageOptions.IncludeHistory"/>).
    /// </summary>
    private static async Task MigrateAsync(Action<SqlDatabaseBuilder> configureDatabase)
    {
        var services = new ServiceCollection();
        services.AddZnDrawStorage(o => o.ConnectionString = "localhost:1").AddSqlStorage(configureDatabase, o => o.IncludeHistory = true);
        await using var provider = services.BuildServiceProvider();
        await provider.MigrateStorageDatabaseAsync();
        await provider.MigrateHistoryDatabaseAsync();
    }
}
