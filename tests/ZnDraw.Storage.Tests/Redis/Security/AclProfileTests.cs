using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Reconciliation;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>
/// Each feature set's flow runs as a Redis user with exactly the rule <see cref="ZnDrawRedisAcl.For"/> gives it, and a
/// rule that lacks one of its commands fails with <see cref="StoragePermissionException"/> naming the command and the
/// feature set: at start (the dry probe), or on first use when the rule changes after start.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class AclProfileTests(RedisFixture redis)
{
    private static ZnDrawStorageOptions Options(string prefix, bool reconcile, bool notifications = false) => new()
    {
        KeyPrefix = prefix,
        IndexReconciliation = { Enabled = reconcile, UseKeyspaceNotifications = notifications },
    };

    private static void Apply(ZnDrawStorageOptions o, ZnDrawStorageOptions from)
    {
        o.KeyPrefix = from.KeyPrefix;
        o.IndexReconciliation.Enabled = from.IndexReconciliation.Enabled;
        o.IndexReconciliation.UseKeyspaceNotifications = from.IndexReconciliation.UseKeyspaceNotifications;
        o.IndexReconciliation.Interval = TimeSpan.FromMinutes(5);
    }

    [Fact]
    public async Task Core_flow_runs_under_exactly_the_core_rule()
    {
        var options = Options(RedisFixture.NewId("acl") + ":", reconcile: false);
        await using var user = await AclUser.CreateAsync(redis.Connection, ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.Core));
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options));
        try
        {
            await AclFlows.CoreFlowAsync(host.Services);
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }
    }

    [Theory]
    [InlineData("+sadd")] // called only inside scripts and transactions
    [InlineData("+hgetall")]
    [InlineData("+evalsha")]
    [InlineData("+eval")] // the probe itself is refused
    [InlineData("+multi")]
    public async Task A_core_rule_without_one_command_fails_the_start_naming_it(string token)
    {
        var options = Options(RedisFixture.NewId("acl") + ":", reconcile: false);
        await using var user = await AclUser.CreateAsync(redis.Connection, AclFlows.Without(ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.Core), token));
        var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options)));
        Assert.Equal(token[1..], ex.Command);
        Assert.Equal(ZnDrawAclFeatures.Core, ex.Feature);
        Assert.Contains(token[1..], ex.Message, StringComparison.Ordinal);
        Assert.Contains("Core", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_core_rule_without_the_prefix_pattern_fails_the_start()
    {
        var options = Options(RedisFixture.NewId("acl") + ":", reconcile: false);
        var rule = ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.Core);
        await using var user = await AclUser.CreateAsync(redis.Connection, AclFlows.Without(rule, "~" + options.KeyPrefix + "*").Append("~other:*"));
        var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options)));
        Assert.Equal(ZnDrawAclFeatures.Core, ex.Feature);
        Assert.NotNull(ex.Command);
    }

    [Fact]
    public async Task A_command_taken_away_after_start_fails_on_first_use_naming_it()
    {
        var options = Options(RedisFixture.NewId("acl") + ":", reconcile: false);
        var rule = ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.Core);
        await using var user = await AclUser.CreateAsync(redis.Connection, rule);
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options));
        try
        {
            var rooms = host.Services.GetRequiredService<ZnDraw.Storage.Services.RoomService>();
            var bookmarks = host.Services.GetRequiredService<IBookmarkRepository>();
            var users = host.Services.GetRequiredService<ZnDraw.Storage.Services.UserService>();
            var guest = await users.CreateGuestAsync();
            await rooms.JoinAsync("r1", guest.UserName);
            await user.SetAsync(AclFlows.Without(rule, "+hgetall"));

            // A command sent by itself: the server's reply names it.
            var direct = await Assert.ThrowsAsync<StoragePermissionException>(async () => await bookmarks.GetAllAsync("r1"));
            Assert.Equal("hgetall", direct.Command);
            Assert.Equal(ZnDrawAclFeatures.Core, direct.Feature);
            Assert.IsAssignableFrom<StorageBackendException>(direct);

            // A command called by a script: Redis 7.2 and later name it, 7.0 does not.
            await user.SetAsync(AclFlows.Without(rule, "+sadd"));
            var scripted = await Assert.ThrowsAsync<StoragePermissionException>(async () => await rooms.JoinAsync("r2", guest.UserName));
            Assert.Equal(ZnDrawAclFeatures.Core, scripted.Feature);
            string reply = scripted.InnerException!.Message;
            Assert.Equal(reply.Contains("'sadd'", StringComparison.Ordinal) ? "sadd" : null, scripted.Command);
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }
    }

    [Fact]
    public async Task Durable_history_runs_under_exactly_its_rule_and_names_a_missing_stream_command()
    {
        // The stream key is outside the prefix (the default one is too), so the rule needs its own key patterns.
        var options = Options(RedisFixture.NewId("acl") + ":", reconcile: false);
        string stream = RedisFixture.NewId("acl-history");
        var rule = ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.DurableHistory, stream);
        Assert.Contains("~" + stream, rule);
        await using var user = await AclUser.CreateAsync(redis.Connection, rule);
        using var logs = new FakeLoggerProvider();
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options), h => h.StreamKey = stream, logs);
        try
        {
            var users = host.Services.GetRequiredService<ZnDraw.Storage.Services.UserService>();
            var rooms = host.Services.GetRequiredService<ZnDraw.Storage.Services.RoomService>();
            var guest = await users.CreateGuestAsync();
            await rooms.JoinAsync("r1", guest.UserName);
            var sink = host.Services.GetRequiredService<CollectingSink>();
            await ZnDrawWriter.EventuallyAsync(() => Task.FromResult(!sink.Events.IsEmpty), TimeSpan.FromSeconds(10), "the room event delivered through the outbox");

            // Taken away after start: the dispatcher's log names the command and the feature, not a raw NOPERM.
            await user.SetAsync(AclFlows.Without(rule, "+xreadgroup"));
            await ZnDrawWriter.EventuallyAsync(
                () => Task.FromResult(logs.Collector.GetSnapshot().Any(static r => r.Exception is StoragePermissionException { Command: "xreadgroup", Feature: ZnDrawAclFeatures.DurableHistory })),
                TimeSpan.FromSeconds(10),
                "the dispatcher logging the refused XREADGROUP as a StoragePermissionException");
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }

        foreach (string token in (string[])["+xautoclaim", "+xadd"])
        {
            await user.SetAsync(AclFlows.Without(rule, token));
            var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options), h => h.StreamKey = stream));
            Assert.Equal(token[1..], ex.Command);
            Assert.Equal(ZnDrawAclFeatures.DurableHistory, ex.Feature);
        }

        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task Reindex_runs_under_exactly_its_rule_and_names_scan_when_missing()
    {
        var options = Options(RedisFixture.NewId("acl") + ":", reconcile: true);
        var rule = ZnDrawRedisAcl.For(options, ZnDrawAclFeatures.Reindex);
        await using var user = await AclUser.CreateAsync(redis.Connection, rule);
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options));
        try
        {
            await ZnDrawWriter.CreateRoomAsync(redis.Database, options.KeyPrefix!, "from-zndraw");
            var result = await host.Services.GetRequiredService<IIndexMaintenance>().ReindexAsync();
            Assert.Equal(1, result.Rooms);
            Assert.Contains("from-zndraw", await host.Services.GetRequiredService<ZnDraw.Storage.Services.RoomService>().ListAsync());
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }

        await user.SetAsync(AclFlows.Without(rule, "+scan"));
        var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, options)));
        Assert.Equal("scan", ex.Command);
        Assert.Equal(ZnDrawAclFeatures.Reindex, ex.Feature);

        // Without the start check's knowledge (reconciliation off at start), the reindex call itself names it.
        var off = Options(options.KeyPrefix!, reconcile: false);
        var host2 = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, off));
        try
        {
            var first = await Assert.ThrowsAsync<StoragePermissionException>(async () => await host2.Services.GetRequiredService<IIndexMaintenance>().ReindexAsync());
            Assert.Equal("scan", first.Command);
            Assert.Equal(ZnDrawAclFeatures.Reindex, first.Feature);
        }
        finally
        {
            await AclFlows.StopAsync(host2);
        }
    }

    [Fact]
    public void Rules_follow_the_prefix_and_escape_its_glob_characters()
    {
        var rule = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = "a*b:" }, ZnDrawAclFeatures.KeyspaceNotifications | ZnDrawAclFeatures.DurableHistory);
        Assert.Equal(["resetkeys", "resetchannels", "-@all"], rule.Take(3));
        Assert.Contains("~a\\*b:*", rule);
        Assert.Contains("~zndraw-storage:history", rule);
        Assert.Contains("~zndraw-storage:history:*", rule);
        Assert.Contains("&__keyspace@0__:a\\*b:room:*:current_frame", rule);
        Assert.Contains("+psubscribe", rule);
        Assert.Contains("+evalsha", rule); // Core is always included
        Assert.DoesNotContain("+scan", rule);
        Assert.DoesNotContain("+wait", rule);
        Assert.Contains("+wait", ZnDrawRedisAcl.For(new ZnDrawStorageOptions { Replication = { WaitForReplicas = 1 } }, ZnDrawAclFeatures.Core));

        // A stream inside the prefix needs no pattern of its own.
        var inside = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = "app:" }, ZnDrawAclFeatures.DurableHistory, "app:history");
        Assert.Equal(["~app:*"], inside.Where(t => t.StartsWith('~')));
    }
}
