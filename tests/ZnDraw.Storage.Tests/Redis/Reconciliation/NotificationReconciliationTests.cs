using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using StackExchange.Redis;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using static ZnDraw.Storage.Tests.Redis.Reconciliation.ZnDrawWriter;

namespace ZnDraw.Storage.Tests.Redis.Reconciliation;

/// <summary>
/// Reconciliation driven by keyspace notifications, on the dedicated Redis of <see cref="RedisNotifyFixture"/>. The
/// interval is one hour, so only a notification can bring a change within the 2 s bound.
/// </summary>
[Collection(RedisNotifyCollection.Name)]
public sealed class NotificationReconciliationTests(RedisNotifyFixture redis)
{
    private static readonly TimeSpan Notified = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly IDatabase _db = redis.Database;

    private static string NewPrefix() => RedisFixture.NewId("ntf") + ":";

    private static void NotificationsOnly(ZnDrawIndexReconciliationOptions o) => o.Interval = TimeSpan.FromHours(1);

    /// <summary>Waits for the reconcile at start (which runs after the subscription): a room written before start is listed.</summary>
    private async Task<ReconcileHost> StartAndSettleAsync(string p, Action<ZnDrawIndexReconciliationOptions> configure, string address)
    {
        await CreateRoomAsync(_db, p, "before");
        var host = await ReconcileHost.StartAsync(address, p, configure);
        await EventuallyAsync(async () => (await host.RoomListAsync()).Contains("before"), Bound, "reconcile at start");
        return host;
    }

    [Fact]
    public async Task Rooms_users_and_admins_another_writer_creates_or_deletes_reach_the_listing_within_two_seconds()
    {
        string p = NewPrefix();
        await using var host = await StartAndSettleAsync(p, NotificationsOnly, redis.Address);

        // A client without admin mode cannot read the setting (one information message, no warning), but the events
        // the server emits are used.
        Assert.Single(host.Logged(3412));
        Assert.Empty(host.Logged(3405));
        Assert.Empty(host.Logged(3406));

        await CreateRoomAsync(_db, p, "new-room");
        await EventuallyAsync(async () => (await host.RoomListAsync()).Contains("new-room"), Notified, "room appears");
        await CreateUserAsync(_db, p, "dave");
        await EventuallyAsync(async () => (await host.UserListAsync()).SequenceEqual(["dave"]), Notified, "user appears");
        await MakeAdminAsync(_db, p, "dave");
        await EventuallyAsync(async () => (await host.AdminListAsync()).SequenceEqual(["dave"]), Notified, "admin appears");

        await _db.StringSetAsync($"{p}admin:user:dave", "0"); // demoted: leaves the admin listing only
        await EventuallyAsync(async () => (await host.AdminListAsync()).Length == 0, Notified, "admin leaves");
        Assert.Equal(["dave"], await host.UserListAsync());

        await DeleteRoomAsync(_db, p, "new-room");
        await EventuallyAsync(async () => !(await host.RoomListAsync()).Contains("new-room"), Notified, "room leaves");
        await DeleteUserAsync(_db, p, "dave");
        await EventuallyAsync(async () => (await host.UserListAsync()).Length == 0, Notified, "user leaves");
        Assert.Equal(["before"], await host.RoomListAsync());
    }

    [Fact]
    public async Task Keys_of_other_prefixes_and_keys_that_only_look_like_index_keys_are_ignored()
    {
        string p = NewPrefix();
        await using var host = await StartAndSettleAsync(p, NotificationsOnly, redis.Address);

        // Another key space on the same server, and keys that only look like index keys.
        await CreateRoomAsync(_db, NewPrefix(), "elsewhere");
        await _db.StringSetAsync($"{p}room:bad id:current_frame", "0");
        await _db.StringSetAsync($"{p}user:notahash", "x");
        await CreateRoomAsync(_db, p, "marker");
        await EventuallyAsync(async () => (await host.RoomListAsync()).Contains("marker"), Notified, "marker appears");

        Assert.Equal(["before", "marker"], await host.RoomListAsync());
        Assert.Empty(await host.UserListAsync());
    }

    [Fact]
    public async Task With_configure_allowed_the_library_adds_the_missing_flags_and_keeps_the_existing_ones()
    {
        await redis.Server.ConfigSetAsync("notify-keyspace-events", "Kl"); // list events only: not enough
        try
        {
            string p = NewPrefix();
            await using var host = await StartAndSettleAsync(
                p,
                o =>
                {
                    NotificationsOnly(o);
                    o.ConfigureKeyspaceNotifications = true;
                },
                redis.Address + ",allowAdmin=true");

            string flags = (string?)(await redis.Server.ConfigGetAsync("notify-keyspace-events")).Single().Value ?? string.Empty;
            foreach (char c in "Kl$hgx")
            {
                Assert.Contains(c, flags);
            }

            Assert.Single(host.Logged(3407));
            await CreateRoomAsync(_db, p, "configured");
            await EventuallyAsync(async () => (await host.RoomListAsync()).Contains("configured"), Notified, "room appears");
        }
        finally
        {
            await redis.RestoreAsync();
        }
    }

    [Fact]
    public async Task Key_event_notifications_alone_are_used_too()
    {
        await redis.Server.ConfigSetAsync("notify-keyspace-events", "E$hgx");
        try
        {
            string p = NewPrefix();
            await using var host = await StartAndSettleAsync(p, NotificationsOnly, redis.Address + ",allowAdmin=true");
            Assert.Empty(host.Logged(3406));

            await CreateUserAsync(_db, p, "erin");
            await EventuallyAsync(async () => (await host.UserListAsync()).SequenceEqual(["erin"]), Notified, "user appears");
            await DeleteUserAsync(_db, p, "erin");
            await EventuallyAsync(async () => (await host.UserListAsync()).Length == 0, Notified, "user leaves");
        }
        finally
        {
            await redis.RestoreAsync();
        }
    }

    [Fact]
    public async Task The_counter_reports_entries_added_and_removed_by_reconciliation()
    {
        var measured = new ConcurrentBag<(string Index, string Change, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ZnDrawStorageDiagnostics.Name && instrument.Name == ZnDrawStorageDiagnostics.IndexReconciledInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string index = string.Empty, change = string.Empty;
            foreach (var tag in tags)
            {
                if (tag.Key == "zndraw.storage.index")
                {
                    index = (string)tag.Value!;
                }
                else if (tag.Key == "zndraw.storage.change")
                {
                    change = (string)tag.Value!;
                }
            }

            measured.Add((index, change, value));
        });
        listener.Start();

        long Sum(string index, string change) => measured.Where(m => m.Index == index && m.Change == change).Sum(m => m.Value);

        string p = NewPrefix();
        await CreateRoomAsync(_db, p, "c1");
        await CreateUserAsync(_db, p, "frank");
        await MakeAdminAsync(_db, p, "frank");
        await using var host = await StartAndSettleAsync(p, NotificationsOnly, redis.Address);

        // Other tests may reconcile at the same time (the counter is process-wide): at least ours are counted.
        await EventuallyAsync(() => Task.FromResult(Sum("rooms", "added") >= 2 && Sum("users", "added") >= 1 && Sum("admins", "added") >= 1), Bound, "added counted");

        long removedBefore = Sum("rooms", "removed");
        await DeleteRoomAsync(_db, p, "c1");
        await EventuallyAsync(() => Task.FromResult(Sum("rooms", "removed") >= removedBefore + 1), Notified, "removal counted");
        Assert.All(measured, m => Assert.Contains(m.Change, (string[])["added", "removed"]));
        Assert.All(measured, m => Assert.Contains(m.Index, (string[])["rooms", "users", "admins", "workers"]));
    }
}
