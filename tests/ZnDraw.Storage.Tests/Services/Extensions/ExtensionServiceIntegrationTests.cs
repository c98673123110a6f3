using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;
using ZnDraw.Storage.Tests.Services.Rooms;

namespace ZnDraw.Storage.Tests.Services.Extensions;

/// <summary><see cref="ExtensionService"/> against a real Redis, with real repositories, in every key layout.</summary>
[Collection(RedisCollection.Name)]
public sealed class ExtensionServiceIntegrationTests(RedisFixture redis)
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"properties": {"angle": {"type": "number"}}, "type": "object"}""").RootElement;
    private static readonly JsonElement OtherSchema = JsonDocument.Parse("""{"type": "object"}""").RootElement;

    private readonly IDatabase _db = redis.Database;
    private readonly CollectingSink _sink = new();

    private sealed record Fixture(ExtensionService Service, IExtensionRepository Extensions, IJobRepository Jobs, ISessionRepository Sessions, ISettingsRepository Settings);

    private Fixture Create(KeySpace space)
    {
        var context = RoomTestSupport.Context(redis, space);
        var extensions = new ExtensionRepository(context);
        var jobs = new JobRepository(context);
        var sessions = new SessionRepository(context);
        var settings = new SettingsRepository(context);
        var service = new ExtensionService(
            extensions,
            jobs,
            sessions,
            settings,
            Options.Create(new ZnDrawStorageOptions { Layout = space.Layout }),
            null,
            null,
            Recorders.Direct(_sink));
        return new Fixture(service, extensions, jobs, sessions, settings);
    }

    private static async Task<string> ConnectAsync(Fixture f, UserRole role)
    {
        var sid = RedisFixture.NewId("sid");
        await f.Sessions.SaveAsync(new SessionInfo(sid, RedisFixture.NewId("worker"), role));
        return sid;
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task A_job_goes_from_submit_to_a_worker_to_completion_and_the_worker_is_idle_again(string layout)
    {
        var f = Create(Layouts.Space(layout));
        var room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var worker = await ConnectAsync(f, UserRole.Guest);
        var data = JsonDocument.Parse("""{"angle": 90}""").RootElement;

        Assert.Equal(ExtensionRegistrationResult.Registered, await f.Service.RegisterAsync(worker, ext, Schema));
        var job = await f.Service.SubmitJobAsync(room, ext, "alice", data);
        Assert.Equal(job, await f.Jobs.GetByIdAsync(new JobId(room, job.Id)));
        Assert.Equal(1, await f.Extensions.QueueLengthAsync(ext));
        Assert.True(JsonElement.DeepEquals(data, (await f.Settings.GetExtensionDataAsync(room, "alice", "modifiers", "Rotate"))!.Value));

        var task = await f.Service.GetNextJobAsync(ext, worker);
        Assert.Equal(new ExtensionTask("alice", data, room, job.Id), task);
        Assert.Null(await f.Service.GetNextJobAsync(ext, worker)); // busy, and the queue is empty anyway
        Assert.Equal(JobStatus.Running, (await f.Jobs.GetByIdAsync(new JobId(room, job.Id)))!.Status);
        Assert.Equal(WorkerAvailability.Progressing, Assert.Single(await f.Extensions.GetWorkersAsync(ext)).Availability);

        var other = await ConnectAsync(f, UserRole.Guest);
        Assert.Equal(new JobFinishResult(JobFinishStatus.NotAssignedToWorker, false), await f.Service.CompleteJobAsync(room, job.Id, other, data));
        Assert.Equal(new JobFinishResult(JobFinishStatus.Finished, true), await f.Service.CompleteJobAsync(room, job.Id, worker, JsonDocument.Parse("""{"ok": true}""").RootElement));
        Assert.Equal(new JobFinishResult(JobFinishStatus.AlreadyFinished, false), await f.Service.FailJobAsync(room, job.Id, worker, "late"));

        var done = (await f.Jobs.GetByIdAsync(new JobId(room, job.Id)))!;
        Assert.Equal((JobStatus.Completed, worker), (done.Status, done.WorkerId));
        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await f.Extensions.GetWorkersAsync(ext)).Availability);
        Assert.Contains(job.Id, await f.Jobs.ListInactiveAsync(room));

        var second = await f.Service.SubmitJobAsync(room, ext, "bob", data);
        Assert.Equal(second.Id, (await f.Service.GetNextJobAsync(ext, worker))!.JobId);
        Assert.Equal(JobFinishStatus.Finished, (await f.Service.FailJobAsync(room, second.Id, worker, "boom")).Status);
        Assert.Equal(("boom", JobStatus.Failed), ((await f.Jobs.GetByIdAsync(new JobId(room, second.Id)))!.Error, (await f.Jobs.GetByIdAsync(new JobId(room, second.Id)))!.Status));
        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await f.Extensions.GetWorkersAsync(ext)).Availability);

        var e = Assert.IsType<ExtensionRegisteredEvent>(Assert.Single(_sink.Events));
        Assert.Equal((HistoryScopes.Room(room), "modifiers", "Rotate", worker), (e.Scope, e.Category, e.Name, e.WorkerId));
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Global_extensions_need_an_admin_session_and_their_workers_are_released_after_a_job(string layout)
    {
        var f = Create(Layouts.Space(layout));
        var room = RedisFixture.NewId("room");
        var ext = ExtensionId.Global("analysis", RedisFixture.NewId("Plot"));
        var user = await ConnectAsync(f, UserRole.User);
        var admin = await ConnectAsync(f, UserRole.Admin);

        var refused = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await f.Service.RegisterAsync(user, ext, Schema));
        Assert.Equal(ExtensionRefusal.AdminRequired, refused.Reason);
        Assert.Null(await f.Extensions.GetByIdAsync(ext));
        var unknown = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await f.Service.RegisterAsync(RedisFixture.NewId("gone"), ExtensionId.InRoom(room, "modifiers", "X"), Schema));
        Assert.Equal(ExtensionRefusal.SessionNotFound, unknown.Reason);

        Assert.Equal(ExtensionRegistrationResult.Registered, await f.Service.RegisterAsync(admin, ext, Schema));
        var conflict = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await f.Service.RegisterAsync(admin, ext, OtherSchema));
        Assert.Equal(ExtensionRefusal.SchemaConflict, conflict.Reason);

        var job = await f.Service.SubmitJobAsync(room, ext, "alice", OtherSchema);
        Assert.Equal(job.Id, (await f.Service.GetNextJobAsync(ext, admin))!.JobId);
        Assert.Equal(new JobFinishResult(JobFinishStatus.Finished, true), await f.Service.CompleteJobAsync(room, job.Id, admin, OtherSchema));
        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await f.Extensions.GetWorkersAsync(ext)).Availability);

        Assert.Equal(1, await f.Service.CleanupUserExtensionsAsync(admin));
        Assert.Null(await f.Extensions.GetByIdAsync(ext));
        Assert.Equal(HistoryScopes.Global, Assert.IsType<ExtensionRegisteredEvent>(Assert.Single(_sink.Events)).Scope);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Submit_for_an_unregistered_extension_writes_nothing(string layout)
    {
        var space = Layouts.Space(layout);
        var f = Create(space);
        var room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Nobody");

        var ex = await Assert.ThrowsAsync<ExtensionRefusedException>(async () => await f.Service.SubmitJobAsync(room, ext, "alice", Schema));

        Assert.Equal(ExtensionRefusal.NotRegistered, ex.Reason);
        Assert.Empty(await f.Jobs.ListActiveAsync(room));
        Assert.Null(await f.Settings.GetExtensionDataAsync(room, "alice", "modifiers", "Nobody"));
        Assert.Equal(0, await f.Extensions.QueueLengthAsync(ext));
    }

    [Theory]
    [InlineData(Layouts.ZnDraw)]
    [InlineData(Layouts.Prefixed)]
    public async Task Cleanup_removes_a_worker_that_zndraw_registered_in_the_users_room_and_the_global_scope(string layout)
    {
        var space = Layouts.Space(layout);
        var f = Create(space);
        string p = space.Prefix;
        string room = RedisFixture.NewId("room"), user = RedisFixture.NewId("user"), sid = RedisFixture.NewId("sid"), other = RedisFixture.NewId("sid");
        string rotate = RedisFixture.NewId("Rotate"), plot = RedisFixture.NewId("Plot"), shared = RedisFixture.NewId("Shared"), queued = RedisFixture.NewId("Queued");

        // ZnDraw's connect and registration commands, no library call: room and global scope.
        await _db.StringSetAsync($"{p}sid:{sid}", user);
        await _db.HashSetAsync($"{p}user:{user}", [new("userName", user), new("currentRoom", room)]);
        await RawRegisterAsync($"{p}room:{room}:extensions:modifiers", rotate, sid);
        await RawRegisterAsync($"{p}room:{room}:extensions:analysis", plot, sid);
        await RawRegisterAsync($"{p}room:{room}:extensions:selections", shared, sid);
        await RawRegisterAsync($"{p}room:{room}:extensions:selections", shared, other);
        await RawRegisterAsync($"{p}global:extensions:modifiers", rotate, sid);
        await RawRegisterAsync($"{p}global:extensions:analysis", queued, sid);
        var job = await f.Service.SubmitJobAsync(room, ExtensionId.Global("analysis", queued), "alice", Schema);

        Assert.Equal(5, await f.Service.CleanupUserExtensionsAsync(sid));

        Assert.Null(await f.Extensions.GetByIdAsync(ExtensionId.InRoom(room, "modifiers", rotate)));
        Assert.Null(await f.Extensions.GetByIdAsync(ExtensionId.InRoom(room, "analysis", plot)));
        Assert.Null(await f.Extensions.GetByIdAsync(ExtensionId.Global("modifiers", rotate)));
        Assert.False(await _db.KeyExistsAsync($"{p}room:{room}:extensions:modifiers:{rotate}:idle_workers"));
        Assert.False(await _db.KeyExistsAsync($"{p}global:extensions:modifiers:{rotate}:idle_workers"));
        Assert.NotNull(await f.Extensions.GetByIdAsync(ExtensionId.InRoom(room, "selections", shared)));
        Assert.Equal([other], (await f.Extensions.GetWorkersAsync(ExtensionId.InRoom(room, "selections", shared))).Select(w => w.WorkerId));
        Assert.NotNull(await f.Extensions.GetByIdAsync(ExtensionId.Global("analysis", queued)));
        Assert.Empty(await f.Extensions.GetWorkersAsync(ExtensionId.Global("analysis", queued)));
        Assert.Equal(1, await f.Extensions.QueueLengthAsync(ExtensionId.Global("analysis", queued)));
        Assert.Equal(JobStatus.Queued, (await f.Jobs.GetByIdAsync(new JobId(room, job.Id)))!.Status);
        foreach (var reverse in new[] { $"room:{room}:extensions:modifiers:{sid}", $"room:{room}:extensions:analysis:{sid}", $"room:{room}:extensions:selections:{sid}", $"global:extensions:modifiers:{sid}", $"global:extensions:analysis:{sid}" })
        {
            Assert.False(await _db.KeyExistsAsync(p + reverse), reverse);
        }

        Assert.Equal(0, await f.Service.CleanupUserExtensionsAsync(sid));
        Assert.Equal(0, await f.Service.CleanupUserExtensionsAsync(other)); // no session: its room is unknown (documented)
        await _db.StringSetAsync($"{p}sid:{other}", user);
        Assert.Equal(1, await f.Service.CleanupUserExtensionsAsync(other));
        Assert.Null(await f.Extensions.GetByIdAsync(ExtensionId.InRoom(room, "selections", shared)));
    }

    private async Task RawRegisterAsync(string schemaKey, string name, string sid)
    {
        await _db.HashSetAsync(schemaKey, name, """{"type": "object"}""");
        await _db.SetAddAsync($"{schemaKey}:{name}:idle_workers", sid);
        await _db.SetAddAsync($"{schemaKey}:{sid}", name);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Cleanup_removes_the_worker_from_every_room_and_category_it_registered_in(string layout)
    {
        var f = Create(Layouts.Space(layout));
        var worker = await ConnectAsync(f, UserRole.Admin);
        var stayer = await ConnectAsync(f, UserRole.Guest);
        string r1 = RedisFixture.NewId("room"), r2 = RedisFixture.NewId("room");
        ExtensionId[] extensions =
        [
            ExtensionId.InRoom(r1, "modifiers", "Rotate"),
            ExtensionId.InRoom(r1, "analysis", "Plot"),
            ExtensionId.InRoom(r2, "selections", "All"),
            ExtensionId.InRoom(r2, "custom-category", "Thing"),
            ExtensionId.Global("modifiers", RedisFixture.NewId("Global")),
        ];
        foreach (var ext in extensions)
        {
            await f.Service.RegisterAsync(worker, ext, Schema);
        }

        await f.Service.RegisterAsync(stayer, extensions[0], Schema);

        Assert.Equal(5, await f.Service.CleanupUserExtensionsAsync(worker));
        Assert.Equal(0, await f.Service.CleanupUserExtensionsAsync(worker));

        Assert.Equal([stayer], (await f.Extensions.GetWorkersAsync(extensions[0])).Select(w => w.WorkerId));
        Assert.NotNull(await f.Extensions.GetByIdAsync(extensions[0]));
        foreach (var ext in extensions[1..])
        {
            Assert.Empty(await f.Extensions.GetWorkersAsync(ext));
            Assert.Null(await f.Extensions.GetByIdAsync(ext));
        }
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Concurrent_workers_get_every_job_exactly_once(string layout)
    {
        var f = Create(Layouts.Space(layout));
        var room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var workers = new string[6];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = await ConnectAsync(f, UserRole.Guest);
            await f.Service.RegisterAsync(workers[i], ext, Schema);
        }

        var submitted = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            f.Service.SubmitJobAsync(room, ext, $"user-{i}", JsonDocument.Parse($$"""{"i": {{i}}}""").RootElement).AsTask()));

        var taken = new ConcurrentBag<string>();
        await Task.WhenAll(workers.Select(async worker =>
        {
            while (await f.Service.GetNextJobAsync(ext, worker) is { } task)
            {
                taken.Add(task.JobId);
                Assert.Equal(JobFinishStatus.Finished, (await f.Service.CompleteJobAsync(room, task.JobId, worker, Schema)).Status);
            }
        }));

        Assert.Equal(submitted.Select(j => j.Id).Order(StringComparer.Ordinal), taken.Order(StringComparer.Ordinal));
        Assert.All(await f.Extensions.GetWorkersAsync(ext), w => Assert.Equal(WorkerAvailability.Idle, w.Availability));
        Assert.Empty(await f.Jobs.ListActiveAsync(room));
    }
}
