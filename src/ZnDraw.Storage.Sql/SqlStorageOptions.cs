namespace ZnDraw.Storage.Sql;

/// <summary>Groups of persistent aggregates that can live in SQL (<see cref="SqlStorageOptions.Groups"/>).</summary>
[Flags]
#pragma warning disable CA1711 // "Groups" is the domain word, not a collection suffix.
public enum SqlStorageGroups
#pragma warning restore CA1711
{
    /// <summary>Nothing in SQL (only useful to switch the SQL storage off by configuration).</summary>
    None = 0,

    /// <summary>Users: admin flag, role, password fields, timestamps, current room and session id.</summary>
    Users = 1,

    /// <summary>
    /// Rooms and everything persistent that is room-scoped: the room, its metadata and members, the trajectory, bookmarks,
    /// geometries, figures, selections and selection groups, chat, per-user room settings and extension form data, and
    /// the default room.
    /// </summary>
    Rooms = 2,

    /// <summary>Users and rooms.</summary>
    All = Users | Rooms,
}

/// <summary>Options of the SQL storage (<c>AddSqlStorage</c>).</summary>
public sealed class SqlStorageOptions
{
    /// <summary>Which groups live in SQL; the others stay in Redis. Ephemeral state (sessions, locks, presence, extensions, workers, queues, jobs, filesystems, the history outbox) always stays in Redis.</summary>
    /// <value>Default <see cref="SqlStorageGroups.All"/>.</value>
    public SqlStorageGroups Groups { get; set; } = SqlStorageGroups.All;

    /// <summary>
    /// Keeps the history in the same database (as <c>AddSqlHistory</c> with the same configuration), and writes the history
    /// row of a state change kept in SQL in the change's own transaction: exactly once, without an outbox.
    /// </summary>
    /// <value>Default <see langword="false"/>: history is configured separately, or not at all.</value>
    public bool IncludeHistory { get; set; }

    /// <summary>Whether the host applies pending storage migrations when it starts (before the reconcile).</summary>
    /// <value>Default <see langword="false"/>: apply them with <c>MigrateStorageDatabaseAsync</c>, or as a script from <c>dotnet ef migrations script</c>.</value>
    public bool MigrateOnStart { get; set; }

    /// <summary>Whether the host runs the cross-store reconcile (<c>ReconcileStorageAsync</c>) when it starts.</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool ReconcileOnStart { get; set; } = true;
}
