using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// Creates <see cref="HistoryDbContext"/>s of the chosen provider (its own context subclass, which owns the provider's
/// migrations), and holds that provider's <see cref="SqlDialect"/> for the sink's bulk writes.
/// </summary>
internal sealed class HistoryDbContextFactory : IDbContextFactory<HistoryDbContext>, IDisposable, IAsyncDisposable
{
    private readonly DbContextOptions _options;

    public HistoryDbContextFactory(SqlDialect dialect, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(dialect);
        Dialect = dialect;
        _options = dialect.CreateContextOptions(loggerFactory);
    }

    /// <summary>The provider's glue.</summary>
    public SqlDialect Dialect { get; }

    public HistoryDbContext CreateDbContext() => Dialect.CreateHistoryContext(_options);

    public Task<HistoryDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Dialect.CreateHistoryContext(_options));

    public void Dispose() => Dialect.Dispose();

    public ValueTask DisposeAsync() => Dialect.DisposeAsync();
}
