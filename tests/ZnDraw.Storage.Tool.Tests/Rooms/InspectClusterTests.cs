using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Rooms;

/// <summary>The inspect commands against the test Redis Cluster with the cluster-safe layout.</summary>
[Collection(RedisClusterCollection.Name)]
public sealed class InspectClusterTests(RedisClusterFixture cluster)
{
    [Fact]
    public async Task Rooms_users_extensions_and_jobs_on_the_cluster_report_what_the_library_stored()
    {
        await using var store = await SeededStore.OnClusterAsync(cluster);
        var job = await Seed.InspectDataAsync(store);
        await InspectAssertions.RoomsAsync(store);
        await InspectAssertions.UsersExtensionsJobsAsync(store, job);

        // ZnDraw's own layout cannot work on a cluster: said before anything is read.
        var wrong = (await ToolProcess.RunAsync("--redis", store.Address, "--prefix", store.Prefix, "rooms", "list")).ShouldExit(ExitCodes.WrongLayout);
        var line = Assert.Single(wrong.ErrorLines);
        Assert.StartsWith("error: wrong layout: ", line);
        Assert.Contains("is a Redis Cluster", line);
        Assert.Contains("--layout cluster-safe", line);
    }
}
