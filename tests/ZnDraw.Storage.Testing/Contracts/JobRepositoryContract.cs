using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IJobRepository"/> that any backend must show: the job life cycle, its timings from the store's clock, listings and one winner of concurrent transitions.</summary>
public abstract class JobRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IJobRepository Jobs => Store.Get<IJobRepository>();

    private IExtensionRepository Extensions => Store.Get<IExtensionRepository>();

    private DateTime Now => Store.Time.GetUtcNow().UtcDateTime;

    private static string NewJobId() => Guid.NewGuid().ToString();

    private static Job NewJob(string room, string id, DateTime created) => ExtensionRepositoryContract.NewJob(room, id, created);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public async Task A_created_job_reads_back_equal_and_is_active()
    {
        string room = NewId("room"), id = NewJobId();
        var created = new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560);
        Job job = NewJob(room, id, created);

        await Jobs.SaveAsync(job);

        Assert.Equal(job, await Jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Equal([id], await Jobs.ListActiveAsync(room));
        Assert.Empty(await Jobs.ListInactiveAsync(room));
    }

    [Fact]
    public async Task Create_with_a_task_queues_it_on_the_extension_in_the_same_step()
    {
        string room = NewId("room"), id = NewJobId();
        var task = new ExtensionTask("user-1", Json("""{"angle": 1.0}"""), room, id);

        await Jobs.CreateAsync(NewJob(room, id, Now), task);

        Assert.Equal(1, await Extensions.QueueLengthAsync(ExtensionId.InRoom(room, "modifiers", "Rotate")));
        Assert.NotNull(await Jobs.GetByIdAsync(new JobId(room, id)));
    }

    [Fact]
    public async Task Creating_a_finished_job_lists_it_as_inactive_and_creating_again_replaces_it()
    {
        string room = NewId("room"), id = NewJobId();
        Job done = NewJob(room, id, Now) with { Status = JobStatus.Completed, CompletedAt = Now, Result = Json("1") };

        await Jobs.SaveAsync(done);
        Assert.Equal(done, await Jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Empty(await Jobs.ListActiveAsync(room));
        Assert.Equal([id], await Jobs.ListInactiveAsync(room));

        Job again = NewJob(room, id, Now);
        await Jobs.SaveAsync(again);
        Assert.Equal(again, await Jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Equal([id], await Jobs.ListActiveAsync(room));
        Assert.Empty(await Jobs.ListInactiveAsync(room));
    }

    [Fact]
    public async Task Start_complete_and_fail_follow_the_life_cycle_with_timings_from_the_store_clock()
    {
        string room = NewId("room"), a = NewJobId(), b = NewJobId();
        DateTime created = Now;
        await Jobs.SaveAsync(NewJob(room, a, created));
        await Jobs.SaveAsync(NewJob(room, b, created));
        Store.Time.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(JobTransitionResult.Applied, await Jobs.StartAsync(room, a, "w1"));
        Assert.Equal(JobTransitionResult.WrongStatus, await Jobs.StartAsync(room, a, "w2"));
        DateTime started = Now;
        Store.Time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(JobTransitionResult.Applied, await Jobs.CompleteAsync(room, a, Json("""{"frames": [1, 2]}""")));
        Assert.Equal(JobTransitionResult.WrongStatus, await Jobs.FailAsync(room, a, "late"));
        Assert.Equal(JobTransitionResult.WrongStatus, await Jobs.CompleteAsync(room, a, Json("2")));
        Assert.Equal(JobTransitionResult.WrongStatus, await Jobs.StartAsync(room, a, "w1"));
        Assert.Equal(JobTransitionResult.Applied, await Jobs.FailAsync(room, b, "boom"));
        Assert.Equal(JobTransitionResult.WrongStatus, await Jobs.CompleteAsync(room, b, Json("1")));

        Job? job = await Jobs.GetByIdAsync(new JobId(room, a));
        Assert.Equal(
            (JobStatus.Completed, "w1", started, Now, 2000L, 250L),
            (job!.Status, job.WorkerId, job.StartedAt, job.CompletedAt, job.WaitTimeMs, job.ExecutionTimeMs));
        Assert.Equal(2, job.Result!.Value.GetProperty("frames").GetArrayLength());
        Job? failed = await Jobs.GetByIdAsync(new JobId(room, b));
        Assert.Equal((JobStatus.Failed, "boom", (long?)null, Now), (failed!.Status, failed.Error, failed.ExecutionTimeMs, failed.CompletedAt));
        Assert.Empty(await Jobs.ListActiveAsync(room));
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), (await Jobs.ListInactiveAsync(room)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_running_job_that_fails_gets_its_execution_time()
    {
        string room = NewId("room"), id = NewJobId();
        await Jobs.SaveAsync(NewJob(room, id, Now));
        await Jobs.StartAsync(room, id, "w1");
        Store.Time.Advance(TimeSpan.FromMilliseconds(700));

        Assert.Equal(JobTransitionResult.Applied, await Jobs.FailAsync(room, id, "worker died"));

        Job? job = await Jobs.GetByIdAsync(new JobId(room, id));
        Assert.Equal((JobStatus.Failed, "worker died", 700L), (job!.Status, job.Error, job.ExecutionTimeMs));
    }

    [Fact]
    public async Task Transitions_of_a_missing_job_are_not_found_and_create_nothing()
    {
        string room = NewId("room"), id = NewJobId();

        Assert.Equal(JobTransitionResult.NotFound, await Jobs.StartAsync(room, id, "w1"));
        Assert.Equal(JobTransitionResult.NotFound, await Jobs.CompleteAsync(room, id, Json("1")));
        Assert.Equal(JobTransitionResult.NotFound, await Jobs.FailAsync(room, id, "x"));

        Assert.Null(await Jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Empty(await Jobs.ListActiveAsync(room));
        Assert.Empty(await Jobs.ListInactiveAsync(room));
        Assert.False(await Jobs.DeleteAsync(new JobId(room, id)));
    }

    [Fact]
    public async Task Delete_removes_the_job_and_its_listing_once()
    {
        string room = NewId("room"), a = NewJobId(), b = NewJobId();
        await Jobs.SaveAsync(NewJob(room, a, Now));
        await Jobs.SaveAsync(NewJob(room, b, Now));
        await Jobs.FailAsync(room, b, "boom");

        Assert.True(await Jobs.DeleteAsync(new JobId(room, a)));
        Assert.True(await Jobs.DeleteAsync(new JobId(room, b)));

        Assert.False(await Jobs.DeleteAsync(new JobId(room, a)));
        Assert.Null(await Jobs.GetByIdAsync(new JobId(room, a)));
        Assert.Null(await Jobs.GetByIdAsync(new JobId(room, b)));
        Assert.Empty(await Jobs.ListActiveAsync(room));
        Assert.Empty(await Jobs.ListInactiveAsync(room));
    }

    [Fact]
    public async Task Jobs_of_one_room_are_not_listed_in_another()
    {
        string room = NewId("room"), other = NewId("room"), id = NewJobId();

        await Jobs.SaveAsync(NewJob(room, id, Now));

        Assert.Equal([id], await Jobs.ListActiveAsync(room));
        Assert.Empty(await Jobs.ListActiveAsync(other));
    }

    [Fact]
    public async Task Concurrent_starts_of_one_job_have_exactly_one_winner()
    {
        string room = NewId("room"), id = NewJobId();
        await Jobs.SaveAsync(NewJob(room, id, Now));

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () => await Jobs.StartAsync(room, id, "w" + i))));

        int winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i] == JobTransitionResult.Applied);
        Assert.All(results.Where((_, i) => i != winner), r => Assert.Equal(JobTransitionResult.WrongStatus, r));
        Assert.Equal("w" + winner, (await Jobs.GetByIdAsync(new JobId(room, id)))!.WorkerId);
    }

    [Fact]
    public async Task Concurrent_completions_and_failures_of_one_job_have_exactly_one_winner()
    {
        string room = NewId("room"), id = NewJobId();
        await Jobs.SaveAsync(NewJob(room, id, Now));
        await Jobs.StartAsync(room, id, "w1");

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
            i % 2 == 0 ? await Jobs.CompleteAsync(room, id, Json(i.ToString(System.Globalization.CultureInfo.InvariantCulture))) : await Jobs.FailAsync(room, id, "e" + i))));

        int winner = Assert.Single(Enumerable.Range(0, results.Length), i => results[i] == JobTransitionResult.Applied);
        Job? job = await Jobs.GetByIdAsync(new JobId(room, id));
        if (winner % 2 == 0)
        {
            Assert.Equal((JobStatus.Completed, winner), (job!.Status, job.Result!.Value.GetInt32()));
        }
        else
        {
            Assert.Equal((JobStatus.Failed, "e" + winner), (job!.Status, job.Error));
        }

        Assert.Equal([id], await Jobs.ListInactiveAsync(room));
        Assert.Empty(await Jobs.ListActiveAsync(room));
    }

    [Fact]
    public async Task Invalid_ids_are_refused_before_anything_is_stored()
    {
        string room = NewId("room"), id = NewJobId();

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Jobs.SaveAsync(NewJob("a:b", id, Now)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Jobs.SaveAsync(NewJob(room, "", Now)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Jobs.CreateAsync(NewJob(room, id, Now), new ExtensionTask("u", Json("1"), NewId("elsewhere"), id)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Jobs.GetByIdAsync(new JobId("a:b", id)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Jobs.StartAsync(room, "", "w1"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Jobs.ListActiveAsync("a:b"));
        await Assert.ThrowsAnyAsync<ArgumentNullException>(async () => await Jobs.SaveAsync(null!));

        Assert.Null(await Jobs.GetByIdAsync(new JobId(room, id)));
        Assert.Empty(await Jobs.ListActiveAsync(room));
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        string room = NewId("room"), id = NewJobId();
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Jobs.SaveAsync(NewJob(room, id, Now), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Jobs.GetByIdAsync(new JobId(room, id), cancelled));

        Assert.Null(await Jobs.GetByIdAsync(new JobId(room, id)));
    }
}
