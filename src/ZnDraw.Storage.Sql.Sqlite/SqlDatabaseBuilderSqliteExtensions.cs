using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using ZnDraw.Storage.Sql;
using ZnDraw.Storage.Sql.Sqlite;

#pragma warning disable IDE0130 // Found where AddSqlStorage / AddSqlHistory are, as Microsoft's DI extensions are.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Chooses SQLite for <c>AddSqlStorage</c> or <c>AddSqlHistory</c>.</summary>
public static class SqlDatabaseBuilderSqliteExtensions
{
    /// <summary>
    /// Keeps the data in the SQLite database <paramref name="connectionString"/> names, e.g. <c>"Data Source=zndraw.db"</c>.
    /// The repositories open pooled connections to it; EF Core applies the SQLite migrations of this package.
    /// </summary>
    /// <param name="builder">The builder passed to <c>AddSqlStorage(sql =&gt; ...)</c> or <c>AddSqlHistory(sql =&gt; ...)</c>.</param>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    /// <param name="configureContext">Further EF Core settings of the history and migration contexts (interceptors, logging), or <see langword="null"/>.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or not a valid SQLite connection string.</exception>
    /// <exception cref="InvalidOperationException">A provider was chosen already.</exception>
    public static SqlDatabaseBuilder UseSqlite(
        this SqlDatabaseBuilder builder, string connectionString, Action<DbContextOptionsBuilder>? configureContext = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        _ = new SqliteConnectionStringBuilder(connectionString); // a bad keyword fails at registration, not on the first call
        builder.UseProvider(() => new SqliteDialect(connectionString, configureContext));
        return builder;
    }
}
