using System.Text;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Sql.Tests.Migration;

namespace ZnDraw.Storage.Sql.Tests.Snapshot;

/// <summary>
/// <see cref="StorageSnapshot"/> between the two Redis layouts: ZnDraw's layout on one server (a fresh prefix) → export →
/// import into the cluster-safe layout on the real Redis Cluster → export (identical bytes) and verified.
/// </summary>
[Collection(ClusterOutboxCollection.Name)]
public sealed class StorageSnapshotClusterTests(RedisClusterFixture cluster, RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task ZnDraw_layout_to_the_cluster_safe_layout_round_trips_byte_identical_and_verifies()
    {
        string prefix = RedisFixture.NewId("snap-cl") + ":";
        await using var source = await RedisStores.Prefixed(redis).CreateAsync(configure: o => o.KeyPrefix = prefix);
        await using var target = await RedisStores.ClusterSafe(cluster).CreateAsync();
        try
        {
            var seeded = await MigrationTestData.SeedThroughRepositoriesAsync(source);
            var from = StorageMigrationEndpoint.FromServices(source.Services);
            var to = StorageMigrationEndpoint.FromServices(target.Services);
            using var first = new MemoryStream();
            Assert.Empty((await StorageSnapshot.ExportAsync(from, first)).Failures);

            var imported = await StorageSnapshot.ImportAsync(to, new MemoryStream(first.ToArray()));

            Assert.Empty(imported.Failures);
            Assert.True((await StorageMigration.VerifyAsync(from, to)).IsMatch);
            await MigrationTestData.AssertSameThroughContractsAsync(source, target, seeded);
            using var second = new MemoryStream();
            await StorageSnapshot.ExportAsync(to, second);
            Assert.Equal(Encoding.UTF8.GetString(first.ToArray()), Encoding.UTF8.GetString(second.ToArray()));
        }
        finally
        {
            await MigrationTestData.DeleteKeysAsync(redis, prefix);
        }
    }
}
