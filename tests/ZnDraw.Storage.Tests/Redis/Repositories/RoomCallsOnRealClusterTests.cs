using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>
/// The room calls added for joins, unreadable data and the default room, in the cluster-safe layout on a real 3-node
/// Redis Cluster: no CROSSSLOT error, and the split steps behave as documented.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class RoomCallsOnRealClusterTests(RedisClusterFixture cluster)
{
    private ZnDrawRedisStore Store() =>
        new(cluster.Connection, new KeySpace("t" + Guid.NewGuid().ToString("N")[..8] + ":", KeyLayout.ClusterSafe));

    [Fact]
    public async Task Add_user_default_room_and_wrong_type_reads_run_on_a_cluster()
    {
        var store = Store();
        var room = RedisFixture.NewId("room");
        var user = RedisFixture.NewId("user");
        var db = cluster.Connection.GetDatabase();
        Assert.True(await store.Rooms.CreateAsync(room));

        Assert.False(await store.Rooms.AddUserAsync(room, user));
        Assert.False(await db.KeyExistsAsync(store.Keys.User(user).HashKey()));
        Assert.True(await store.Users.CreateAsync(new User(user)));
        Assert.True(await store.Rooms.AddUserAsync(room, user));
        Assert.Equal([user], await store.Rooms.GetUsersAsync(room));

        Assert.False(await store.Rooms.SetDefaultRoomAsync(RedisFixture.NewId("missing")));
        Assert.Null(await store.Rooms.GetDefaultRoomAsync());
        Assert.True(await store.Rooms.SetDefaultRoomAsync(room));
        Assert.Equal(room, await store.Rooms.GetDefaultRoomAsync());
        Assert.True(await store.Rooms.ClearDefaultRoomAsync());

        RedisKey hidden = store.Keys.Room(room).Hidden();
        await db.KeyDeleteAsync(hidden);
        await db.SetAddAsync(hidden, "x");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await store.Rooms.GetWithFrameCountAsync(room));
        Assert.Equal(hidden.ToString(), ex.Key);

        Assert.True(await store.Rooms.DeleteAsync(room));
        await store.Users.DeleteAsync(user);
    }
}
