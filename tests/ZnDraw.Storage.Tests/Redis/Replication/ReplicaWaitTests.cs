using System.Diagnostics;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Replication;

/// <summary>
/// <see cref="ZnDrawReplicationOptions"/> on one server without replicas: no <c>WAIT</c> when off; with one replica
/// asked for, a covered write reaches the server, then the call throws <see cref="StorageUnavailableException"/> after
/// the timeout. Each test uses a connection of its own: a <c>WAIT</c> holds the connection it is sent on. About 0.5 s.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ReplicaWaitTests(RedisFixture redis)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromMilliseconds(200);

    private async Task<(ConnectionMultiplexer Connection, LockRepository Locks, KeySpace Keys)> LocksAsync(int replicas, KeySpace? space = null)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        var keys = space ?? new KeySpace("wait-" + Guid.NewGuid().ToString("N")[..8] + ":");
        var context = new RedisStoreContext(connection, keys, replication: new ZnDrawReplicationOptions { WaitForReplicas = replicas, Timeout = WaitTimeout });
        return (connection, new LockRepository(context), keys);
    }

    [Fact]
    public async Task Without_replicas_a_lock_acquire_reaches_the_server_then_throws_StorageUnavailable_after_the_timeout()
    {
        var (connection, locks, keys) = await LocksAsync(1);
        await using var _ = connection;
        string room = RedisFixture.NewId("room");

        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => locks.AcquireAsync(room, "t", "alice", Minute).AsTask());
        watch.Stop();

        Assert.InRange(watch.Elapsed, WaitTimeout * 0.9, WaitTimeout + TimeSpan.FromSeconds(2));
        Assert.Contains("only 0 of 1 replica(s) acknowledged", ex.Message, StringComparison.Ordinal);
        Assert.Equal(nameof(LockRepository.AcquireAsync), ex.Operation);
        Assert.Equal("alice", (string?)await redis.Database.StringGetAsync(keys.Room(room).Lock("t")));
    }

    [Fact]
    public async Task No_WAIT_is_sent_when_off_nor_after_a_call_that_changed_nothing()
    {
        var (off, offLocks, space) = await LocksAsync(0);
        await using var __ = off;
        string room = RedisFixture.NewId("room");
        var plain = await RoundTrips.MeasureAsync(off, async () =>
        {
            Assert.True(await offLocks.AcquireAsync(room, "t", "alice", Minute));
            Assert.True(await offLocks.RefreshAsync(room, "t", "alice", Minute));
        });
        Assert.DoesNotContain("WAIT", plain.CommandNames);
        Assert.Contains("EVALSHA", plain.CommandNames);

        // Asked for a replica, but the lock is held by alice: bob's acquire and refresh write nothing and wait for nothing.
        var (on, onLocks, _) = await LocksAsync(1, space);
        await using var ___ = on;
        var refused = await RoundTrips.MeasureAsync(on, async () =>
        {
            Assert.False(await onLocks.AcquireAsync(room, "t", "bob", Minute));
            Assert.False(await onLocks.RefreshAsync(room, "t", "bob", Minute));
        });
        Assert.DoesNotContain("WAIT", refused.CommandNames);
    }
}
