using StackExchange.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using static ZnDraw.Storage.Tests.Redis.Reconciliation.ZnDrawWriter;

namespace ZnDraw.Storage.Tests.Redis.Reconciliation;

/// <summary>Reconciliation on a Redis Cluster (cluster-safe layout): every primary is scanned; no notifications.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class ClusterReconciliationTests(RedisClusterFixture cluster)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly IDatabase _db = cluster.Database;

    [Fact]
    public async Task Rooms_users_and_workers_on_every_primary_are_reconciled_at_start_and_at_each_interval()
    {
        string p = RedisFixture.NewId("crec") + ":";
        string[] rooms = [.. Enumerable.Range(0, 12).Select(i => $"room{i}")]; // spread over the three primaries
        foreach (string room in rooms)
        {
            await _db.StringSetAsync($"{p}room:{{{room}}}:current_frame", "0");
        }

        await _db.HashSetAsync($"{p}user:{{alice}}", "userName", "alice");
        await _db.StringSetAsync($"{p}admin:user:{{alice}}", "1");
        string sid = "S" + Guid.NewGuid().ToString("N")[..19];
        await _db.SetAddAsync($"{p}room:{{room0}}:extensions:modifiers:Shift:idle_workers", sid);
        await _db.SetAddAsync($"{p}global:extensions:{{analysis}}:Plot:idle_workers", sid);

        await using var host = await ReconcileHost.StartAsync(
            cluster.Connection.Configuration,
            p,
            o => o.Interval = TimeSpan.FromMilliseconds(500),
            KeyLayout.ClusterSafe);

        await EventuallyAsync(async () => (await host.RoomListAsync()).SequenceEqual(rooms.Order(StringComparer.Ordinal)), Bound, "rooms listed");
        await EventuallyAsync(async () => (await host.UserListAsync()).SequenceEqual(["alice"]), Bound, "users listed");
        await EventuallyAsync(async () => (await host.AdminListAsync()).SequenceEqual(["alice"]), Bound, "admins listed");
        await EventuallyAsync(
            async () => (await _db.SetMembersAsync($"{p}zndraw-storage:worker:{{{sid}}}:registrations")).Length == 2,
            Bound,
            "worker reverse index rebuilt");
        Assert.Single(host.Logged(3408)); // notifications are per node: not used on a cluster

        await _db.KeyDeleteAsync($"{p}room:{{room3}}:current_frame");
        await _db.StringSetAsync($"{p}room:{{late}}:current_frame", "0");
        await EventuallyAsync(
            async () => (await host.RoomListAsync()).Contains("late") && !(await host.RoomListAsync()).Contains("room3"),
            Bound,
            "changes at the next interval");
    }
}
