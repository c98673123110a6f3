using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>
/// Unreadable stored data is read the same way everywhere: a single read throws <see cref="StorageDataException"/>
/// naming the key (and field); a listing returns the readable entries and reports each unreadable one (a warning naming
/// the key and the <c>zndraw.storage.unreadable</c> counter).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class UnreadableDataTests(RedisFixture redis)
{
    private readonly IDatabase _db = redis.Database;

    public static TheoryData<string, string> CoreKeysInEveryLayout()
    {
        var data = new TheoryData<string, string>();
        foreach (var layout in new[] { Layouts.ZnDraw, Layouts.Prefixed, Layouts.Cluster })
        {
            foreach (var key in new[] { "current_frame", "description", "locked", "hidden" })
            {
                data.Add(layout, key);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CoreKeysInEveryLayout))]
    public async Task A_core_room_key_of_the_wrong_type_makes_every_single_read_throw_naming_the_key(string layout, string field)
    {
        var space = Layouts.Space(layout);
        var repo = new RoomRepository(RoomTestSupport.Context(redis, space));
        var id = RedisFixture.NewId("room");
        Assert.True(await repo.CreateAsync(id, "readable"));
        string key = RoomTestSupport.RoomBase(space, id) + field;
        await _db.KeyDeleteAsync(key);
        await _db.HashSetAsync(key, "not", "a string");

        var byId = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(id));
        var withCount = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetWithFrameCountAsync(id));

        foreach (var ex in new[] { byId, withCount })
        {
            Assert.Equal(key, ex.Key);
            Assert.Contains(key, ex.Message, StringComparison.Ordinal);
            Assert.Contains("hash", ex.Message, StringComparison.Ordinal);
        }

        if (field == "description")
        {
            var description = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetDescriptionAsync(id));
            Assert.Contains(key, description.Message, StringComparison.Ordinal);
        }

        Assert.True(await repo.DeleteAsync(id));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Frame_count_users_and_metadata_of_the_wrong_type_or_unparsable_throw_naming_key_and_field(string layout)
    {
        var space = Layouts.Space(layout);
        var repo = new RoomRepository(RoomTestSupport.Context(redis, space));
        var id = RedisFixture.NewId("room");
        Assert.True(await repo.CreateAsync(id));
        RoomKeys keys = space.Room(id);

        await _db.StringSetAsync(keys.TrajectoryIndices(), "not a sorted set");
        var frames = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetWithFrameCountAsync(id));
        Assert.Contains(keys.TrajectoryIndices().ToString(), frames.Message, StringComparison.Ordinal);

        await _db.StringSetAsync(keys.Users(), "not a set");
        var users = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetUsersAsync(id));
        Assert.Contains(keys.Users().ToString(), users.Message, StringComparison.Ordinal);

        await _db.HashSetAsync(keys.Metadata(), [new HashEntry("relative_file_path", "a.xyz"), new HashEntry("file_size", "twelve")]);
        var size = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetMetadataAsync(id));
        Assert.Equal((keys.Metadata().ToString(), "file_size"), (size.Key, size.Field));
        Assert.Contains("file_size", size.Message, StringComparison.Ordinal);

        await _db.KeyDeleteAsync(keys.Metadata());
        await _db.StringSetAsync(keys.Metadata(), "not a hash");
        var metadata = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetMetadataAsync(id));
        Assert.Contains(keys.Metadata().ToString(), metadata.Message, StringComparison.Ordinal);

        Assert.True(await repo.DeleteAsync(id));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Room_listing_returns_the_readable_rooms_and_reports_each_unreadable_one(string layout)
    {
        var space = Layouts.Space(layout);
        var context = RoomTestSupport.Context(redis, space);
        var repo = new RoomRepository(context);
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var service = new RoomService(
            repo, new SettingsRepository(context), new UserRepository(context), Options.Create(new ZnDrawStorageOptions { Layout = space.Layout }), factory.CreateLogger<RoomService>());
        string good = RedisFixture.NewId("good"), badFrame = RedisFixture.NewId("bad-frame"), badDescription = RedisFixture.NewId("bad-desc");
        foreach (var id in new[] { good, badFrame, badDescription })
        {
            Assert.True(await repo.CreateAsync(id, "text"));
        }

        string frameKey = space.Room(badFrame).CurrentFrame().ToString();
        string descriptionKey = space.Room(badDescription).Description().ToString();
        await _db.KeyDeleteAsync(frameKey);
        await _db.HashSetAsync(frameKey, "x", "1");
        await _db.KeyDeleteAsync(descriptionKey);
        await _db.SetAddAsync(descriptionKey, "x");

        using var counter = new UnreadableCounter();
        var rooms = await service.ListDetailsAsync();

        Assert.Contains(rooms, r => r.Id == good && r.Description == "text");
        Assert.DoesNotContain(rooms, r => r.Id == badFrame || r.Id == badDescription);
        Assert.Contains(badFrame, await service.ListAsync()); // still indexed: the listing reports, it does not drop silently
        var warnings = logs.Collector.GetSnapshot().Where(e => e.Level == LogLevel.Warning && e.Id.Id == 2100).Select(e => e.Message).ToList();
        Assert.Single(warnings, m => m.Contains(frameKey, StringComparison.Ordinal));
        Assert.Single(warnings, m => m.Contains(descriptionKey, StringComparison.Ordinal));

        // In ZnDraw's unprefixed key space the index may also hold unreadable rooms other tests left behind: each
        // reported room is one warning of this service and one count.
        Assert.Equal(warnings.Count, counter.Count("room"));
        await Assert.ThrowsAsync<StorageDataException>(async () => await service.GetAsync(badFrame));
        await Assert.ThrowsAsync<StorageDataException>(async () => await service.GetAsync(badDescription));

        foreach (var id in new[] { good, badFrame, badDescription })
        {
            await repo.DeleteAsync(id);
        }
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Filesystem_listing_returns_the_readable_filesystems_and_reports_each_unreadable_one(string layout)
    {
        var space = Layouts.Space(layout);
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var repo = new FilesystemRepository(new RedisStoreContext(redis.Connection, space, loggerFactory: factory));
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        foreach (var name in new[] { "good", "wrongtype", "broken" })
        {
            await repo.SaveAsync(new FilesystemInfo(name, "LocalFileSystem", sid, "bob", false, ExtensionScope.Room, room));
        }

        string wrongType = space.Filesystem(room, "wrongtype").Metadata().ToString();
        string broken = space.Filesystem(room, "broken").Metadata().ToString();
        await _db.KeyDeleteAsync(wrongType);
        await _db.StringSetAsync(wrongType, "not a hash");
        await _db.HashDeleteAsync(broken, "fsType"); // a required field missing

        using var counter = new UnreadableCounter();
        var list = await repo.ListAsync(ExtensionScope.Room, room);

        Assert.Equal(["good"], list.Select(f => f.Name));
        Assert.Equal(2, counter.Count("filesystem"));
        var warnings = logs.Collector.GetSnapshot().Where(e => e.Id.Id == 2100).Select(e => e.Message).ToList();
        Assert.Contains(warnings, m => m.Contains(wrongType, StringComparison.Ordinal));
        Assert.Contains(warnings, m => m.Contains(broken, StringComparison.Ordinal));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(FilesystemId.InRoom(room, "wrongtype")));
        await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(FilesystemId.InRoom(room, "broken")));
        await new RoomRepository(RoomTestSupport.Context(redis, space)).DeleteAsync(room);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Extension_listing_returns_the_readable_schemas_and_reports_each_unreadable_one(string layout)
    {
        var space = Layouts.Space(layout);
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var repo = new ExtensionRepository(new RedisStoreContext(redis.Connection, space, loggerFactory: factory));
        string room = RedisFixture.NewId("room");
        RedisKey schemas = ExtensionKeys.SchemaKey(room, "modifiers", space);
        await _db.HashSetAsync(schemas, [new HashEntry("Good", """{"type": "object"}"""), new HashEntry("Broken", "{not json")]);

        using var counter = new UnreadableCounter();
        var list = await repo.ListExtensionsAsync(ExtensionScope.Room, room, "modifiers");

        Assert.Equal(["Good"], list.Select(s => s.Name));
        Assert.Equal(1, counter.Count("extension"));
        var warning = Assert.Single(logs.Collector.GetSnapshot(), e => e.Id.Id == 2100);
        Assert.Contains(schemas.ToString(), warning.Message, StringComparison.Ordinal);
        Assert.Contains("Broken", warning.Message, StringComparison.Ordinal);
        var single = await Assert.ThrowsAsync<StorageDataException>(
            async () => await repo.GetByIdAsync(ExtensionId.InRoom(room, "modifiers", "Broken")));
        Assert.Equal((schemas.ToString(), "Broken"), (single.Key, single.Field));
        await _db.KeyDeleteAsync(schemas);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Chat_page_returns_the_readable_messages_and_reports_each_unreadable_one(string layout)
    {
        var space = Layouts.Space(layout);
        var logs = new FakeLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        var chat = new ChatRepository(new RedisStoreContext(redis.Connection, space, loggerFactory: factory));
        var room = RedisFixture.NewId("room");
        var first = await chat.PostAsync(room, "alice", "first");
        var broken = await chat.PostAsync(room, "alice", "to be broken");
        var last = await chat.PostAsync(room, "alice", "last");
        string data = space.Room(room).ChatData().ToString();
        await _db.HashSetAsync(data, broken.Id, "{not json");

        using var counter = new UnreadableCounter();
        var page = await chat.GetPageAsync(room, 10);

        Assert.Equal([last.Id, first.Id], page.Messages.Select(m => m.Id));
        Assert.Equal(1, counter.Count("chat_message"));
        var warning = Assert.Single(logs.Collector.GetSnapshot(), e => e.Id.Id == 2100);
        Assert.Contains(data, warning.Message, StringComparison.Ordinal);
        Assert.Contains(broken.Id, warning.Message, StringComparison.Ordinal);
        var single = await Assert.ThrowsAsync<StorageDataException>(async () => await chat.GetAsync(room, broken.Id));
        Assert.Equal((data, broken.Id), (single.Key, single.Field));
        await new RoomRepository(RoomTestSupport.Context(redis, space)).DeleteAsync(room);
    }
}
