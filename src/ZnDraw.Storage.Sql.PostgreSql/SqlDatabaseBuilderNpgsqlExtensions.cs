using Microsoft.EntityFrameworkCore;
using Npgsql;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Sql.PostgreSql;

#pragma warning disable IDE0130 // Found where AddSqlStorage / AddSqlHistory are, as Microsoft's DI extensions are.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Chooses PostgreSQL (Npgsql) for <c>AddSqlStorage</c> or <c>AddSqlHistory</c>.</summary>
#pragma warning disable RS0026 // The overloads differ in their first parameter (connection string or data source), never in the optional one.
public static class SqlDatabaseBuilderNpgsqlExtensions
{
    /// <summary>
    /// Keeps the data in the PostgreSQL database <paramref name="connectionString"/> names. The repositories open
    /// connections from an <see cref="NpgsqlDataSource"/> the store creates (and disposes); EF Core applies the PostgreSQL
    /// migrations of this package.
    /// </summary>
    /// <param name="builder">The builder passed to <c>AddSqlStorage(sql =&gt; ...)</c> or <c>AddSqlHistory(sql =&gt; ...)</c>.</param>
    /// <param name="connectionString">An Npgsql connection string, e.g. <c>"Host=localhost;Database=zndraw;Username=zndraw"</c>.</param>
    /// <param name="configureContext">Further EF Core settings of the history and migration contexts (interceptors, logging), or <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid Npgsql connection string.</exception>
    /// <exception cref="InvalidOperationException">A provider was chosen already.</exception>
    public static SqlDatabaseBuilder UseNpgsql(
        this SqlDatabaseBuilder builder, string connectionString, Action<DbContextOptionsBuilder>? configureContext = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new NpgsqlConnectionStringBuilder(connectionString); // a bad keyword fails at registration, not on the first call
        builder.UseProvider(() => new PostgresDialect(connectionString, configureContext));
        return builder;
    }

    /// <summary>
    /// Keeps the data in the PostgreSQL database of the host's <paramref name="dataSource"/> (its pool, its settings, its
    /// type mappings); the host disposes it. EF Core applies the PostgreSQL migrations of this package.
    /// </summary>
    /// <param name="builder">The builder passed to <c>AddSqlStorage(sql =&gt; ...)</c> or <c>AddSqlHistory(sql =&gt; ...)</c>.</param>
    /// <param name="dataSource">The host's data source.</param>
    /// <param name="configureContext">Further EF Core settings of the history and migration contexts (interceptors, logging), or <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">A provider was chosen already.</exception>
    public static SqlDatabaseBuilder UseNpgsql(
        this SqlDatabaseBuilder builder, NpgsqlDataSource dataSource, Action<DbContextOptionsBuilder>? configureContext = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        builder.UseProvider(() => new PostgresDialect(dataSource, configureContext));
        return builder;
    }
}
#pragma warning restore RS0026
