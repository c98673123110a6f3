using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Sql.Repositories;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace, as Microsoft's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Keeps ZnDraw's persistent aggregates in SQL (EF Core; the provider comes from a provider package) behind the same contracts.</summary>
public static class SqlStorageBuilderExtensions
{
    /// <summary>
    /// Keeps the groups chosen in <see cref="SqlStorageOptions.Groups"/> (default users and rooms) in the database
    /// <paramref name="configureDatabase"/> selects; every repository interface of those groups, and so every service,
    /// resolves to the SQL implementation. Ephemeral state stays in Redis.
    /// </summary>
    /// <param name="builder">The storage builder from <c>AddZnDrawStorage</c>.</param>
    /// <param name="configureDatabase">Chooses the database: <c>sql =&gt; sql.UseSqlite("Data Source=zndraw.db")</c> (package <c>ZnDraw.Storage.Sql.Sqlite</c>) or <c>sql =&gt; sql.UseNpgsql(connectionString)</c> (package <c>ZnDraw.Storage.Sql.PostgreSql</c>).</param>
    /// <param name="configure">Changes the options (groups, history in the same database, migrate and reconcile on start).</param>
    /// <returns>The builder.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="configureDatabase"/> chose no provider.</exception>
    public static IZnDrawStorageBuilder AddSqlStorage(
        this IZnDrawStorageBuilder builder,
        Action<SqlDatabaseBuilder> configureDatabase,
        Action<SqlStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var createDialect = SqlDatabaseBuilder.Build(configureDatabase);
        var services = builder.Services;

        // The groups decide the registrations, so they are read now (not at resolve time).
        var chosen = new SqlStorageOptions();
        configure?.Invoke(chosen);
        var options = services.AddOptions<SqlStorageOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        if (chosen.IncludeHistory)
        {
            builder.AddSqlHistory(configureDatabase, history => history.MigrateOnStart = chosen.MigrateOnStart);
            services.TryAddSingleton<ITransactionalHistory, SqlTransactionalHistory>();
        }

        services.TryAddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
            return new SqlStoreContext(
                createDialect(),
                sp.GetService<TimeProvider>(),
                storage.Limits,
                sp.GetService<ILoggerFactory>(),
                historyInTransaction: chosen.IncludeHistory,
                layout: storage.Layout);
        });

        if (chosen.Groups.HasFlag(SqlStorageGroups.Users))
        {
            services.Replace(ServiceDescriptor.Singleton<IUserRepository>(sp => new SqlUserRepository(sp.GetRequiredService<SqlStoreContext>())));
        }

        if (chosen.Groups.HasFlag(SqlStorageGroups.Rooms))
        {
            services.Replace(ServiceDescriptor.Singleton<IRoomRepository>(sp => new SqlRoomRepository(
                sp.GetRequiredService<SqlStoreContext>(), sp.GetRequiredService<IRoomEphemeralState>(), sp.GetRequiredService<IUserRepository>())));
            services.Replace(ServiceDescriptor.Singleton<IFrameRepository>(sp => new SqlFrameRepository(sp.GetRequiredService<SqlStoreContext>())));
            services.Replace(ServiceDescriptor.Singleton<IBookmarkRepository>(sp => new SqlBookmarkRepository(sp.GetRequiredService<SqlStoreContext>())));
            services.Replace(ServiceDescriptor.Singleton<IGeometryRepository>(sp => new SqlGeometryRepository(sp.GetRequiredService<SqlStoreContext>())));
            services.Replace(ServiceDescriptor.Singleton<IChatRepository>(sp => new SqlChatRepository(sp.GetRequiredService<SqlStoreContext>())));
            services.Replace(ServiceDescriptor.Singleton<ISettingsRepository>(sp => new SqlSettingsRepository(sp.GetRequiredService<SqlStoreContext>())));

            // What the migration lists and imports beside the contracts (docs/migration.md).
            services.TryAddSingleton(sp => new SqlRoomContentMaintenance(sp.GetRequiredService<SqlStoreContext>()));
            services.Replace(ServiceDescriptor.Singleton<IRoomContentListing>(sp => sp.GetRequiredService<SqlRoomContentMaintenance>()));
            services.Replace(ServiceDescriptor.Singleton<IRoomContentImport>(sp => sp.GetRequiredService<SqlRoomContentMaintenance>()));
        }

        services.TryAddSingleton(sp => new SqlStorageReconciler(sp.GetRequiredService<SqlStoreContext>(), sp.GetRequiredService<IRoomEphemeralState>()));
        services.TryAddSingleton<ZnDraw.Storage.Redis.Check.IStorageCrossCheck>(sp => new SqlStorageCheck(
            sp.GetRequiredService<SqlStoreContext>(), sp.GetRequiredService<IRoomEphemeralState>(), chosen.Groups));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SqlStorageStartup>());
        return builder;
    }

    /// <summary>Applies pending storage migrations (users, rooms and room-scoped tables) to the configured database.</summary>
    /// <param name="services">The host's services (after <c>AddSqlStorage</c>).</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>A task that completes when the schema is current.</returns>
    public static async Task MigrateStorageDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var context = services.GetRequiredService<SqlStoreContext>();
        await using var db = context.CreateDbContext();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await context.Dialect.AfterStorageMigrationAsync(db, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Marks that SQL state changes write their history rows in their own transactions.</summary>
internal sealed class SqlTransactionalHistory : ITransactionalHistory;

/// <summary>Migrates (when asked) and reconciles (when asked) at start, before the host serves.</summary>
/// <remarks>A reconcile that fails (Redis or the database unreachable) stops the start: serving over an unfinished delete could show its stale Redis state.</remarks>
internal sealed class SqlStorageStartup(IServiceProvider services, IOptions<SqlStorageOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.MigrateOnStart)
        {
            await services.MigrateStorageDatabaseAsync(cancellationToken).ConfigureAwait(false);
        }

        if (options.Value.ReconcileOnStart)
        {
            await services.ReconcileStorageAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
