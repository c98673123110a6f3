using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Check;

[Collection(RedisCollection.Name)]
public sealed class StorageCheckTests(RedisFixture redis)
{
    [Fact]
    public async Task Check_finds_planted_problems_and_repair_fixes_what_is_safe_in_zndraw_layout()
    {
        await using TestStore store = await RedisStores.Prefixed(redis).CreateAsync();
        await CheckPlant.RunCycleAsync(store, redis.Database);
    }

    [Fact]
    public async Task Empty_key_space_is_clean()
    {
        await using TestStore store = await RedisStores.Prefixed(redis).CreateAsync();

        StorageCheckReport report = await StorageCheck.RunAsync(store.Services);

        Assert.True(report.IsClean, string.Join("; ", report.Problems));
        Assert.Equal(0, report.KeysScanned);
    }

    [Fact]
    public async Task Repair_leaves_an_orphan_that_was_legitimised_meanwhile()
    {
        await using TestStore store = await RedisStores.Prefixed(redis).CreateAsync();
        KeySpace space = store.Get<KeySpace>();
        ExtensionKeys ext = space.Extension("r1", "modifiers", "Late");
        await redis.Database.SetAddAsync(ext.IdleWorkers(), "sid1");
        await redis.Database.SetAddAsync(space.Global.RoomsIndex(), "r1");
        StorageCheckReport report = await StorageCheck.RunAsync(store.Services);
        Assert.Equal([StorageProblemKind.OrphanWorkers], report.Problems.Select(p => p.Kind));

        await redis.Database.HashSetAsync(ext.Schema(), "Late", "{}"); // the worker registered after the check

        StorageRepairResult repair = await StorageCheck.RepairAsync(store.Services, report);

        Assert.Empty(repair.Repairs);
        Assert.Single(repair.Skipped);
        Assert.True(await redis.Database.KeyExistsAsync(ext.IdleWorkers()));
    }

    [Fact]
    public async Task Young_job_outside_its_sets_is_not_an_orphan()
    {
        await using TestStore store = await RedisStores.Prefixed(redis).CreateAsync();
        KeySpace space = store.Get<KeySpace>();
        JobKeys job = space.Job("r1", "33333333-3333-4333-8333-333333333333");
        string now = store.Time.GetUtcNow().UtcDateTime.AddSeconds(-5).ToString("yyyy-MM-ddTHH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
        await redis.Database.HashSetAsync(job.Hash(),
        [
            new("id", job.JobId), new("room", "r1"), new("category", "modifiers"), new("extension", "Rotate"), new("data", "{}"),
            new("user_name", "alice"), new("status", "queued"), new("provider", "client"), new("created_at", now),
        ]);

        StorageCheckReport report = await StorageCheck.RunAsync(store.Services);

        Assert.DoesNotContain(report.Problems, p => p.Kind == StorageProblemKind.OrphanJob);
    }

    [Fact]
    public async Task Options_out_of_range_are_refused()
    {
        await using TestStore store = await RedisStores.Prefixed(redis).CreateAsync();

        await Assert.ThrowsAsync<ArgumentException>(() => StorageCheck.RunAsync(store.Services, new StorageCheckOptions { PageSize = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => StorageCheck.RunAsync(store.Services, new StorageCheckOptions { MaxKeysPerSecond = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => StorageCheck.RunAsync(store.Services, new StorageCheckOptions { MaxDegreeOfParallelism = 65 }));
    }
}

[Collection(RedisClusterCollection.Name)]
public sealed class StorageCheckClusterTests(RedisClusterFixture cluster)
{
    [Fact]
    public async Task Check_finds_planted_problems_and_repair_fixes_what_is_safe_on_the_cluster()
    {
        await using TestStore store = await RedisStores.ClusterSafe(cluster).CreateAsync();
        await CheckPlant.RunCycleAsync(store, cluster.Database);
    }
}
