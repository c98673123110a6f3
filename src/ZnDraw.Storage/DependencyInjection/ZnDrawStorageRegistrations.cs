using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>The repositories and services <c>AddZnDrawStorage</c> registers (all singletons: they hold no per-request state).</summary>
internal static class ZnDrawStorageRegistrations
{
    public static void AddRepositoriesAndServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(sp => new ZnDrawRedisStore(sp.GetRequiredService<RedisStoreContext>()));
        // The integrity check's backend (StorageCheck); the SQL package adds its IStorageCrossCheck.
        services.TryAddSingleton<IStorageCheckBackend>(sp => new ZnDraw.Storage.Redis.Check.RedisStorageCheck(
            sp.GetRequiredService<RedisStoreContext>(), sp.GetRequiredService<IJobRepository>(), sp.GetRequiredService<IIndexMaintenance>(), sp.GetService<IStorageCrossCheck>()));
        services.TryAddSingleton(sp =>
        {
            // Hybrid storage with users elsewhere (e.g. SQL) and rooms in Redis: joins check and write users there.
            var store = sp.GetRequiredService<ZnDrawRedisStore>();
            var users = sp.GetRequiredService<IUserRepository>();
            return ReferenceEquals(users, store.Users) ? store.Rooms : ((RoomRepository)store.Rooms).WithUsers(users);
        });
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().RoomState);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Frames);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Bookmarks);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Geometries);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Settings);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Chat);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Extensions);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Jobs);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Filesystems);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Maintenance);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().RoomContentListing);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().RoomContentImport);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Users);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Sessions);
        services.TryAddSingleton(sp => sp.GetRequiredService<ZnDrawRedisStore>().Locks);

        services.TryAddSingleton(sp => new RoomService(
            sp.GetRequiredService<IRoomRepository>(),
            sp.GetRequiredService<ISettingsRepository>(),
            sp.GetRequiredService<IUserRepository>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>(),
            sp.GetService<ILogger<RoomService>>(),
            sp.GetService<HistoryRecorder>() ?? HistoryRecorder.Disabled));
        services.TryAddSingleton(sp => new ExtensionService(
            sp.GetRequiredService<IExtensionRepository>(),
            sp.GetRequiredService<IJobRepository>(),
            sp.GetRequiredService<ISessionRepository>(),
            sp.GetRequiredService<ISettingsRepository>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<ILogger<ExtensionService>>(),
            sp.GetService<HistoryRecorder>() ?? HistoryRecorder.Disabled));
        services.TryAddSingleton(sp => new UserService(
            sp.GetRequiredService<IUserRepository>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>(),
            sp.GetService<ILogger<UserService>>() ?? NullLogger<UserService>.Instance));
        services.TryAddSingleton(sp => new SessionService(
            sp.GetRequiredService<ISessionRepository>(),
            sp.GetRequiredService<IUserRepository>(),
            sp.GetService<ILogger<SessionService>>() ?? NullLogger<SessionService>.Instance,
            sp.GetService<HistoryRecorder>() ?? HistoryRecorder.Disabled));
        services.TryAddSingleton(sp => new LockService(
            sp.GetRequiredService<ILockRepository>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<LockService>>() ?? NullLogger<LockService>.Instance));
    }
}
