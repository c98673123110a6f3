namespace ZnDraw.Storage.Samples.WebApi;

/// <summary>Which SQL database a part of the sample uses.</summary>
internal enum SqlStore
{
    /// <summary>None configured.</summary>
    None,

    /// <summary>An SQLite database (<c>{section}:Sqlite</c>).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>{section}:Postgres</c>).</summary>
    Postgres,
}

/// <summary>The sample's own configuration keys.</summary>
internal static class SampleSettings
{
    /// <summary>The Redis address used when the <c>ZnDrawStorage</c> section sets none.</summary>
    public const string RedisEnvironmentVariable = "ZNDRAW_REDIS";

    /// <summary>The history's section: <c>History:Sqlite</c> or <c>History:Postgres</c> holds a connection string.</summary>
    public const string HistorySection = "History";

    /// <summary>
    /// The hybrid storage's section: <c>Storage:Sqlite</c> or <c>Storage:Postgres</c> holds a connection string; users and
    /// rooms then live in that database (<c>Storage:Groups</c>: <c>Users</c>, <c>Rooms</c> or <c>All</c>, default all),
    /// with the history in the same database unless the <c>History</c> section names another.
    /// </summary>
    public const string StorageSection = "Storage";

    /// <summary>The configured database of <paramref name="section"/>; a blank value counts as absent.</summary>
    /// <exception cref="InvalidOperationException">Both databases are configured.</exception>
    public static (SqlStore Store, string ConnectionString) ReadSqlStore(IConfiguration configuration, string section)
    {
        var sqliteKey = section + ":Sqlite";
        var postgresKey = section + ":Postgres";
        var sqlite = configuration[sqliteKey];
        var postgres = configuration[postgresKey];
        var hasSqlite = !string.IsNullOrWhiteSpace(sqlite);
        var hasPostgres = !string.IsNullOrWhiteSpace(postgres);
        return (hasSqlite, hasPostgres) switch
        {
            (true, true) => throw new InvalidOperationException($"Set {sqliteKey} or {postgresKey}, not both."),
            (true, false) => (SqlStore.Sqlite, sqlite!),
            (false, true) => (SqlStore.Postgres, postgres!),
            _ => (SqlStore.None, string.Empty),
        };
    }
}
