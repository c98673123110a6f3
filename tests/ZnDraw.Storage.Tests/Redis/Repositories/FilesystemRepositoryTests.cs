using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the filesystem repository (ZnDraw's keys, the index and key registry, round trips, ZnDraw-written filesystems, wrong types); its behaviour is <see cref="Testing.Contracts.FilesystemRepositoryContract"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class FilesystemRepositoryTests(RedisFixture redis)
{
    private IDatabase Db => redis.Database;

    [Fact]
    public async Task Register_writes_zndraw_keys_and_the_index_in_one_round_trip()
    {
        var repo = new FilesystemRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var fs = new FilesystemInfo("data", "LocalFileSystem", sid, "bob", false, ExtensionScope.Room, room);
        await repo.SaveAsync(fs with { RoomId = RedisFixture.NewId("warm") }); // script cached (EVALSHA)

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.SaveAsync(fs));

        Assert.Equal(1, m.RoundTrips);
        var hash = (await Db.HashGetAllAsync($"room:{room}:filesystems:data")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal("false", hash["public"]);
        Assert.Equal("LocalFileSystem", hash["fsType"]);
        Assert.Equal(sid, (string?)await Db.StringGetAsync($"room:{room}:filesystems:data:worker"));
        Assert.True(await Db.SetContainsAsync($"room:{room}:filesystems:{sid}", "data"));
        Assert.True(await Db.SetContainsAsync($"room:{room}:filesystems", "data"));
        Assert.True(await Db.SetContainsAsync($"room:{room}:keys", $"room:{room}:filesystems:data:worker"));
        Assert.Equal(fs, await repo.GetByIdAsync(FilesystemId.InRoom(room, "data")));
        Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await repo.GetByIdAsync(FilesystemId.InRoom(room, "data")); })).RoundTrips);
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task List_and_unregister_are_one_round_trip_and_unregistering_deletes_the_worker_keys(string space)
    {
        var repo = new FilesystemRepository(TestSpaces.Context(redis, space));
        var ks = TestSpaces.Get(space);
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        await repo.SaveAsync(new FilesystemInfo("b", "s3", sid, "bob", false, ExtensionScope.Room, room));
        await repo.SaveAsync(new FilesystemInfo("a:x", "local", sid, "bob", true, ExtensionScope.Room, room));
        await repo.ListAsync(ExtensionScope.Room, room); // loads the script, so the measured call is the steady state
        Assert.False(await repo.DeleteAsync(new FilesystemId(ExtensionScope.Room, room, "missing"))); // also loads the script

        var (list, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.ListAsync(ExtensionScope.Room, room));
        var (unregistered, um) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DeleteAsync(new FilesystemId(ExtensionScope.Room, room, "b")));

        Assert.Equal((2, 1), (list.Count, m.RoundTrips));
        Assert.Equal((true, 1), (unregistered, um.RoundTrips));
        Assert.False(await Db.SetContainsAsync(ks.Filesystem(room, "b").UserFilesystems(sid), "b"));
        Assert.False(await Db.KeyExistsAsync(ks.Filesystem(room, "b").Worker()));
        Assert.Equal(1, await repo.UnregisterWorkerAsync(sid));
        Assert.False(await Db.KeyExistsAsync(ks.Filesystem(room, "a:x").Worker()));
        Assert.False(await Db.KeyExistsAsync(ks.Filesystem(room, "a:x").Metadata()));
        Assert.False(await Db.KeyExistsAsync(ks.Filesystem(room, "a:x").UserFilesystems(sid)));
        Assert.False(await Db.KeyExistsAsync(ks.Worker(sid).Registrations()));
    }

    [Fact]
    public async Task Reads_a_filesystem_written_by_zndraw()
    {
        var repo = new FilesystemRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room");
        await Db.HashSetAsync($"room:{room}:filesystems:remote", [new("name", "remote"), new("fsType", "S3FileSystem"), new("workerId", "abc"), new("userName", "bob"), new("public", "true")]);
        await Db.StringSetAsync($"room:{room}:filesystems:remote:worker", "abc");
        await Db.SetAddAsync($"room:{room}:filesystems:abc", "remote");

        Assert.Equal(new FilesystemInfo("remote", "S3FileSystem", "abc", "bob", true, ExtensionScope.Room, room), await repo.GetByIdAsync(FilesystemId.InRoom(room, "remote")));
        Assert.True(await repo.DeleteAsync(FilesystemId.InRoom(room, "remote")));
        Assert.False(await Db.KeyExistsAsync($"room:{room}:filesystems:abc"));
    }

    [Fact]
    public async Task A_name_colliding_with_a_reverse_index_is_refused_before_any_write()
    {
        var repo = new FilesystemRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        await repo.SaveAsync(new FilesystemInfo("data", "local", sid, "bob", false, ExtensionScope.Room, room));

        // A filesystem named like the worker's sid would be the worker's reverse index (ZnDraw's own key collision).
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () =>
            await repo.SaveAsync(new FilesystemInfo(sid, "local", "other", "eve", false, ExtensionScope.Room, room)));
        Assert.Contains($"room:{room}:filesystems:{sid}", ex.Message, StringComparison.Ordinal);
        Assert.False(await Db.KeyExistsAsync($"room:{room}:filesystems:{sid}:worker"));
        Assert.False(await Db.SetContainsAsync($"room:{room}:filesystems", sid));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Register_and_unregister_keep_the_registry_and_a_wrong_typed_reverse_index_is_named(string space)
    {
        var repo = new FilesystemRepository(TestSpaces.Context(redis, space));
        var ks = TestSpaces.Get(space);
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var fs = new FilesystemInfo("data", "local", sid, "bob", true, ExtensionScope.Room, room);
        var keys = ks.Filesystem(room, "data");

        await repo.SaveAsync(fs);

        Assert.Equal(fs, await repo.GetByIdAsync(FilesystemId.InRoom(room, "data")));
        var registry = (await Db.SetMembersAsync(ks.Room(room).KeyRegistry())).Select(v => (string)v!).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { keys.Metadata(), keys.Worker(), keys.UserFilesystems(sid) }.Select(k => (string)k!).Order(StringComparer.Ordinal), registry);
        Assert.True(await repo.DeleteAsync(new FilesystemId(ExtensionScope.Room, room, "data")));
        Assert.Empty(await Db.SetMembersAsync(ks.Room(room).KeyRegistry()).ContinueWith(t => t.Result.Where(v => ((string)v!).Contains(":filesystems:data", StringComparison.Ordinal))));
        Assert.False(await Db.SetContainsAsync(keys.UserFilesystems(sid), "data"));

        await repo.SaveAsync(fs);
        RedisKey reverse = keys.UserFilesystems(sid);
        await Db.KeyDeleteAsync(reverse);
        await Db.StringSetAsync(reverse, "not a set");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.UnregisterWorkerAsync(sid));
        Assert.Contains((string)reverse!, ex.Message, StringComparison.Ordinal);
        Assert.Equal(fs, await repo.GetByIdAsync(FilesystemId.InRoom(room, "data"))); // nothing removed

        await Db.KeyDeleteAsync(reverse);
        await Db.SetAddAsync(reverse, "data");
        Assert.Equal(1, await repo.UnregisterWorkerAsync(sid));
        Assert.Null(await repo.GetByIdAsync(FilesystemId.InRoom(room, "data")));
    }
}
