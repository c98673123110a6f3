using ZnDraw.Storage.Sql.Provider;

namespace ZnDraw.Storage.Sql;

/// <summary>
/// Chooses the database of <c>AddSqlStorage</c> or <c>AddSqlHistory</c>: call <c>UseSqlite(...)</c> (package
/// <c>ZnDraw.Storage.Sql.Sqlite</c>) or <c>UseNpgsql(...)</c> (package <c>ZnDraw.Storage.Sql.PostgreSql</c>) on it.
/// </summary>
public sealed class SqlDatabaseBuilder
{
    private Func<SqlDialect>? _provider;

    internal SqlDatabaseBuilder()
    {
    }

    /// <summary>Called by a provider package: <paramref name="createDialect"/> makes the glue of one store or history factory.</summary>
    /// <exception cref="InvalidOperationException">A provider was chosen already.</exception>
    internal void UseProvider(Func<SqlDialect> createDialect)
    {
        ArgumentNullException.ThrowIfNull(createDialect);
        if (_provider is not null)
        {
            throw new InvalidOperationException("A SQL provider is already chosen: call one of UseSqlite(...) or UseNpgsql(...), once.");
        }

        _provider = createDialect;
    }

    /// <summary>Runs the host's <paramref name="configure"/> and returns how to create the chosen provider's glue.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="configure"/> chose no provider.</exception>
    internal static Func<SqlDialect> Build(Action<SqlDatabaseBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var builder = new SqlDatabaseBuilder();
        configure(builder);
        return builder._provider ?? throw new InvalidOperationException(
            "No SQL provider was chosen. Install ZnDraw.Storage.Sql.Sqlite and call sql => sql.UseSqlite(\"Data Source=zndraw.db\"), "
            + "or install ZnDraw.Storage.Sql.PostgreSql and call sql => sql.UseNpgsql(connectionString).");
    }
}
