using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>
/// The room repositories in the cluster-safe layout against a real 3-node Redis Cluster: every script and transaction
/// must be single-slot (a CROSSSLOT error fails these tests), and the split multi-slot steps must still work. Users,
/// sessions, locks, extensions, jobs and filesystems run their whole contract on the cluster (Redis/Contracts).
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterSafeRepositoriesOnRealClusterTests(RedisClusterFixture cluster)
{
    private ZnDrawRedisStore Store() =>
        new(cluster.Connection, new KeySpace("t" + Guid.NewGuid().ToString("N")[..8] + ":", KeyLayout.ClusterSafe));

    [Fact]
    public async Task Room_lifecycle_frames_bookmarks_copy_and_delete_run_on_a_cluster()
    {
        var store = Store();
        var room = RedisFixture.NewId("room");
        var copy = RedisFixture.NewId("copy");

        Assert.True(await store.Rooms.CreateAsync(room, "on a cluster"));
        Assert.False(await store.Rooms.CreateAsync(room));
        Assert.Equal(0, await store.Frames.AppendAsync(room, [new FrameIndex(room, 0), new FrameIndex(room, 1), new FrameIndex(room, 2)]));
        await store.Frames.InsertAsync(room, 1, new FrameIndex(room, 9));
        await store.Bookmarks.SetAsync(room, 2, "two");
        Assert.Equal(1, await store.Frames.DeleteAsync(room, [0]));
        Assert.Equal("two", (await store.Bookmarks.GetAsync(room, 1))?.Label);
        Assert.True(await store.Rooms.SetLockedAsync(room, true));

        Assert.Equal(RoomCopyResult.Copied, await store.Rooms.CopyAsync(room, copy));
        Assert.Equal(3, await store.Frames.CountAsync(copy));
        Assert.Contains(room, await store.Rooms.ListAllAsync());
        Assert.Contains(copy, await store.Rooms.ListAllAsync());

        var fetched = await store.Rooms.GetWithFrameCountAsync(room);
        Assert.NotNull(fetched);
        Assert.True(fetched.Locked);
        Assert.Equal(3, fetched.FrameCount);

        Assert.True(await store.Rooms.DeleteAsync(room));
        Assert.True(await store.Rooms.DeleteAsync(copy));
        Assert.DoesNotContain(room, await store.Rooms.ListAllAsync());
        Assert.False(await store.Rooms.ExistsAsync(copy));
    }

    [Fact]
    public async Task Deleting_a_room_removes_its_users_locks_extensions_and_jobs_on_a_cluster()
    {
        var store = Store();
        var room = RedisFixture.NewId("room");
        var named = RedisFixture.NewId("alice");
        var worker = Guid.NewGuid().ToString("N");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        using var schema = JsonDocument.Parse("""{"angle": {"type": "number"}}""");
        using var data = JsonDocument.Parse("""{"angle": 1.0}""");
        var jobId = Guid.NewGuid().ToString();
        Assert.True(await store.Rooms.CreateAsync(room));
        Assert.True(await store.Users.CreateAsync(new User(named)));
        Assert.True(await store.Rooms.AddUserAsync(room, named));
        Assert.Contains(named, await store.Rooms.GetUsersAsync(room));
        Assert.True(await store.Locks.AcquireAsync(room, LockInfo.TrajectoryMetaTarget, named, TimeSpan.FromSeconds(30)));
        Assert.Equal(ExtensionRegistrationResult.Registered, await store.Extensions.RegisterExtensionAsync(ext, schema.RootElement, worker));
        await store.Jobs.CreateAsync(
            new Job(jobId, room, "modifiers", "Rotate", data.RootElement.Clone(), named, JobStatus.Queued, JobProvider.Client, DateTime.UtcNow),
            new ExtensionTask(named, data.RootElement.Clone(), room, jobId));

        Assert.True(await store.Rooms.DeleteAsync(room));

        Assert.Null(await store.Locks.GetAsync(room, LockInfo.TrajectoryMetaTarget));
        Assert.Null(await store.Extensions.GetByIdAsync(ext));
        Assert.Equal(0, await store.Extensions.QueueLengthAsync(ext));
        Assert.Null(await store.Jobs.GetByIdAsync(new JobId(room, jobId)));
        Assert.True(await store.Users.ExistsAsync(named)); // users are not the room's
        Assert.True(await store.Users.DeleteAsync(named));
    }
}
