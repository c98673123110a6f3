using System.Globalization;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Sample aggregates shared by the generic contracts of the aggregate roots.</summary>
public static class RootSamples
{
    /// <summary>A fixed instant (whole seconds, naive UTC as ZnDraw stores it).</summary>
    public static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    /// <summary>A JSON value for schemas, job data and results.</summary>
    /// <param name="n">A number written into it, so that samples differ.</param>
    /// <returns>The value.</returns>
    public static JsonElement Json(int n) =>
        JsonDocument.Parse(
            "{\"type\": \"object\", \"properties\": {\"angle\": {\"type\": \"number\", \"default\": " + n.ToString(CultureInfo.InvariantCulture)
            + "}}, \"n\": [" + n.ToString(CultureInfo.InvariantCulture) + ", \"x\", true]}").RootElement.Clone();

    /// <summary>A new room (id fresh).</summary>
    /// <returns>The room.</returns>
    public static Room Room() => new(RedisFixture.NewId("room"), "a room", Locked: false, Hidden: false, CurrentFrame: 0);

    /// <summary>A new user without password (id fresh).</summary>
    /// <returns>The user.</returns>
    public static User User() => new(RedisFixture.NewId("user"), CreatedAt: T0, LastLogin: T0.AddHours(1), CurrentRoom: RedisFixture.NewId("room"), CurrentSid: "");

    /// <summary>A new extension registration: room-scoped in <paramref name="roomId"/>, or global when it is null.</summary>
    /// <param name="roomId">The room, or null.</param>
    /// <returns>The registration.</returns>
    public static ExtensionSchema Extension(string? roomId) => roomId is null
        ? new(RedisFixture.NewId("ext"), "analysis", Json(0), ExtensionScope.Global)
        : new(RedisFixture.NewId("ext"), "modifiers", Json(0), ExtensionScope.Room, roomId);

    /// <summary>A new queued job in <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The room.</param>
    /// <returns>The job.</returns>
    public static Job Job(string roomId) =>
        new(RedisFixture.NewId("job"), roomId, "modifiers", "Rotate", Json(0), "alice", JobStatus.Queued, JobProvider.Client, T0);

    /// <summary>A finished variant of <paramref name="job"/>.</summary>
    /// <param name="job">The job.</param>
    /// <param name="n">The variant.</param>
    /// <returns>The job, failed with data that depends on <paramref name="n"/>.</returns>
    public static Job Finished(Job job, int n) => job with
    {
        Status = n % 2 == 0 ? JobStatus.Completed : JobStatus.Failed,
        StartedAt = T0.AddSeconds(n),
        CompletedAt = T0.AddSeconds(n + 1),
        WorkerId = "worker-" + n,
        Error = n % 2 == 0 ? null : "boom " + n,
        Result = n % 2 == 0 ? Json(n) : null,
        WaitTimeMs = n * 1000,
        ExecutionTimeMs = 1000,
    };

    /// <summary>A new filesystem: room-scoped in <paramref name="roomId"/>, or global when it is null.</summary>
    /// <param name="roomId">The room, or null.</param>
    /// <returns>The filesystem.</returns>
    public static FilesystemInfo Filesystem(string? roomId) => roomId is null
        ? new(RedisFixture.NewId("fs"), "LocalFileSystem", RedisFixture.NewId("sid"), "admin", true, ExtensionScope.Global)
        : new(RedisFixture.NewId("fs"), "LocalFileSystem", RedisFixture.NewId("sid"), "bob", false, ExtensionScope.Room, roomId);
}

/// <summary><see cref="IRoomRepository"/> as a generic repository.</summary>
public abstract class RoomsAsRepositoryContract(IStoreFactory backend) : RepositoryContract<Room, string>(backend)
{
    /// <inheritdoc/>
    protected override IRepository<Room, string> Repository => Store.Get<IRoomRepository>();

    /// <inheritdoc/>
    protected override string InvalidId => "a:b";

    /// <inheritdoc/>
    protected override Room NewEntity(int n) => RootSamples.Room() with { Hidden = n == 1 };

    /// <inheritdoc/>
    protected override Room Variant(Room entity, int n) => entity with { Description = "variant " + n, Locked = n % 2 == 1, CurrentFrame = n };

    /// <inheritdoc/>
    protected override string IdOf(Room entity) => entity.Id;
}

/// <summary><see cref="IUserRepository"/> as a generic repository.</summary>
public abstract class UsersAsRepositoryContract(IStoreFactory backend) : RepositoryContract<User, string>(backend)
{
    /// <inheritdoc/>
    protected override IRepository<User, string> Repository => Store.Get<IUserRepository>();

    /// <inheritdoc/>
    protected override string InvalidId => " padded";

    /// <inheritdoc/>
    protected override User NewEntity(int n) => n == 0 ? RootSamples.User() : new User(RedisFixture.NewId("user"));

    /// <inheritdoc/>
    protected override User Variant(User entity, int n) => entity with { LastActivity = RootSamples.T0.AddMinutes(n), CurrentSid = "sid-" + n };

    /// <inheritdoc/>
    protected override string IdOf(User entity) => entity.UserName;
}

/// <summary><see cref="IExtensionRepository"/> as a generic repository: room-scoped (even samples) and global (odd) registrations.</summary>
public abstract class ExtensionsAsRepositoryContract(IStoreFactory backend) : RepositoryContract<ExtensionSchema, ExtensionId>(backend)
{
    /// <inheritdoc/>
    protected override IRepository<ExtensionSchema, ExtensionId> Repository => Store.Get<IExtensionRepository>();

    /// <inheritdoc/>
    protected override ExtensionId InvalidId => ExtensionId.InRoom("a:b", "modifiers", "Rotate");

    /// <inheritdoc/>
    protected override ExtensionSchema NewEntity(int n) => RootSamples.Extension(n % 2 == 0 ? NewId("room") : null);

    /// <inheritdoc/>
    protected override ExtensionSchema Variant(ExtensionSchema entity, int n) => entity with { Schema = RootSamples.Json(n) };

    /// <inheritdoc/>
    protected override ExtensionId IdOf(ExtensionSchema entity) => ExtensionId.Of(entity);

    /// <inheritdoc/>
    protected override async ValueTask ArrangeAsync(ExtensionSchema entity)
    {
        if (entity.RoomId is { } room)
        {
            await Store.Get<IRoomRepository>().CreateAsync(room);
        }
    }
}

/// <summary><see cref="IJobRepository"/> as a generic repository.</summary>
public abstract class JobsAsRepositoryContract(IStoreFactory backend) : RepositoryContract<Job, JobId>(backend)
{
    /// <inheritdoc/>
    protected override IRepository<Job, JobId> Repository => Store.Get<IJobRepository>();

    /// <inheritdoc/>
    protected override JobId InvalidId => new("a:b", "job");

    /// <inheritdoc/>
    protected override Job NewEntity(int n) => n == 0 ? RootSamples.Job(NewId("room")) : RootSamples.Finished(RootSamples.Job(NewId("room")), n);

    /// <inheritdoc/>
    protected override Job Variant(Job entity, int n) => RootSamples.Finished(entity, n);

    /// <inheritdoc/>
    protected override JobId IdOf(Job entity) => JobId.Of(entity);

    /// <inheritdoc/>
    protected override async ValueTask ArrangeAsync(Job entity) => await Store.Get<IRoomRepository>().CreateAsync(entity.Room);
}

/// <summary><see cref="IFilesystemRepository"/> as a generic repository: room-scoped (even samples) and global (odd) filesystems.</summary>
public abstract class FilesystemsAsRepositoryContract(IStoreFactory backend) : RepositoryContract<FilesystemInfo, FilesystemId>(backend)
{
    /// <inheritdoc/>
    protected override IRepository<FilesystemInfo, FilesystemId> Repository => Store.Get<IFilesystemRepository>();

    /// <inheritdoc/>
    protected override FilesystemId InvalidId => FilesystemId.InRoom("room", "data:worker");

    /// <inheritdoc/>
    protected override FilesystemInfo NewEntity(int n) => RootSamples.Filesystem(n % 2 == 0 ? NewId("room") : null);

    /// <inheritdoc/>
    protected override FilesystemInfo Variant(FilesystemInfo entity, int n) =>
        entity with { FsType = "S3FileSystem-" + n, UserName = "user-" + n, IsPublic = n % 2 == 0 };

    /// <inheritdoc/>
    protected override FilesystemId IdOf(FilesystemInfo entity) => FilesystemId.Of(entity);

    /// <inheritdoc/>
    protected override async ValueTask ArrangeAsync(FilesystemInfo entity)
    {
        if (entity.RoomId is { } room)
        {
            await Store.Get<IRoomRepository>().CreateAsync(room);
        }
    }
}
