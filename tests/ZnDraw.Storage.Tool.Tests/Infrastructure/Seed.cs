using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tool.Tests.Infrastructure;

/// <summary>What the inspect tests seed through the library, the same on every backend.</summary>
public static class Seed
{
    public const string Room = "alpha";
    public const string HiddenRoom = "beta";
    public const string Category = "modifiers";
    public const string Extension = "Move";
    public const string Worker = "worker-1";

    /// <summary>
    /// Room <see cref="Room"/> (description, metadata, four frames, members alice and bob, two bookmarks, one chat message, a
    /// room-scoped extension with one idle worker and one queued job by alice) and the hidden room <see cref="HiddenRoom"/>;
    /// users alice (admin) and bob; a global extension <c>selections/All</c> without workers.
    /// </summary>
    /// <returns>The queued job.</returns>
    public static async Task<Job> InspectDataAsync(SeededStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var rooms = store.Get<RoomService>();
        await rooms.CreateAsync(Room, "first room");
        await rooms.CreateAsync(HiddenRoom);
        await rooms.HideAsync(HiddenRoom);
        var roomRepository = store.Get<IRoomRepository>();
        await roomRepository.SetMetadataAsync(Room, new RoomMetadata([new("source", "test"), new("frames", "none")]));

        var users = store.Get<IUserRepository>();
        await users.CreateAsync(new User("alice", CreatedAt: new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), CurrentRoom: Room));
        await users.CreateAsync(new User("bob"));
        await users.SetAdminAsync("alice", isAdmin: true);
        await roomRepository.AddUserAsync(Room, "alice");
        await roomRepository.AddUserAsync(Room, "bob");

        await store.Get<IFrameRepository>().AppendAsync(Room, [.. Enumerable.Range(0, 4).Select(i => new FrameIndex(Room, i))]);
        var bookmarks = store.Get<IBookmarkRepository>();
        await bookmarks.SetAsync(Room, 0, "start");
        await bookmarks.SetAsync(Room, 3, "end");
        await store.Get<IChatRepository>().PostAsync(Room, "alice", "hello");

        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"x":{"type":"number"}}}""");
        await store.Get<SessionService>().ConnectAsync(Worker, "alice");
        var extensions = store.Get<ExtensionService>();
        var move = ExtensionId.InRoom(Room, Category, Extension);
        await extensions.RegisterAsync(Worker, move, schema.RootElement);
        await store.Get<IExtensionRepository>().SaveAsync(new ExtensionSchema("All", "selections", schema.RootElement.Clone(), ExtensionScope.Global));
        using var data = JsonDocument.Parse("""{"x":1}""");
        return await extensions.SubmitJobAsync(Room, move, "alice", data.RootElement);
    }
}
