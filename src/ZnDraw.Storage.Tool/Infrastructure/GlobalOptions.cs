using System.CommandLine;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>
/// The options every command takes (recursive on the root command). Each connection option has a configuration key
/// (<see cref="ToolConfiguration"/>): the library's own names where the library has one, so the settings file and the
/// environment of a server using ZnDraw.Storage work for the tool unchanged.
/// </summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Redis = new("--redis")
    {
        Description = "Redis connection string (StackExchange.Redis syntax, e.g. 127.0.0.1:6379,password=...). "
            + "Configuration: ConnectionStrings:redis, or ZnDrawStorage:ConnectionString.",
        HelpName = "connection",
        Recursive = true,
    };

    public static readonly Option<string?> Prefix = new("--prefix")
    {
        Description = "Key prefix the store was written with (none: ZnDraw's own keys). Configuration: ZnDrawStorage:KeyPrefix.",
        HelpName = "prefix",
        Recursive = true,
    };

    public static readonly Option<string?> Layout = new Option<string?>("--layout")
    {
        Description = "Key layout: zndraw (ZnDraw's own, one Redis node) or cluster-safe (hash-tagged, needed on a Redis Cluster). "
            + "Configuration: ZnDrawStorage:Layout (ZnDraw or ClusterSafe). Default zndraw.",
        HelpName = "zndraw|cluster-safe",
        Recursive = true,
    }.AcceptOnlyFromAmong("zndraw", "cluster-safe");

    public static readonly Option<int?> Database = new("--database")
    {
        Description = "Redis database number, -1 to 255 (-1: the connection's default). Configuration: ZnDrawStorage:Database.",
        HelpName = "number",
        Recursive = true,
    };

    public static readonly Option<string?> SqlProvider = new Option<string?>("--sql-provider")
    {
        Description = "SQL database of the history (and of hybrid storage): sqlite or postgresql. Configuration: ZnDrawStorageTool:SqlProvider.",
        HelpName = "sqlite|postgresql",
        Recursive = true,
    }.AcceptOnlyFromAmong("sqlite", "postgresql");

    public static readonly Option<string?> Sql = new("--sql")
    {
        Description = "SQL connection string (e.g. \"Data Source=zndraw.db\" for SQLite, \"Host=...;Database=...\" for PostgreSQL). "
            + "Configuration: ConnectionStrings:sql.",
        HelpName = "connection",
        Recursive = true,
    };

    public static readonly Option<string?> SqlStorage = new Option<string?>("--sql-storage")
    {
        Description = "Aggregates kept in SQL by a hybrid deployment (AddSqlStorage): none, users, rooms or all; "
            + "users and rooms are then read from the SQL database. Configuration: ZnDrawStorageTool:SqlStorage. Default none.",
        HelpName = "none|users|rooms|all",
        Recursive = true,
    }.AcceptOnlyFromAmong("none", "users", "rooms", "all");

    public static readonly Option<FileInfo?> Settings = new("--settings")
    {
        Description = "JSON settings file (appsettings layout: ConnectionStrings, ZnDrawStorage, ZnDrawStorageTool sections). "
            + "Environment variables override it, flags override both.",
        HelpName = "file.json",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Write the result as JSON to standard output instead of a table.",
        Recursive = true,
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "Also log the library's information messages (and EF Core's SQL) to standard error, and on an error print the stack trace.",
        Recursive = true,
    };

    /// <summary>All of them, in the order --help lists them.</summary>
    public static IReadOnlyList<Option> All { get; } = [Redis, Prefix, Layout, Database, SqlProvider, Sql, SqlStorage, Settings, Json, Verbose];
}
