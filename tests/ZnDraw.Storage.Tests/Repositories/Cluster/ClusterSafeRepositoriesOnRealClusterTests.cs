using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Repositories.Cluster;

/// <summary>
/// The repositories in the cluster-safe layout against a real 3-node Redis Cluster: every script and transaction
/// must be single-slot (a CROSSSLOT error fails these tests), and the split multi-slot steps must still work.
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
    public async Task Users_sessions_and_locks_run_on_a_cluster()
    {
        var store = Store();
        var guest = "user-" + Guid.NewGuid().ToString("N")[..8];
        var named = "alice-" + Guid.NewGuid().ToString("N")[..8];
        var room = RedisFixture.NewId("room");
        Assert.True(await store.Users.CreateAsync(new User(guest)));
        await store.Users.SetAdminAsync(guest, true);
        Assert.True(await store.Users.RenameAsync(guest, named, new string('a', 64), "00112233445566778899aabbccddeeff"));
        Assert.Equal(UserRole.Admin, await store.Users.GetRoleAsync(named));
        Assert.Contains(named, await store.Users.ListAdminsAsync());
        Assert.DoesNotContain(guest, await store.Users.ListAllAsync());

        var sid = Guid.NewGuid().ToString("N");
        await store.Sessions.SaveAsync(new SessionInfo(sid, named, UserRole.Admin));
        Assert.Equal(named, (await store.Sessions.GetByIdAsync(sid))?.UserName);

        Assert.True(await store.Rooms.CreateAsync(room));
        Assert.True(await store.Rooms.AddUserAsync(room, named));
        Assert.Contains(named, await store.Rooms.GetUsersAsync(room));
        Assert.True(await store.Locks.AcquireAsync(room, "trajectory:meta", named, TimeSpan.FromSeconds(30)));
        Assert.False(await store.Locks.AcquireAsync(room, "trajectory:meta", "bob", TimeSpan.FromSeconds(30)));
        Assert.True(await store.Locks.ReleaseAsync(room, "trajectory:meta", named));
        Assert.True(await store.Rooms.DeleteAsync(room));
        Assert.True(await store.Sessions.DeleteAsync(sid));
        Assert.True(await store.Users.DeleteAsync(named));
    }

    [Fact]
    public async Task Extensions_workers_and_jobs_run_on_a_cluster()
    {
        var store = Store();
        var room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        using var schema = JsonDocument.Parse("""{"angle": {"type": "number"}}""");
        var workers = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid().ToString("N")).ToArray();
        foreach (var w in workers)
        {
            Assert.NotEqual(ExtensionRegistrationResult.SchemaConflict, await store.Extensions.RegisterExtensionAsync(ext, schema.RootElement, w));
        }

        var jobId = Guid.NewGuid().ToString();
        using var data = JsonDocument.Parse("""{"angle": 1.0}""");
        var job = new Job(jobId, room, "modifiers", "Rotate", data.RootElement.Clone(), "alice", JobStatus.Queued, JobProvider.Client, DateTime.UtcNow);
        await store.Jobs.CreateAsync(job, new ExtensionTask("alice", data.RootElement.Clone(), room, jobId));
        var taken = await store.Extensions.DequeueAsync(ext, workers[0]);
        Assert.Equal(ExtensionDequeueStatus.Dequeued, taken.Status);
        Assert.True(taken.JobStarted);
        Assert.Equal(JobTransitionResult.Applied, await store.Jobs.CompleteAsync(room, jobId, data.RootElement));
        Assert.True(await store.Extensions.ReleaseWorkerAsync(ext, workers[0]));

        var acquired = await store.Extensions.AcquireWorkerAsync(ext);
        Assert.Contains(acquired, workers);
        Assert.True(await store.Extensions.ReleaseWorkerAsync(ext, acquired!));

        var global = ExtensionId.Global("analysis", "Plot");
        Assert.NotEqual(ExtensionRegistrationResult.SchemaConflict, await store.Extensions.RegisterExtensionAsync(global, schema.RootElement, workers[1]));
        var removal = await store.Extensions.UnregisterWorkerAsync(workers[1]);
        Assert.Equal(2, removal.Registrations);
        Assert.Null(await store.Extensions.GetByIdAsync(global));
        Assert.NotNull(await store.Extensions.GetByIdAsync(ext));
        Assert.True(await store.Rooms.CreateAsync(room));
        Assert.True(await store.Rooms.DeleteAsync(room));
        Assert.Null(await store.Extensions.GetByIdAsync(ext));
    }
}
