using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tests.Services.Rooms;

namespace ZnDraw.Storage.Tests.Services.Extensions;

/// <summary>The rules of <see cref="ExtensionService"/>, with the repositories substituted (no server).</summary>
public sealed class ExtensionServiceTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type": "object"}""").RootElement;
    private static readonly JsonElement Data = JsonDocument.Parse("""{"angle": 90}""").RootElement;
    private static readonly ExtensionId RoomExt = ExtensionId.InRoom("r1", "modifiers", "Rotate");
    private static readonly ExtensionId GlobalExt = ExtensionId.Global("modifiers", "Rotate");
    private static readonly DateTimeOffset Now = new(2025, 11, 4, 12, 0, 0, 123, 456, TimeSpan.Zero);

    private readonly IExtensionRepository _extensions = Substitute.For<IExtensionRepository>();
    private readonly IJobRepository _jobs = Substitute.For<IJobRepository>();
    private readonly ISessionRepository _sessions = Substitute.For<ISessionRepository>();
    private readonly ISettingsRepository _settings = Substitute.For<ISettingsRepository>();
    private readonly CollectingSink _sink = new();

    private ExtensionService Service(bool history = true) => new(
        _extensions,
        _jobs,
        _sessions,
        _settings,
        Options.Create(new ZnDrawStorageOptions()),
        new FakeTimeProvider(Now),
        null,
        history ? Recorders.Direct(_sink, new FakeTimeProvider(Now)) : HistoryRecorder.Disabled);

    private void Session(string sid, UserRole? role) =>
        _sessions.GetByIdAsync(sid, Arg.Any<CancellationToken>()).Returns(new SessionInfo(sid, "worker-user", role));

    // ---------------------------------------------------------------- register

    [Theory]
    [InlineData(ExtensionRegistrationResult.Registered)]
    [InlineData(ExtensionRegistrationResult.Joined)]
    public async Task Register_in_a_room_needs_only_a_connected_session_and_records_the_registration(ExtensionRegistrationResult outcome)
    {
        Session("sid1", UserRole.Guest);
        _extensions.RegisterExtensionAsync(RoomExt, Schema, "sid1", Arg.Any<CancellationToken>()).Returns(outcome);

        Assert.Equal(outcome, await Service().RegisterAsync("sid1", RoomExt, Schema));

        var e = Assert.IsType<ExtensionRegisteredEvent>(Assert.Single(_sink.Events));
        Assert.Equal(("room:r1", "modifiers", "Rotate", """{"type": "object"}""", "sid1"), (e.Scope, e.Category, e.Name, e.SchemaJson, e.WorkerId));
        Assert.Equal(Now, e.OccurredAt);
    }

    [Fact]
    public async Task Register_of_an_unknown_session_is_refused_before_anything_is_written()
    {
        var ex = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await Service().RegisterAsync("sid1", RoomExt, Schema));

        Assert.Equal(ExtensionRefusal.SessionNotFound, ex.Reason);
        Assert.Equal(RoomExt, ex.Extension);
        await _extensions.DidNotReceiveWithAnyArgs().RegisterExtensionAsync(default, default, default!, default);
        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData(UserRole.Guest)]
    [InlineData(UserRole.User)]
    [InlineData(null)]
    public async Task Register_globally_without_the_admin_role_is_refused(UserRole? role)
    {
        Session("sid1", role);

        var ex = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await Service().RegisterAsync("sid1", GlobalExt, Schema));

        Assert.Equal(ExtensionRefusal.AdminRequired, ex.Reason);
        await _extensions.DidNotReceiveWithAnyArgs().RegisterExtensionAsync(default, default, default!, default);
    }

    [Fact]
    public async Task Register_globally_as_admin_registers_with_the_global_scope()
    {
        Session("sid1", UserRole.Admin);
        _extensions.RegisterExtensionAsync(GlobalExt, Schema, "sid1", Arg.Any<CancellationToken>()).Returns(ExtensionRegistrationResult.Registered);

        await Service().RegisterAsync("sid1", GlobalExt, Schema);

        Assert.Equal(HistoryScopes.Global, Assert.IsType<ExtensionRegisteredEvent>(Assert.Single(_sink.Events)).Scope);
    }

    [Fact]
    public async Task Register_with_a_different_schema_is_a_conflict_and_records_nothing()
    {
        Session("sid1", UserRole.Admin);
        _extensions.RegisterExtensionAsync(RoomExt, Schema, "sid1", Arg.Any<CancellationToken>()).Returns(ExtensionRegistrationResult.SchemaConflict);

        var ex = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await Service().RegisterAsync("sid1", RoomExt, Schema));

        Assert.Equal(ExtensionRefusal.SchemaConflict, ex.Reason);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Register_with_history_off_records_nothing()
    {
        Session("sid1", UserRole.Guest);
        _extensions.RegisterExtensionAsync(RoomExt, Schema, "sid1", Arg.Any<CancellationToken>()).Returns(ExtensionRegistrationResult.Registered);

        await Service(history: false).RegisterAsync("sid1", RoomExt, Schema);

        Assert.Empty(_sink.Events);
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("")]
    public async Task A_bad_sid_is_refused_before_anything_is_sent(string sid)
    {
        var service = Service();

        await Assert.ThrowsAsync<ArgumentException>(async () => await service.RegisterAsync(sid, RoomExt, Schema));
        await Assert.ThrowsAsync<ArgumentException>(async () => await service.CleanupUserExtensionsAsync(sid));
        await Assert.ThrowsAsync<ArgumentException>(async () => await service.GetNextJobAsync(RoomExt, sid));

        Assert.Empty(_sessions.ReceivedCalls());
        Assert.Empty(_extensions.ReceivedCalls());
    }

    [Fact]
    public async Task A_bad_extension_id_is_refused_before_anything_is_sent()
    {
        var service = Service();
        ExtensionId[] bad =
        [
            ExtensionId.InRoom("a:b", "modifiers", "Rotate"),
            ExtensionId.InRoom("r1", "mod:ifiers", "Rotate"),
            ExtensionId.InRoom("r1", "modifiers", ""),
            new(ExtensionScope.Global, "r1", "modifiers", "Rotate"),
            new((ExtensionScope)7, "r1", "modifiers", "Rotate"),
        ];

        foreach (var ext in bad)
        {
            var ex = await Assert.ThrowsAnyAsync<ArgumentException>(async () => await service.RegisterAsync("sid1", ext, Schema));
            Assert.Equal("extension", ex.ParamName);
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await service.SubmitJobAsync("r1", ext, "alice", Data));
            await Assert.ThrowsAnyAsync<ArgumentException>(async () => await service.GetNextJobAsync(ext, "w1"));
        }

        Assert.Empty(_sessions.ReceivedCalls());
        Assert.Empty(_extensions.ReceivedCalls());
    }

    [Fact]
    public async Task Cleanup_returns_how_many_registrations_were_removed()
    {
        _extensions.UnregisterWorkerAsync("sid1", Arg.Any<CancellationToken>()).Returns(new ExtensionWorkerRemoval(5, 2));

        Assert.Equal(5, await Service().CleanupUserExtensionsAsync("sid1"));
    }

    // ---------------------------------------------------------------- submit

    [Fact]
    public async Task Submit_stores_the_form_data_and_creates_the_job_with_its_task_in_one_step()
    {
        _extensions.ExistsAsync(RoomExt, Arg.Any<CancellationToken>()).Returns(true);

        var job = await Service().SubmitJobAsync("r1", RoomExt, "alice", Data);

        Assert.True(Guid.TryParseExact(job.Id, "D", out var guid));
        Assert.Equal(4, guid.Version);
        var created = Now.UtcDateTime.AddTicks(-(Now.UtcDateTime.Ticks % 10));
        Assert.Equal(new Job(job.Id, "r1", "modifiers", "Rotate", Data, "alice", JobStatus.Queued, JobProvider.Client, created), job);
        Received.InOrder(() =>
        {
            _settings.SetExtensionDataAsync("r1", "alice", "modifiers", "Rotate", Data, Arg.Any<CancellationToken>());
            _jobs.CreateAsync(job, new ExtensionTask("alice", Data, "r1", job.Id), ExtensionScope.Room, Arg.Any<CancellationToken>());
        });
    }

    [Fact]
    public async Task Submit_to_a_global_extension_queues_globally_with_the_submitting_room()
    {
        _extensions.ExistsAsync(GlobalExt, Arg.Any<CancellationToken>()).Returns(true);

        var job = await Service().SubmitJobAsync("r2", GlobalExt, "alice", Data);

        Assert.Equal("r2", job.Room);
        await _jobs.Received(1).CreateAsync(job, new ExtensionTask("alice", Data, "r2", job.Id), ExtensionScope.Global, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Submit_for_an_unregistered_extension_is_refused_and_writes_nothing()
    {
        var ex = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await Service().SubmitJobAsync("r1", RoomExt, "alice", Data));

        Assert.Equal(ExtensionRefusal.NotRegistered, ex.Reason);
        Assert.Empty(_settings.ReceivedCalls());
        Assert.Empty(_jobs.ReceivedCalls());
    }

    [Fact]
    public async Task Submit_of_a_celery_job_needs_no_registration_and_marks_the_task()
    {
        var job = await Service().SubmitJobAsync("r1", RoomExt, "alice", Data, JobProvider.Celery);

        Assert.Equal(JobProvider.Celery, job.Provider);
        await _extensions.DidNotReceiveWithAnyArgs().ExistsAsync(default, default);
        await _jobs.Received(1).CreateAsync(job, new ExtensionTask("alice", Data, "r1", job.Id, JobProvider.Celery), ExtensionScope.Room, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Submit_to_another_rooms_extension_is_an_argument_error()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Service().SubmitJobAsync("r2", RoomExt, "alice", Data));

        Assert.Equal("extension", ex.ParamName);
        Assert.Empty(_extensions.ReceivedCalls());
    }

    // ---------------------------------------------------------------- next

    [Fact]
    public async Task GetNext_returns_the_dequeued_task_or_null()
    {
        var task = new ExtensionTask("alice", Data, "r1", "j1");
        _extensions.DequeueAsync(RoomExt, "w1", Arg.Any<CancellationToken>()).Returns(
            new ExtensionDequeueResult(ExtensionDequeueStatus.Dequeued, task, true, [new ExtensionTask("bob", Data, "r1", "stale")]),
            new ExtensionDequeueResult(ExtensionDequeueStatus.QueueEmpty, null, false, []),
            new ExtensionDequeueResult(ExtensionDequeueStatus.WorkerNotIdle, null, false, []));
        var service = Service();

        Assert.Equal(task, await service.GetNextJobAsync(RoomExt, "w1"));
        Assert.Null(await service.GetNextJobAsync(RoomExt, "w1"));
        Assert.Null(await service.GetNextJobAsync(RoomExt, "w1"));
        await _extensions.DidNotReceiveWithAnyArgs().ReleaseWorkerAsync(default, default!, default);
    }

    [Fact]
    public async Task GetNext_releases_the_worker_and_tries_again_when_a_taken_task_lost_its_job()
    {
        var orphan = new ExtensionTask("alice", Data, "r1", "gone");
        var next = new ExtensionTask("alice", Data, "r1", "j2");
        _extensions.DequeueAsync(GlobalExt, "w1", Arg.Any<CancellationToken>()).Returns(
            new ExtensionDequeueResult(ExtensionDequeueStatus.Dequeued, orphan, false, []),
            new ExtensionDequeueResult(ExtensionDequeueStatus.Dequeued, next, true, []));

        Assert.Equal(next, await Service().GetNextJobAsync(GlobalExt, "w1"));

        await _extensions.Received(1).ReleaseWorkerAsync(GlobalExt, "w1", Arg.Any<CancellationToken>());
    }

    // ---------------------------------------------------------------- finish

    private static Job RunningJob(string? worker = "w1", JobStatus status = JobStatus.Running) =>
        new("j1", "r1", "modifiers", "Rotate", Data, "alice", status, JobProvider.Client, Now.UtcDateTime, WorkerId: worker);

    [Fact]
    public async Task Complete_finishes_the_job_and_releases_the_worker_in_the_room_scope()
    {
        _jobs.GetByIdAsync(new JobId("r1", "j1"), Arg.Any<CancellationToken>()).Returns(RunningJob());
        _jobs.CompleteAsync("r1", "j1", Data, Arg.Any<CancellationToken>()).Returns(JobTransitionResult.Applied);
        _extensions.ReleaseWorkerAsync(RoomExt, "w1", Arg.Any<CancellationToken>()).Returns(true);

        Assert.Equal(new JobFinishResult(JobFinishStatus.Finished, true), await Service().CompleteJobAsync("r1", "j1", "w1", Data));

        await _extensions.DidNotReceive().ReleaseWorkerAsync(GlobalExt, Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Fail_releases_the_worker_of_a_global_extension_when_it_was_not_progressing_in_the_room()
    {
        _jobs.GetByIdAsync(new JobId("r1", "j1"), Arg.Any<CancellationToken>()).Returns(RunningJob());
        _jobs.FailAsync("r1", "j1", "boom", Arg.Any<CancellationToken>()).Returns(JobTransitionResult.Applied);
        _extensions.ReleaseWorkerAsync(GlobalExt, "w1", Arg.Any<CancellationToken>()).Returns(true);

        Assert.Equal(new JobFinishResult(JobFinishStatus.Finished, true), await Service().FailJobAsync("r1", "j1", "w1", "boom"));

        Received.InOrder(() =>
        {
            _extensions.ReleaseWorkerAsync(RoomExt, "w1", Arg.Any<CancellationToken>());
            _extensions.ReleaseWorkerAsync(GlobalExt, "w1", Arg.Any<CancellationToken>());
        });
    }

    [Theory]
    [InlineData("w2", JobStatus.Running, JobFinishStatus.NotAssignedToWorker)]
    [InlineData(null, JobStatus.Queued, JobFinishStatus.NotAssignedToWorker)]
    [InlineData("w1", JobStatus.Completed, JobFinishStatus.AlreadyFinished)]
    [InlineData("w1", JobStatus.Failed, JobFinishStatus.AlreadyFinished)]
    public async Task Finish_refuses_a_job_that_is_not_running_on_the_worker_and_writes_nothing(string? worker, JobStatus status, JobFinishStatus expected)
    {
        _jobs.GetByIdAsync(new JobId("r1", "j1"), Arg.Any<CancellationToken>()).Returns(RunningJob(worker, status));

        Assert.Equal(new JobFinishResult(expected, false), await Service().CompleteJobAsync("r1", "j1", "w1", Data));

        await _jobs.DidNotReceiveWithAnyArgs().CompleteAsync(default!, default!, default, default);
        Assert.Empty(_extensions.ReceivedCalls());
    }

    [Theory]
    [InlineData(JobTransitionResult.NotFound, JobFinishStatus.NotFound)]
    [InlineData(JobTransitionResult.WrongStatus, JobFinishStatus.AlreadyFinished)]
    public async Task Finish_that_loses_a_race_releases_no_worker(JobTransitionResult transition, JobFinishStatus expected)
    {
        _jobs.GetByIdAsync(new JobId("r1", "j1"), Arg.Any<CancellationToken>()).Returns(RunningJob());
        _jobs.CompleteAsync("r1", "j1", Data, Arg.Any<CancellationToken>()).Returns(transition);

        Assert.Equal(new JobFinishResult(expected, false), await Service().CompleteJobAsync("r1", "j1", "w1", Data));

        Assert.Empty(_extensions.ReceivedCalls());
    }

    [Fact]
    public async Task Finish_of_a_missing_job_is_NotFound()
    {
        Assert.Equal(JobFinishStatus.NotFound, (await Service().CompleteJobAsync("r1", "j1", "w1", Data)).Status);
    }

    [Fact]
    public async Task Fail_needs_an_error_text()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Service().FailJobAsync("r1", "j1", "w1", ""));
        Assert.Empty(_jobs.ReceivedCalls());
    }
}
