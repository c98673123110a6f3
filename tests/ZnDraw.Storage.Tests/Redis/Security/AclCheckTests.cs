using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>The operator tool's check (<see cref="StorageCheck"/>) as a user with exactly the Check rule.</summary>
[Collection(RedisCollection.Name)]
public sealed class AclCheckTests(RedisFixture redis)
{
    [Fact]
    public async Task The_check_runs_under_exactly_its_rule_and_names_a_missing_command()
    {
        string prefix = RedisFixture.NewId("acl") + ":";
        var rule = ZnDrawRedisAcl.For(new ZnDrawStorageOptions { KeyPrefix = prefix }, ZnDrawAclFeatures.Check);
        Assert.Contains("+scan", rule); // Check includes Reindex
        await using var user = await AclUser.CreateAsync(redis.Connection, rule);
        var host = await AclFlows.StartAsync(user.ConnectionString(redis.Address), o =>
        {
            o.KeyPrefix = prefix;
            o.IndexReconciliation.Enabled = false;
        });
        try
        {
            var guest = await host.Services.GetRequiredService<UserService>().CreateGuestAsync();
            await host.Services.GetRequiredService<RoomService>().JoinAsync("r1", guest.UserName);

            StorageCheckReport report = await StorageCheck.RunAsync(host.Services);
            Assert.True(report.IsClean, string.Join("; ", report.Problems.Select(p => p.ToString())));
            Assert.True(report.KeysScanned > 0);
            Assert.True(report.AggregatesRead >= 2); // the room and the user

            foreach (var (token, feature) in new[] { ("+dbsize", ZnDrawAclFeatures.Check), ("+scan", ZnDrawAclFeatures.Reindex) })
            {
                await user.SetAsync(AclFlows.Without(rule, token));
                var ex = await Assert.ThrowsAsync<StoragePermissionException>(() => StorageCheck.RunAsync(host.Services));
                Assert.Equal(token[1..], ex.Command);
                Assert.Equal(feature, ex.Feature);
            }
        }
        finally
        {
            await AclFlows.StopAsync(host);
        }
    }
}
