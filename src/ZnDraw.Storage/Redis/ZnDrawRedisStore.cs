using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Every repository over one Redis connection, for hosts that do not use dependency injection
/// (with DI, <c>services.AddZnDrawStorage(...)</c> registers the same repositories and this store).
/// </summary>
/// <remarks>
/// The store holds no state of its own: create one per multiplexer and key space and share it. It never disposes the
/// multiplexer it was given.
/// </remarks>
public sealed class ZnDrawRedisStore
{
    /// <summary>Creates the repositories over <paramref name="multiplexer"/>.</summary>
    /// <param name="multiplexer">The connection; reused, never disposed by the store.</param>
    /// <param name="keySpace">Prefix and layout; default <see cref="KeySpace.Default"/> (ZnDraw's own keys).</param>
    /// <param name="timeProvider">The clock for stored timestamps; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="database">The Redis database number; default -1 (the connection's default).</param>
    /// <param name="limits">Size limits of user-supplied text; default <see cref="ZnDrawLimitOptions"/>' defaults. Not validated here (the DI path validates them at start).</param>
    /// <param name="loggerFactory">Creates the logger that reports unreadable entries skipped by listings; default none.</param>
    public ZnDrawRedisStore(
        IConnectionMultiplexer multiplexer,
        KeySpace? keySpace = null,
        TimeProvider? timeProvider = null,
        int database = -1,
        ZnDrawLimitOptions? limits = null,
        ILoggerFactory? loggerFactory = null)
        : this(new RedisStoreContext(multiplexer, keySpace, timeProvider, database, limits, loggerFactory))
    {
    }

    internal ZnDrawRedisStore(RedisStoreContext context)
    {
        Keys = context.Keys;
        Rooms = new RoomRepository(context);
        RoomState = new RoomEphemeralState(Rooms);
        Frames = new FrameRepository(context);
        Bookmarks = new BookmarkRepository(context);
        Geometries = new GeometryRepository(context);
        Settings = new SettingsRepository(context);
        Chat = new ChatRepository(context);
        Extensions = new ExtensionRepository(context);
        Jobs = new JobRepository(context);
        Filesystems = new FilesystemRepository(context);
        Maintenance = new IndexMaintenance(context);
        Users = new UserRepository(context);
        Sessions = new SessionRepository(context);
        Locks = new LockRepository(context);
        var content = new RoomContentMaintenance(context);
        RoomContentListing = content;
        RoomContentImport = content;
    }

    /// <summary>The key space every repository uses.</summary>
    public KeySpace Keys { get; }

    /// <summary>Rooms: create, copy, delete, flags, description, metadata, users.</summary>
    public IRoomRepository Rooms { get; }

    /// <summary>A room's ephemeral state in Redis (locks, presence, jobs, ...), removed after a room kept elsewhere is deleted.</summary>
    internal IRoomEphemeralState RoomState { get; }

    /// <summary>A room's trajectory (frame mapping) and frame selections.</summary>
    public IFrameRepository Frames { get; }

    /// <summary>A room's bookmarks.</summary>
    public IBookmarkRepository Bookmarks { get; }

    /// <summary>Geometries, figures, selections and selection groups.</summary>
    public IGeometryRepository Geometries { get; }

    /// <summary>Per-user room settings and extension form data.</summary>
    public ISettingsRepository Settings { get; }

    /// <summary>A room's chat.</summary>
    public IChatRepository Chat { get; }

    /// <summary>Extensions, workers and task queues.</summary>
    public IExtensionRepository Extensions { get; }

    /// <summary>Jobs.</summary>
    public IJobRepository Jobs { get; }

    /// <summary>Filesystems.</summary>
    public IFilesystemRepository Filesystems { get; }

    /// <summary>Users, passwords, admin flags and roles.</summary>
    public IUserRepository Users { get; }

    /// <summary>Socket sessions (<c>sid</c> → user, role).</summary>
    public ISessionRepository Sessions { get; }

    /// <summary>Room locks and the presenter lock.</summary>
    public ILockRepository Locks { get; }

    /// <summary>Index sets and room key registries (reindex).</summary>
    public IIndexMaintenance Maintenance { get; }

    /// <summary>What the per-part contracts of a room cannot enumerate (frame-selection groups, settings users, extension data, all chat messages, the chat counter); for migration.</summary>
    internal IRoomContentListing RoomContentListing { get; }

    /// <summary>Writes room parts exactly as another backend holds them (scores, chat ids and times, members, metadata, active group); for migration.</summary>
    internal IRoomContentImport RoomContentImport { get; }
}
