using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Sql.PostgreSql;
using ZnDraw.Storage.Sql.Provider;
using ZnDraw.Storage.Sql.Sqlite;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>The SQL history sinks the history benchmarks write to: a throwaway SQLite file, and PostgreSQL when scripts/bench.sh started one.</summary>
internal static class HistoryDatabases
{
    /// <summary>ZNDRAW_POSTGRES (an Npgsql connection string), or null when no PostgreSQL was started.</summary>
    public static string? Postgres => Environment.GetEnvironmentVariable("ZNDRAW_POSTGRES") is { Length: > 0 } s ? s : null;

    /// <summary>A fresh SQLite file in the temp directory (deleted by the caller).</summary>
    public static string NewSqliteFile() => Path.Combine(Path.GetTempPath(), "zndraw-bench-" + Guid.NewGuid().ToString("N") + ".db");

    public static async Task<(IHistorySink Sink, IDbContextFactory<HistoryDbContext> Factory)> SqliteAsync(string file) =>
        await CreateAsync(new SqliteDialect("Data Source=" + file + ";Pooling=True", null)).ConfigureAwait(false);

    public static async Task<(IHistorySink Sink, IDbContextFactory<HistoryDbContext> Factory)> PostgresAsync(string connectionString)
    {
        var result = await CreateAsync(new PostgresDialect(connectionString, null)).ConfigureAwait(false);
        await using HistoryDbContext db = await result.Factory.CreateDbContextAsync().ConfigureAwait(false);
        await db.RoomEvents.ExecuteDeleteAsync().ConfigureAwait(false);
        return result;
    }

    private static async Task<(IHistorySink Sink, IDbContextFactory<HistoryDbContext> Factory)> CreateAsync(SqlDialect dialect)
    {
        var factory = new HistoryDbContextFactory(dialect);
        await using (HistoryDbContext db = await factory.CreateDbContextAsync().ConfigureAwait(false))
        {
            await db.Database.MigrateAsync().ConfigureAwait(false);
        }

        return (new SqlHistorySink(factory), factory);
    }

    /// <summary>The two services the dispatcher resolves, without a DI container.</summary>
    public sealed class Services(IHistorySink sink, IConnectionMultiplexer connection) : IServiceProvider
    {
        public object? GetService(Type serviceType) =>
            serviceType == typeof(IHistorySink) ? sink
            : serviceType == typeof(IConnectionMultiplexer) ? connection
            : null;
    }

    /// <summary>A sink that stores nothing (the durable write benchmark needs a sink only to turn history on).</summary>
    public sealed class NullSink : IHistorySink
    {
        public ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
