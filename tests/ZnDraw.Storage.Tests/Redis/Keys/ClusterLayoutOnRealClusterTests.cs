using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Keys;

/// <summary>The cluster-safe layout's claims, checked by a real Redis Cluster.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterLayoutOnRealClusterTests(RedisClusterFixture cluster)
{
    private static readonly KeySpace Cluster = new(layout: KeyLayout.ClusterSafe);

    private static RedisKey[] AllRoomKeys(KeySpace space, string roomId)
    {
        var room = space.Room(roomId);
        var keys = RoomKeysTests.Members.Select(m => RoomKeysTests.Build(room, m)).ToList();
        var ext = space.Extension(roomId, "modifiers", "Rotate");
        keys.AddRange([ext.Schema(), ext.IdleWorkers(), ext.ProgressingWorkers(), ext.Queue(), ext.UserExtensions("sid1")]);
        var fs = space.Filesystem(roomId, "fs1");
        keys.AddRange([fs.Metadata(), fs.Worker(), fs.Index(), fs.UserFilesystems("sid1")]);
        keys.Add(space.Job(roomId, "6f1c2a4e-0000-4000-8000-000000000001").Hash());
        return [.. keys.Distinct()];
    }

    [Fact]
    public async Task Every_key_of_a_room_is_in_one_slot_by_the_clusters_own_slot_function()
    {
        var roomId = RedisFixture.NewId("room");
        var keys = AllRoomKeys(Cluster, roomId);
        var slots = new HashSet<int>();
        foreach (var key in keys)
        {
            var slot = await cluster.KeySlotAsync(key);
            Assert.Equal(slot, cluster.Connection.HashSlot(key));
            Assert.Equal(slot, ClusterSlot.Of(key!));
            slots.Add(slot);
        }

        Assert.Single(slots);
    }

    [Fact]
    public async Task A_transaction_over_every_key_of_a_room_runs_on_a_cluster_in_the_cluster_safe_layout()
    {
        var keys = AllRoomKeys(Cluster, RedisFixture.NewId("room"));
        var tx = cluster.Database.CreateTransaction();
        foreach (var key in keys)
        {
            _ = tx.StringSetAsync(key, "x", TimeSpan.FromSeconds(30));
        }

        Assert.True(await tx.ExecuteAsync());
        Assert.Equal(keys.Length, (int)await cluster.Database.KeyDeleteAsync(keys));
    }

    [Fact]
    public async Task The_ZnDraw_layout_spreads_a_rooms_keys_over_several_slots()
    {
        // Why the cluster-safe layout exists: ZnDraw's own keys of one room hash to different slots (CROSSSLOT).
        var keys = AllRoomKeys(KeySpace.Default, RedisFixture.NewId("room"));
        var slots = new HashSet<int>();
        foreach (var key in keys)
        {
            slots.Add(await cluster.KeySlotAsync(key));
        }

        Assert.True(slots.Count > 1);
    }

    [Fact]
    public async Task User_session_and_global_extension_keys_share_their_slot()
    {
        var user = Cluster.User("alice:" + Guid.NewGuid().ToString("N"));
        Assert.Equal(await cluster.KeySlotAsync(user.HashKey()), await cluster.KeySlotAsync(user.AdminKey()));

        var session = Cluster.Session(Guid.NewGuid().ToString("N"));
        Assert.Equal(await cluster.KeySlotAsync(session.Username()), await cluster.KeySlotAsync(session.Role()));

        var ext = Cluster.GlobalExtension("analysis", "Plot");
        var slot = await cluster.KeySlotAsync(ext.Schema());
        foreach (var key in new[] { ext.IdleWorkers(), ext.ProgressingWorkers(), ext.Queue(), ext.UserExtensions("sid1") })
        {
            Assert.Equal(slot, await cluster.KeySlotAsync(key));
        }
    }
}
