using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Replication;

/// <summary>
/// <see cref="ZnDrawReplicationOptions"/> on the test cluster (3 primaries, one replica each), cluster-safe layout: each
/// covered write is followed by one <c>WAIT</c> sent to the primary that took it, and is on that primary's replica when
/// the call returns (read from the replica itself). Well under a second.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ReplicaWaitOnClusterTests(RedisClusterFixture cluster)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private RedisStoreContext Context(int replicas) => new(
        cluster.Connection,
        new KeySpace("wait-" + Guid.NewGuid().ToString("N")[..8] + ":", KeyLayout.ClusterSafe),
        replication: new ZnDrawReplicationOptions { WaitForReplicas = replicas, Timeout = TimeSpan.FromSeconds(2) });

    /// <summary>Reads on a replica of the key's primary (StackExchange.Redis sends READONLY to cluster replicas).</summary>
    private Task<RedisValue> OnReplicaAsync(RedisKey key) => cluster.Database.StringGetAsync(key, CommandFlags.DemandReplica);

    [Fact]
    public async Task Covered_writes_are_on_the_replica_when_the_call_returns()
    {
        var context = Context(1);
        var locks = new LockRepository(context);
        var extensions = new ExtensionRepository(context);
        string room = RedisFixture.NewId("room");
        string worker = Guid.NewGuid().ToString("N");
        var extension = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var extensionKeys = context.Keys.Extension(extension);
        using var schema = JsonDocument.Parse("""{"properties": {}}""");

        Assert.True(await locks.AcquireAsync(room, "t", "alice", Minute));
        Assert.Equal("alice", (string?)await OnReplicaAsync(context.Keys.Room(room).Lock("t")));

        await cluster.Database.KeyExpireAsync(context.Keys.Room(room).Lock("t"), TimeSpan.FromSeconds(5));
        Assert.True(await locks.RefreshAsync(room, "t", "alice", Minute));
        Assert.True(await cluster.Database.KeyTimeToLiveAsync(context.Keys.Room(room).Lock("t"), CommandFlags.DemandReplica) > TimeSpan.FromSeconds(30));

        Assert.True(await locks.AcquirePresenterAsync(room, "sid1"));
        Assert.Equal("sid1", (string?)await OnReplicaAsync(context.Keys.Room(room).PresenterLock()));

        await extensions.RegisterExtensionAsync(extension, schema.RootElement, worker);
        Assert.True(await cluster.Database.SetContainsAsync(extensionKeys.IdleWorkers(), worker, CommandFlags.DemandReplica));
        Assert.True(await cluster.Database.SetLengthAsync(context.Keys.Worker(worker).Registrations(), CommandFlags.DemandReplica) == 1);

        Assert.Equal(worker, await extensions.AcquireWorkerAsync(extension));
        Assert.True(await cluster.Database.SetContainsAsync(extensionKeys.ProgressingWorkers(), worker, CommandFlags.DemandReplica));
        Assert.False(await cluster.Database.SetContainsAsync(extensionKeys.IdleWorkers(), worker, CommandFlags.DemandReplica));
    }

    [Fact]
    public async Task The_WAIT_goes_to_the_primary_that_took_the_write_and_only_when_asked()
    {
        string room = RedisFixture.NewId("room");
        var on = new LockRepository(Context(1));
        Assert.True(await on.AcquireAsync(room, "warm", "alice", Minute)); // the script is cached on that primary: one EVALSHA below
        var measured = await RoundTrips.MeasureAsync(cluster.Connection, async () => Assert.True(await on.AcquireAsync(room, "t", "alice", Minute)));
        Assert.Equal(EndPointOf(measured, "EVALSHA"), EndPointOf(measured, "WAIT"));
        Assert.Equal(2, measured.RoundTrips);

        var off = new LockRepository(Context(0));
        var plain = await RoundTrips.MeasureAsync(cluster.Connection, async () => Assert.True(await off.AcquireAsync(room, "t2", "alice", Minute)));
        Assert.DoesNotContain("WAIT", plain.CommandNames);
        Assert.Equal(1, plain.RoundTrips);
    }

    private static string? EndPointOf(RoundTrips.Measurement measured, string command)
    {
        var found = measured.Commands.Where(c => c.Command == command).ToList();
        Assert.True(found.Count == 1, $"expected one {command}: {measured}");
        return found[0].EndPoint?.ToString();
    }
}
