namespace ZnDraw.Storage.Samples.WebApi;

/// <summary>Where the sample keeps history.</summary>
internal enum HistoryStore
{
    /// <summary>No history: the history endpoints answer 501.</summary>
    None,

    /// <summary>An SQLite database (<c>History:Sqlite</c>).</summary>
    Sqlite,

    /// <summary>A PostgreSQL database (<c>History:Postgres</c>).</summary>
    Postgres,
}

/// <summary>The sample's own configuration keys.</summary>
internal static class SampleSettings
{
    /// <summary>The Redis address used when the <c>ZnDrawStorage</c> section sets none.</summary>
    public const string RedisEnvironmentVariable = "ZNDRAW_REDIS";

    /// <summary>An SQLite connection string for history, e.g. <c>Data Source=history.db</c>.</summary>
    public const string SqliteKey = "History:Sqlite";

    /// <summary>An Npgsql connection string for history.</summary>
    public const string PostgresKey = "History:Postgres";

    /// <summary>The configured history store; a blank value counts as absent.</summary>
    /// <exception cref="InvalidOperationException">Both stores are configured.</exception>
    public static (HistoryStore Store, string ConnectionString) ReadHistoryStore(IConfiguration configuration)
    {
        var sqlite = configuration[SqliteKey];
        var postgres = configuration[PostgresKey];
        var hasSqlite = !string.IsNullOrWhiteSpace(sqlite);
        var hasPostgres = !string.IsNullOrWhiteSpace(postgres);
        return (hasSqlite, hasPostgres) switch
        {
            (true, true) => throw new InvalidOperationException($"Set {SqliteKey} or {PostgresKey}, not both."),
            (true, false) => (HistoryStore.Sqlite, sqlite!),
            (false, true) => (HistoryStore.Postgres, postgres!),
            _ => (HistoryStore.None, string.Empty),
        };
    }
}
