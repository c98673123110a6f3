namespace ZnDraw.Storage.Diagnostics;

/// <summary>
/// The <c>db.system.name</c> values of the library's backends (OpenTelemetry semantic conventions), and how a service
/// finds the one of the store it was given.
/// </summary>
internal static class DbSystem
{
    /// <summary>Redis (and servers speaking its protocol: Valkey, Dragonfly, ...).</summary>
    public const string Redis = "redis";

    /// <summary>SQLite.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>PostgreSQL.</summary>
    public const string PostgreSql = "postgresql";

    /// <summary>
    /// The <c>db.system.name</c> of <paramref name="store"/> (a repository or sink), found once when a service is
    /// built: what the store says (<see cref="IDbSystemNamed"/>), <see cref="Redis"/> for the core's own types (Redis),
    /// otherwise <see langword="null"/> (a host's own implementation, a test double): no tag rather than a guess.
    /// </summary>
    public static string? Of(object? store) => store switch
    {
        IDbSystemNamed named => named.DbSystemName,
        null => null,
        // The core package's only backend is Redis: a store type of this assembly that does not name itself is one.
        _ when store.GetType().Assembly == typeof(DbSystem).Assembly => Redis,
        _ => null,
    };
}

/// <summary>
/// A store (repository, history sink) that names its backend for telemetry, e.g. a SQL repository that is SQLite or
/// PostgreSQL depending on its configuration. The Redis backend's types need not implement it (<see cref="DbSystem.Of"/>).
/// </summary>
internal interface IDbSystemNamed
{
    /// <summary>The backend's <c>db.system.name</c>: one of the <see cref="DbSystem"/> constants.</summary>
    string DbSystemName { get; }
}
