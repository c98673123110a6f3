using Microsoft.EntityFrameworkCore;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// Creates <see cref="HistoryDbContext"/>s for the configured provider: a <see cref="SqliteHistoryDbContext"/>
/// or a <see cref="PostgresHistoryDbContext"/>, so that each provider applies its own migrations.
/// </summary>
internal sealed class HistoryDbContextFactory : IDbContextFactory<HistoryDbContext>
{
    private readonly DbContextOptions _options;
    private readonly Func<DbContextOptions, HistoryDbContext> _create;

    public HistoryDbContextFactory(DbContextOptions options)
    {
        _options = options;
        using var probe = new HistoryDbContext(options);
        if (probe.Database.IsSqlite())
        {
            _create = o => new SqliteHistoryDbContext(o);
        }
        else if (probe.Database.IsNpgsql())
        {
            _create = o => new PostgresHistoryDbContext(o);
        }
        else
        {
            throw new NotSupportedException(
                $"The history database provider '{probe.Database.ProviderName}' is not supported: use UseSqlite(...) or UseNpgsql(...).");
        }
    }

    public HistoryDbContext CreateDbContext() => _create(_options);

    public Task<HistoryDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_create(_options));
}
