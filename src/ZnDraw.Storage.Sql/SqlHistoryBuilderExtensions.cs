using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace, as Microsoft's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the SQL history store (EF Core; the provider comes from a provider package).</summary>
public static class SqlHistoryBuilderExtensions
{
    /// <summary>
    /// Stores history in a SQL database: registers the sink, <see cref="IHistoryQuery"/>, an
    /// <see cref="IDbContextFactory{TContext}"/> of <see cref="HistoryDbContext"/> (singleton; each
    /// operation creates and disposes its own context) and, when <see cref="SqlHistoryOptions.MigrateOnStart"/>
    /// is set, a hosted service that applies the migrations before history is delivered.
    /// </summary>
    /// <param name="builder">The storage builder.</param>
    /// <param name="configureDatabase">Chooses the provider: <c>sql =&gt; sql.UseSqlite("Data Source=history.db")</c> (package <c>ZnDraw.Storage.Sql.Sqlite</c>) or <c>sql =&gt; sql.UseNpgsql(connectionString)</c> (package <c>ZnDraw.Storage.Sql.PostgreSql</c>).</param>
    /// <param name="configure">Sets <see cref="SqlHistoryOptions"/>, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining (e.g. <c>.AddHistory(o =&gt; o.Mode = HistoryMode.Durable)</c>).</returns>
    /// <exception cref="InvalidOperationException"><paramref name="configureDatabase"/> chose no provider.</exception>
    public static IZnDrawStorageBuilder AddSqlHistory(
        this IZnDrawStorageBuilder builder,
        Action<SqlDatabaseBuilder> configureDatabase,
        Action<SqlHistoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var createDialect = SqlDatabaseBuilder.Build(configureDatabase);
        var services = builder.Services;
        var options = services.AddOptions<SqlHistoryOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.RemoveAll<HistoryDbContextFactory>();
        services.RemoveAll<IDbContextFactory<HistoryDbContext>>();
        services.AddSingleton(sp => new HistoryDbContextFactory(createDialect(), sp.GetService<ILoggerFactory>()));
        services.AddSingleton<IDbContextFactory<HistoryDbContext>>(sp => sp.GetRequiredService<HistoryDbContextFactory>());

        // Registered before the dispatcher (hosted services start in order), so migrations run first.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HistoryMigrationService>());
        builder.AddHistorySink<SqlHistorySink>();
        services.Replace(ServiceDescriptor.Singleton<IHistoryQuery, SqlHistoryQuery>());
        return builder;
    }

    /// <summary>Applies every pending history migration (creates the database and tables when missing).</summary>
    /// <param name="services">The root service provider of a host that called <c>AddSqlHistory</c>.</param>
    /// <param name="cancellationToken">Cancels the migration (a migration already running completes or rolls back).</param>
    public static async Task MigrateHistoryDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var factory = services.GetRequiredService<IDbContextFactory<HistoryDbContext>>();
        await using var db = await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Applies the history migrations at start when <see cref="SqlHistoryOptions.MigrateOnStart"/> is set.</summary>
internal sealed class HistoryMigrationService(IServiceProvider services, IOptions<SqlHistoryOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.MigrateOnStart ? services.MigrateHistoryDatabaseAsync(cancellationToken) : Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
