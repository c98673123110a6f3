using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the job repository (ZnDraw's hash and sets, TTL, scores, round trips, ZnDraw-written jobs, wrong types); its behaviour is <see cref="JobRepositoryContract"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class JobRepositoryTests(RedisFixture redis)
{
    private IDatabase Db => redis.Database;

    [Fact]
    public async Task Create_writes_the_hash_ttl_and_every_set_in_one_round_trip()
    {
        var jobs = new JobRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), id = Guid.NewGuid().ToString();
        var created = new DateTime(2025, 10, 31, 12, 0, 0, 123456 / 1000, DateTimeKind.Utc).AddTicks(4560);
        var job = ExtensionRepositoryContract.NewJob(room, id, created);
        var task = new ExtensionTask("user-1", job.Data!.Value, room, id);

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () => await jobs.CreateAsync(job, task));

        Assert.Equal(1, m.RoundTrips);
        var hash = (await Db.HashGetAllAsync($"job:{id}")).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal(16, hash.Count);
        Assert.Equal("2025-10-31T12:00:00.123456", hash["created_at"]);
        Assert.Equal("queued", hash["status"]);
        Assert.Equal("", hash["worker_id"]);
        Assert.Equal("""{"angle": 1.0}""", hash["data"]);
        var ttl = await Db.KeyTimeToLiveAsync($"job:{id}");
        Assert.InRange(ttl!.Value.TotalSeconds, 86000, 86400);
        Assert.True(await Db.SetContainsAsync($"room:{room}:jobs:active", id));
        Assert.Equal(1761912000.123456, (await Db.SortedSetScoreAsync($"room:{room}:jobs:by_time", id))!.Value, 6);
        Assert.True(await Db.SetContainsAsync($"room:{room}:extension:modifiers:Rotate:jobs", id));
        Assert.Equal($$"""{"user_name": "user-1", "data": {"angle": 1.0}, "room": "{{room}}", "jobId": "{{id}}"}""", (string?)await Db.ListGetByIndexAsync($"room:{room}:extensions:modifiers:Rotate:queue", 0));
        var registry = (await Db.SetMembersAsync($"room:{room}:keys")).Select(v => (string)v!).ToHashSet();
        Assert.Contains($"job:{id}", registry);
        Assert.Contains($"room:{room}:extension:modifiers:Rotate:jobs", registry);
        Assert.Contains($"room:{room}:extensions:modifiers:Rotate:queue", registry);
        Assert.Equal(job, await jobs.GetByIdAsync(new JobId(room, id)));
        await jobs.DeleteAsync(new JobId(room, id));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Complete_and_delete_are_one_round_trip_and_delete_clears_every_job_set(string space)
    {
        var jobs = new JobRepository(TestSpaces.Context(redis, space));
        string room = RedisFixture.NewId("room"), a = Guid.NewGuid().ToString();
        await jobs.SaveAsync(ExtensionRepositoryContract.NewJob(room, a, DateTime.UtcNow));
        await jobs.CompleteAsync(room, "warm-up", JsonDocument.Parse("1").RootElement); // script cached (EVALSHA)
        Assert.False(await jobs.DeleteAsync(new JobId(room, "missing"))); // also loads the script

        var (done, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await jobs.CompleteAsync(room, a, JsonDocument.Parse("""{"frames": [1, 2]}""").RootElement));
        var (removed, del) = await RoundTrips.MeasureAsync(redis.Connection, async () => await jobs.DeleteAsync(new JobId(room, a)));

        Assert.Equal((JobTransitionResult.Applied, 1), (done, m.RoundTrips));
        Assert.Equal((true, 1), (removed, del.RoundTrips));
        var ks = TestSpaces.Get(space);
        Assert.False(await Db.KeyExistsAsync(ks.Job(room, a).Hash()));
        Assert.False(await Db.SetContainsAsync(ks.Room(room).JobsInactive(), a));
        Assert.False(await Db.SetContainsAsync(ks.Room(room).ExtensionJobs("modifiers", "Rotate"), a));
        Assert.Null(await Db.SortedSetScoreAsync(ks.Room(room).JobsByTime(), a));
        Assert.False(await Db.SetContainsAsync(ks.Room(room).KeyRegistry(), (string)ks.Job(room, a).Hash()!));
    }

    [Fact]
    public async Task Reads_a_job_hash_written_by_zndraw_and_finishes_it()
    {
        var jobs = new JobRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), id = Guid.NewGuid().ToString();
        await Db.HashSetAsync($"job:{id}", [
            new("id", id), new("room", room), new("category", "modifiers"), new("extension", "Rotate"),
            new("data", """{"angle": 90}"""), new("user_name", "bob"), new("status", "running"), new("provider", "celery"),
            new("created_at", "2025-10-31T12:00:00"), new("started_at", "2025-10-31T12:00:01.5"), new("completed_at", ""), new("worker_id", "celery:abc"),
            new("error", ""), new("result", ""), new("wait_time_ms", "1500"), new("execution_time_ms", ""),
        ]);
        await Db.SetAddAsync($"room:{room}:jobs:active", id);

        var job = await jobs.GetByIdAsync(new JobId(room, id));

        Assert.NotNull(job);
        Assert.Equal(JobProvider.Celery, job.Provider);
        Assert.Equal(1500, job.WaitTimeMs);
        Assert.Equal(new DateTime(2025, 10, 31, 12, 0, 1, 500, DateTimeKind.Utc), job.StartedAt);
        Assert.Equal(JobTransitionResult.Applied, await jobs.FailAsync(room, id, "worker died"));
        Assert.True(await Db.SetContainsAsync($"room:{room}:jobs:inactive", id));
        Assert.False(await Db.SetContainsAsync($"room:{room}:jobs:active", id));
        Assert.NotEqual("", (string?)await Db.HashGetAsync($"job:{id}", "execution_time_ms"));
        await jobs.DeleteAsync(new JobId(room, id));
    }

    [Fact]
    public async Task Bad_stored_data_raises_storage_data_exceptions()
    {
        var jobs = new JobRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), id = Guid.NewGuid().ToString();
        await Db.StringSetAsync($"job:{id}", "x", TimeSpan.FromMinutes(1));
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Contains($"job:{id}", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<StorageDataException>(async () => await jobs.FailAsync(room, id, "x"));
        await Db.KeyDeleteAsync($"job:{id}");
        await Db.HashSetAsync($"job:{id}", [new("id", id), new("status", "weird")]);
        ex = await Assert.ThrowsAsync<StorageDataException>(async () => await jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Equal($"job:{id}", ex.Key);
        await Db.KeyDeleteAsync($"job:{id}");
    }

    [Fact]
    public void By_time_score_is_utc_epoch_seconds()
    {
        Assert.Equal(1761912000.5, JobRepository.ByTimeScore(new DateTime(2025, 10, 31, 12, 0, 0, 500, DateTimeKind.Unspecified)));
        Assert.Equal(1761912000.5, JobRepository.ByTimeScore(new DateTime(2025, 10, 31, 12, 0, 0, 500, DateTimeKind.Utc)));
    }
}
