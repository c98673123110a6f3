using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Services;

/// <summary>One side of a <see cref="StorageMigration"/>: the contracts of the persistent aggregates of one store.</summary>
/// <remarks>
/// Build it from a store's container with <see cref="FromServices"/> (a Redis-only store and a store with
/// <c>AddSqlStorage</c> resolve the same interfaces). Besides the contracts below it takes the backend's room-content
/// listing (what the per-part contracts cannot enumerate) and import (room parts written exactly as given), which both
/// backends register; a store without a container can be migrated by building one with <c>AddZnDrawStorage</c>.
/// </remarks>
public sealed class StorageMigrationEndpoint
{
    /// <summary>Creates an endpoint from the store's contracts.</summary>
    /// <param name="users">The users (with credentials and admin flags).</param>
    /// <param name="rooms">The rooms (settings, metadata, members, the default room).</param>
    /// <param name="frames">The trajectories and frame selections.</param>
    /// <param name="bookmarks">The bookmarks.</param>
    /// <param name="geometries">The geometries, figures, selections and selection groups.</param>
    /// <param name="chat">The chat.</param>
    /// <param name="settings">The per-user room settings and extension form data.</param>
    /// <param name="roomContent">What the per-part contracts cannot enumerate.</param>
    /// <param name="roomImport">Writes room parts exactly as given; needed on a target of rooms.</param>
    /// <param name="indexMaintenance">Rebuilds a source's indexes before it is listed (<see cref="StorageMigrationOptions.ReindexSource"/>), or <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException">A required contract is null.</exception>
    internal StorageMigrationEndpoint(
        IUserRepository users,
        IRoomRepository rooms,
        IFrameRepository frames,
        IBookmarkRepository bookmarks,
        IGeometryRepository geometries,
        IChatRepository chat,
        ISettingsRepository settings,
        IRoomContentListing roomContent,
        IRoomContentImport? roomImport = null,
        IIndexMaintenance? indexMaintenance = null)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(rooms);
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(bookmarks);
        ArgumentNullException.ThrowIfNull(geometries);
        ArgumentNullException.ThrowIfNull(chat);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(roomContent);
        Users = users;
        Rooms = rooms;
        Frames = frames;
        Bookmarks = bookmarks;
        Geometries = geometries;
        Chat = chat;
        Settings = settings;
        RoomContent = roomContent;
        RoomImport = roomImport;
        IndexMaintenance = indexMaintenance;
    }

    /// <summary>The users.</summary>
    public IUserRepository Users { get; }

    /// <summary>The rooms.</summary>
    public IRoomRepository Rooms { get; }

    /// <summary>The trajectories and frame selections.</summary>
    public IFrameRepository Frames { get; }

    /// <summary>The bookmarks.</summary>
    public IBookmarkRepository Bookmarks { get; }

    /// <summary>The geometries, figures, selections and selection groups.</summary>
    public IGeometryRepository Geometries { get; }

    /// <summary>The chat.</summary>
    public IChatRepository Chat { get; }

    /// <summary>The per-user room settings and extension form data.</summary>
    public ISettingsRepository Settings { get; }

    /// <summary>What the per-part contracts cannot enumerate.</summary>
    internal IRoomContentListing RoomContent { get; }

    /// <summary>Writes room parts exactly as given, or <see langword="null"/> (then the endpoint cannot be a target of rooms).</summary>
    internal IRoomContentImport? RoomImport { get; }

    /// <summary>Rebuilds the store's indexes, or <see langword="null"/>.</summary>
    public IIndexMaintenance? IndexMaintenance { get; }

    /// <summary>Resolves every contract from a store's container (as <c>AddZnDrawStorage</c> and <c>AddSqlStorage</c> register them).</summary>
    /// <param name="services">The store's services.</param>
    /// <returns>The endpoint.</returns>
    /// <exception cref="InvalidOperationException">A required contract is not registered.</exception>
    public static StorageMigrationEndpoint FromServices(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new StorageMigrationEndpoint(
            services.GetRequiredService<IUserRepository>(),
            services.GetRequiredService<IRoomRepository>(),
            services.GetRequiredService<IFrameRepository>(),
            services.GetRequiredService<IBookmarkRepository>(),
            services.GetRequiredService<IGeometryRepository>(),
            services.GetRequiredService<IChatRepository>(),
            services.GetRequiredService<ISettingsRepository>(),
            services.GetRequiredService<IRoomContentListing>(),
            services.GetService<IRoomContentImport>(),
            services.GetService<IIndexMaintenance>());
    }
}
