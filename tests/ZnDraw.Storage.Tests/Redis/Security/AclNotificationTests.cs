using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Reconciliation;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>
/// The default configuration on one node (index reconciliation with keyspace notifications) as a user with exactly
/// the rule of Core, Reindex and KeyspaceNotifications; a rule without the subscription's command or channel pattern
/// fails the start naming them.
/// </summary>
[Collection(RedisNotifyCollection.Name)]
public sealed class AclNotificationTests(RedisNotifyFixture redis)
{
    private const ZnDrawAclFeatures Defaults = ZnDrawAclFeatures.Core | ZnDrawAclFeatures.Reindex | ZnDrawAclFeatures.KeyspaceNotifications;

    private static void Apply(ZnDrawStorageOptions o, string prefix)
    {
        o.KeyPrefix = prefix;
        o.IndexReconciliation.Interval = TimeSpan.FromMinutes(5); // only a notification can list a room within the test
    }

    [Fact]
    public async Task Reconciliation_with_notifications_runs_under_exactly_its_rule()
    {
        string prefix = RedisFixture.NewId("acl") + ":";
        var rule = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, Defaults);
        await using var user = await AclUser.CreateAsync(redis.Connection, rule);
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, prefix));
        try
        {
            // Subscribed (three key-space patterns) and past its first pass: a room written now is listed by a notification.
            await ZnDrawWriter.EventuallyAsync(
                async () => ((string)(await redis.Server.ExecuteAsync("CLIENT", "LIST"))!).Contains($"user={user.Name} ", StringComparison.Ordinal)
                    && ((string)(await redis.Server.ExecuteAsync("CLIENT", "LIST"))!).Split('\n').Any(l => l.Contains($"user={user.Name} ", StringComparison.Ordinal) && l.Contains(" psub=3 ", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10),
                "the reconciler's subscription");
            await Task.Delay(200);
            await ZnDrawWriter.CreateRoomAsync(redis.Database, prefix, "from-zndraw");
            var rooms = host.Services.GetRequiredService<RoomService>();
            await ZnDrawWriter.EventuallyAsync(async () => (await rooms.ListAsync()).Contains("from-zndraw"), TimeSpan.FromSeconds(10), "the notified room in the listing");
            await AclFlows.CoreFlowAsync(host.Services);
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }
    }

    [Theory]
    [InlineData("+psubscribe")]
    [InlineData("&__keyspace@0__:{0}room:*:current_frame")]
    public async Task A_rule_without_the_subscription_fails_the_start_naming_it(string token)
    {
        string prefix = RedisFixture.NewId("acl") + ":";
        var rule = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, Defaults);
        await using var user = await AclUser.CreateAsync(redis.Connection, AclFlows.Without(rule, token.Replace("{0}", prefix, StringComparison.Ordinal)));
        var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => AclFlows.StartAsync(user.ConnectionString(redis.Address), o => Apply(o, prefix)));
        Assert.Equal("psubscribe", ex.Command);
        Assert.Equal(ZnDrawAclFeatures.KeyspaceNotifications, ex.Feature);
    }

    [Fact]
    public async Task Turning_notifications_off_needs_no_channel_permission()
    {
        string prefix = RedisFixture.NewId("acl") + ":";
        var rule = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, ZnDrawAclFeatures.Core | ZnDrawAclFeatures.Reindex);
        Assert.DoesNotContain(rule, t => t.StartsWith('&'));
        await using var user = await AclUser.CreateAsync(redis.Connection, rule);
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o =>
        {
            Apply(o, prefix);
            o.IndexReconciliation.UseKeyspaceNotifications = false;
        });
        await AclFlows.StopAsync(host);
    }
}
