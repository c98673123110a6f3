namespace ZnDraw.Storage;

/// <summary>
/// Keeps <c>rooms:index</c>, <c>users:index</c> and <c>admins:index</c> (and the worker reverse index) true while
/// another writer, such as ZnDraw's Python server, creates and deletes rooms and users in the same Redis: a background
/// reconcile at host start and every <see cref="Interval"/>, plus keyspace notifications when the server emits them.
/// See <c>docs/index-reconciliation.md</c>.
/// </summary>
public sealed class ZnDrawIndexReconciliationOptions
{
    /// <summary>The shortest <see cref="Interval"/>: 100 ms.</summary>
    public static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest <see cref="Interval"/>: 1 day.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(1);

    /// <summary>The longest <see cref="PauseBetweenPages"/>: 10 s.</summary>
    public static readonly TimeSpan MaxPauseBetweenPages = TimeSpan.FromSeconds(10);

    /// <summary>The smallest <see cref="PageSize"/>: 10.</summary>
    public const int MinPageSize = 10;

    /// <summary>The largest <see cref="PageSize"/>: 10,000.</summary>
    public const int MaxPageSize = 10_000;

    /// <summary>Whether the host reconciles the index sets in the background.</summary>
    /// <value>
    /// Default <see langword="true"/>. Set <see langword="false"/> for a host that is the only writer of its key space
    /// (the library keeps the index sets itself): then nothing is scanned and nothing subscribed.
    /// </value>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two background reconciles (the first runs right after host start).</summary>
    /// <value>
    /// Default 30 s. Range 100 ms to 1 day. Without keyspace notifications this is how long a room or user another
    /// writer created or deleted may be missing from, or stay in, the listings.
    /// </value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The <c>COUNT</c> hint of each <c>SCAN</c> and the size of each batch of checks and writes.</summary>
    /// <value>Default 1000. Range 10 to 10,000.</value>
    public int PageSize { get; set; } = 1000;

    /// <summary>A pause after each <see cref="PageSize"/> keys scanned, to spread a large scan over time.</summary>
    /// <value>Default <see cref="TimeSpan.Zero"/> (no pause). Range 0 to 10 s.</value>
    public TimeSpan PauseBetweenPages { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// Whether to subscribe to keyspace notifications of room, user and admin keys, so that changes by other writers
    /// reach the index sets within about a second instead of at the next <see cref="Interval"/>.
    /// </summary>
    /// <value>
    /// Default <see langword="true"/>. Has an effect only when the server emits the events
    /// (<c>notify-keyspace-events</c> holding <c>K</c> or <c>E</c> and <c>$hgx</c>); not used on a Redis Cluster (events
    /// are per node), where the <see cref="Interval"/> applies.
    /// </value>
    public bool UseKeyspaceNotifications { get; set; } = true;

    /// <summary>
    /// Whether the library may add the flags it needs to the server's <c>notify-keyspace-events</c> with
    /// <c>CONFIG SET</c> when they are missing (a server-wide setting; existing flags are kept).
    /// </summary>
    /// <value>
    /// Default <see langword="false"/>: the library only reads the setting and logs one warning naming it when flags are
    /// missing. Needs a connection allowed to run <c>CONFIG</c> (StackExchange.Redis <c>allowAdmin=true</c> and an ACL
    /// user with <c>+config</c>); when refused, the library logs one warning and falls back to <see cref="Interval"/>.
    /// </value>
    public bool ConfigureKeyspaceNotifications { get; set; }
}
