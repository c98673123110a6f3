using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Reconciliation;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>
/// The cluster-safe layout on a Redis Cluster as a user with exactly the rule of Core, Reindex and Cluster, set on every
/// node; a missing command fails the start there too.
/// </summary>
[Collection(RedisClusterCollection.Name)]
public sealed class AclClusterTests(RedisClusterFixture cluster)
{
    private const ZnDrawAclFeatures Features = ZnDrawAclFeatures.Core | ZnDrawAclFeatures.Reindex | ZnDrawAclFeatures.Cluster;

    private static string Address => Environment.GetEnvironmentVariable(RedisClusterFixture.EnvironmentVariable)!;

    private static void Apply(ZnDrawStorageOptions o, string prefix)
    {
        o.KeyPrefix = prefix;
        o.Layout = KeyLayout.ClusterSafe;
        o.IndexReconciliation.Interval = TimeSpan.FromMinutes(5);
    }

    [Fact]
    public async Task Cluster_safe_flow_runs_under_exactly_its_rule_on_every_node()
    {
        string prefix = RedisFixture.NewId("acl") + ":";
        await using var user = await AclUser.CreateAsync(cluster.Connection, ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, Features));
        var host = await AclFlows.StartAsync(user.ConnectionString(Address), o => Apply(o, prefix));
        try
        {
            await AclFlows.CoreFlowAsync(host.Services);
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }
    }

    [Fact]
    public async Task Durable_history_on_a_cluster_runs_under_exactly_its_rule()
    {
        // The outbox is one stream per slot in use, {StreamKey}:{tag}, listed in {StreamKey}:shards: the stream's patterns cover them.
        string prefix = RedisFixture.NewId("acl") + ":";
        string stream = RedisFixture.NewId("acl-history");
        await using var user = await AclUser.CreateAsync(cluster.Connection, ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, Features | ZnDrawAclFeatures.DurableHistory, stream));
        var host = await AclFlows.StartAsync(user.ConnectionString(Address), o => Apply(o, prefix), h => h.StreamKey = stream);
        try
        {
            var guest = await host.Services.GetRequiredService<UserService>().CreateGuestAsync();
            await host.Services.GetRequiredService<RoomService>().JoinAsync("r1", guest.UserName);
            var sink = host.Services.GetRequiredService<CollectingSink>();
            await ZnDrawWriter.EventuallyAsync(() => Task.FromResult(!sink.Events.IsEmpty), TimeSpan.FromSeconds(10), "the room event delivered through the sharded outbox");
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }
    }

    [Fact]
    public async Task A_rule_without_one_command_fails_the_start_on_a_cluster()
    {
        string prefix = RedisFixture.NewId("acl") + ":";
        var rule = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, Features);
        await using var user = await AclUser.CreateAsync(cluster.Connection, AclFlows.Without(rule, "+smove"));
        var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => AclFlows.StartAsync(user.ConnectionString(Address), o => Apply(o, prefix)));
        Assert.Equal("smove", ex.Command);
        Assert.Equal(ZnDrawAclFeatures.Core, ex.Feature);
    }
}
