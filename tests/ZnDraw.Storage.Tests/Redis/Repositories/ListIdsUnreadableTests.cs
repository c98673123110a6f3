using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>The id listings behind a copy skip a room whose sets hold another Redis type, report it, and go on.</summary>
[Collection(RedisCollection.Name)]
public sealed class ListIdsUnreadableTests(RedisFixture redis)
{
    [Fact]
    public async Task A_room_with_unreadable_sets_is_reported_and_skipped_while_the_other_rooms_are_listed()
    {
        var space = TestSpaces.Get("prefixed");
        var context = new RedisStoreContext(redis.Connection, space);
        var rooms = new RoomRepository(context);
        var extensions = new ExtensionRepository(context);
        var jobs = new JobRepository(context);
        var filesystems = new FilesystemRepository(context);
        string good = RedisFixture.NewId("good"), bad = RedisFixture.NewId("bad"), sid = RedisFixture.NewId("sid");
        Assert.True(await rooms.CreateAsync(good));
        Assert.True(await rooms.CreateAsync(bad));
        var extension = ExtensionId.InRoom(good, "modifiers", "Rotate");
        await extensions.RegisterExtensionAsync(extension, System.Text.Json.JsonDocument.Parse("{}").RootElement, sid);
        var task = ExtensionRepositoryContract.NewTask(good);
        await jobs.CreateAsync(ExtensionRepositoryContract.NewJob(good, task.JobId, DateTime.UtcNow), task);
        await filesystems.SaveAsync(new FilesystemInfo("data", "local", sid, "bob", false, ExtensionScope.Room, good));
        await redis.Database.StringSetAsync(space.Room(bad).KeyRegistry(), "not a set");
        await redis.Database.StringSetAsync(space.Room(bad).JobsActive(), "not a set");
        await redis.Database.StringSetAsync(space.Room(bad).FilesystemsIndex(), "not a set");
        using var unreadable = new UnreadableCounter();

        var extensionIds = await extensions.ListIdsAsync().ToListAsync();
        var jobIds = await jobs.ListIdsAsync().ToListAsync();
        var filesystemIds = await filesystems.ListIdsAsync().ToListAsync();

        Assert.Contains(extension, extensionIds);
        Assert.DoesNotContain(extensionIds, id => id.RoomId == bad);
        Assert.Equal([new JobId(good, task.JobId)], jobIds.Where(id => id.RoomId == good || id.RoomId == bad));
        Assert.Equal([FilesystemId.InRoom(good, "data")], filesystemIds.Where(id => id.RoomId == good || id.RoomId == bad));
        Assert.True(unreadable.Count(UnreadableEntries.Extension) >= 1);
        Assert.True(unreadable.Count(UnreadableEntries.Job) >= 1);
        Assert.True(unreadable.Count(UnreadableEntries.Filesystem) >= 1);
    }
}
