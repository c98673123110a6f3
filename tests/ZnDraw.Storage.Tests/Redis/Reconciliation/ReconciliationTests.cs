using System.Net.Sockets;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using static ZnDraw.Storage.Tests.Redis.Reconciliation.ZnDrawWriter;

namespace ZnDraw.Storage.Tests.Redis.Reconciliation;

/// <summary>
/// Background reconciliation on the shared test Redis, which emits no keyspace notifications (and is never
/// reconfigured): what another writer created before start, the periodic fallback, the off switch, the worker reverse
/// index, and a Redis that is not there. Each test has its own key prefix.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ReconciliationTests(RedisFixture redis)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(15);
    private readonly IDatabase _db = redis.Database;

    private static string NewPrefix() => RedisFixture.NewId("rec") + ":";

    [Fact]
    public async Task Rooms_users_and_admins_written_before_start_are_listed_once_the_host_has_started()
    {
        string p = NewPrefix();
        await CreateRoomAsync(_db, p, "r1");
        await CreateRoomAsync(_db, p, "r2");
        await CreateUserAsync(_db, p, "alice");
        await CreateUserAsync(_db, p, "bob");
        await MakeAdminAsync(_db, p, "alice");
        Assert.False(await _db.KeyExistsAsync($"{p}rooms:index"));

        await using var host = await ReconcileHost.StartAsync(redis.Address, p, o =>
        {
            o.Interval = TimeSpan.FromHours(1); // only the reconcile at start
            o.PageSize = 10; // many small SCAN pages
            o.UseKeyspaceNotifications = false;
        });

        await EventuallyAsync(async () => (await host.RoomListAsync()).SequenceEqual(["r1", "r2"]), Bound, "rooms listed");
        await EventuallyAsync(async () => (await host.UserListAsync()).SequenceEqual(["alice", "bob"]), Bound, "users listed");
        await EventuallyAsync(async () => (await host.AdminListAsync()).SequenceEqual(["alice"]), Bound, "admins listed");
        Assert.Contains((await host.Rooms.ListDetailsAsync()).Select(r => r.Id), id => id == "r1");
    }

    [Fact]
    public async Task Without_notifications_changes_reach_the_listing_at_the_next_interval_after_one_warning_naming_the_setting()
    {
        string p = NewPrefix();
        await using var host = await ReconcileHost.StartAsync(redis.Address + ",allowAdmin=true", p, o => o.Interval = TimeSpan.FromMilliseconds(500));

        // The shared server emits nothing: one warning naming the setting and the flags it lacks.
        await EventuallyAsync(() => Task.FromResult(host.Logged(3406).Count > 0), Bound, "warning 3406");
        var warning = Assert.Single(host.Logged(3406));
        Assert.Contains("notify-keyspace-events", warning.Message, StringComparison.Ordinal);
        Assert.Contains("K$hgx", warning.Message, StringComparison.Ordinal);

        await CreateRoomAsync(_db, p, "late");
        await CreateUserAsync(_db, p, "carol");
        await MakeAdminAsync(_db, p, "carol");
        await EventuallyAsync(async () => (await host.RoomListAsync()).SequenceEqual(["late"]), Bound, "room appears");
        await EventuallyAsync(async () => (await host.UserListAsync()).SequenceEqual(["carol"]), Bound, "user appears");
        await EventuallyAsync(async () => (await host.AdminListAsync()).SequenceEqual(["carol"]), Bound, "admin appears");

        await DeleteRoomAsync(_db, p, "late");
        await DeleteUserAsync(_db, p, "carol");
        await EventuallyAsync(async () => (await host.RoomListAsync()).Length == 0, Bound, "room leaves");
        await EventuallyAsync(async () => (await host.UserListAsync()).Length == 0, Bound, "user leaves");
        await EventuallyAsync(async () => (await host.AdminListAsync()).Length == 0, Bound, "admin leaves");
        Assert.Single(host.Logged(3406)); // once per start, not per interval
    }

    [Fact]
    public async Task An_acl_user_without_config_gets_one_warning_and_the_periodic_fallback()
    {
        string p = NewPrefix();
        string user = RedisFixture.NewId("acl");
        IServer server = redis.Connection.GetServers()[0];
        await server.ExecuteAsync("ACL", "SETUSER", user, "on", ">secret-pw", "~*", "&*", "+@all", "-config");
        try
        {
            await using var host = await ReconcileHost.StartAsync(
                $"{redis.Address},user={user},password=secret-pw,allowAdmin=true",
                p,
                o =>
                {
                    o.Interval = TimeSpan.FromMilliseconds(500);
                    o.ConfigureKeyspaceNotifications = true; // asked, but not permitted
                });

            await EventuallyAsync(() => Task.FromResult(host.Logged(3405).Count > 0), Bound, "warning 3405");
            var warning = Assert.Single(host.Logged(3405));
            Assert.Contains("notify-keyspace-events", warning.Message, StringComparison.Ordinal);
            Assert.Contains("NOPERM", warning.Message, StringComparison.OrdinalIgnoreCase);

            await CreateRoomAsync(_db, p, "acl-room");
            await EventuallyAsync(async () => (await host.RoomListAsync()).SequenceEqual(["acl-room"]), Bound, "room appears");
            await DeleteRoomAsync(_db, p, "acl-room");
            await EventuallyAsync(async () => (await host.RoomListAsync()).Length == 0, Bound, "room leaves");
            Assert.Single(host.Logged(3405));
            Assert.Equal(string.Empty, (string?)(await server.ConfigGetAsync("notify-keyspace-events")).Single().Value);
        }
        finally
        {
            await server.ExecuteAsync("ACL", "DELUSER", user);
        }
    }

    [Fact]
    public async Task Disabled_reconciliation_lists_nothing_another_writer_wrote()
    {
        string p = NewPrefix();
        await CreateRoomAsync(_db, p, "r1");
        await CreateUserAsync(_db, p, "alice");
        await using var host = await ReconcileHost.StartAsync(redis.Address, p, o =>
        {
            o.Enabled = false;
            o.Interval = TimeSpan.FromMilliseconds(100);
        });

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        await CreateRoomAsync(_db, p, "r2");
        await Task.Delay(TimeSpan.FromSeconds(0.5));

        Assert.Empty(await host.RoomListAsync());
        Assert.Empty(await host.UserListAsync());
        Assert.False(await _db.KeyExistsAsync($"{p}rooms:index"));
        Assert.Single(host.Logged(3400));
    }

    [Fact]
    public async Task The_reconcile_rebuilds_the_worker_reverse_index_so_disconnect_cleanup_removes_a_worker_zndraw_registered()
    {
        string p = NewPrefix();
        string sid = "S" + Guid.NewGuid().ToString("N")[..19];
        await CreateRoomAsync(_db, p, "lab");

        // A worker registered by ZnDraw: schema, idle set and ZnDraw's own reverse index, in the room and globally.
        await _db.HashSetAsync($"{p}room:lab:extensions:modifiers", "Shift", "{\"properties\": {}}");
        await _db.SetAddAsync($"{p}room:lab:extensions:modifiers:Shift:idle_workers", sid);
        await _db.SetAddAsync($"{p}room:lab:extensions:modifiers:{sid}", "Shift");
        await _db.HashSetAsync($"{p}global:extensions:analysis", "Plot", "{\"properties\": {}}");
        await _db.SetAddAsync($"{p}global:extensions:analysis:Plot:progressing_workers", sid);
        await _db.SetAddAsync($"{p}global:extensions:analysis:{sid}", "Plot");

        await using var host = await ReconcileHost.StartAsync(redis.Address, p, o =>
        {
            o.Interval = TimeSpan.FromHours(1);
            o.UseKeyspaceNotifications = false;
        });

        string registrations = $"{p}zndraw-storage:worker:{sid}:registrations";
        await EventuallyAsync(async () => await _db.SetLengthAsync(registrations) == 2, Bound, "reverse index rebuilt");
        Assert.Equal(
            ["extensions:global:analysis", "extensions:room:lab:modifiers"],
            (await _db.SetMembersAsync(registrations)).Select(v => v.ToString()).Order(StringComparer.Ordinal));

        int removed = await host.Extensions.CleanupUserExtensionsAsync(sid);

        Assert.Equal(2, removed);
        Assert.False(await _db.SetContainsAsync($"{p}room:lab:extensions:modifiers:Shift:idle_workers", sid));
        Assert.False(await _db.SetContainsAsync($"{p}global:extensions:analysis:Plot:progressing_workers", sid));
        Assert.False(await _db.HashExistsAsync($"{p}room:lab:extensions:modifiers", "Shift")); // no worker, empty queue
        Assert.False(await _db.HashExistsAsync($"{p}global:extensions:analysis", "Plot"));
    }

    [Fact]
    public async Task A_redis_that_is_not_there_is_logged_and_retried_without_stopping_the_host()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        var host = await ReconcileHost.StartAsync($"127.0.0.1:{port},abortConnect=false,connectTimeout=200,asyncTimeout=500", RedisFixture.NewId("gone") + ":", o =>
            o.Interval = TimeSpan.FromMilliseconds(100));
        var lifetime = host.Host.Services.GetRequiredService<IHostApplicationLifetime>();

        // The connection says once that Redis is not there (3700); the reconciler waits for it quietly instead of
        // failing every interval (no 3402).
        await EventuallyAsync(() => Task.FromResult(host.Logged(3700).Count > 0), Bound, "warning 3700");
        await Task.Delay(TimeSpan.FromSeconds(1)); // many intervals
        Assert.Single(host.Logged(3700));
        Assert.Empty(host.Logged(3402));
        Assert.DoesNotContain(host.Logs.Collector.GetSnapshot(), r => r.Level >= LogLevel.Warning && r.Id.Id != 3700);
        Assert.False(lifetime.ApplicationStopping.IsCancellationRequested);

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await host.DisposeAsync(); // cancellable at host stop
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(5), $"stop took {stopping.Elapsed}");
    }

    [Fact]
    public async Task The_scan_pauses_after_each_page_when_asked()
    {
        var space = new KeySpace(NewPrefix());
        for (int i = 0; i < 50; i++)
        {
            await _db.StringSetAsync($"{space.Prefix}room:p{i}:current_frame", "0");
        }

        var maintenance = new IndexMaintenance(new RedisStoreContext(redis.Connection, space));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        ReindexResult result = await maintenance.ReindexAsync(10, TimeSpan.FromMilliseconds(100), CancellationToken.None);

        Assert.Equal(50, result.Rooms);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(450), $"50 keys in pages of 10 with 100 ms pauses took {watch.Elapsed}");
    }

    [Theory]
    [InlineData("\"Interval\": \"00:00:00.050\"", "IndexReconciliation.Interval")]
    [InlineData("\"Interval\": \"2.00:00:00\"", "IndexReconciliation.Interval")]
    [InlineData("\"PageSize\": 5", "IndexReconciliation.PageSize")]
    [InlineData("\"PauseBetweenPages\": \"00:01:00\"", "IndexReconciliation.PauseBetweenPages")]
    public async Task An_invalid_reconciliation_setting_fails_host_start_naming_it(string setting, string name)
    {
        var config = new ConfigurationBuilder()
            .AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes($$"""{ "ConnectionString": "{{redis.Address}}", "IndexReconciliation": { {{setting}} } }""")))
            .Build();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddZnDrawStorage(config);
        using IHost host = builder.Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }
}
