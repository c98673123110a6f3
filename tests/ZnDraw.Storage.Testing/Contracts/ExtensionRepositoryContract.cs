using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>
/// Every behaviour of <see cref="IExtensionRepository"/> that any backend must show: registration results, no lost or
/// double-held worker under concurrency, each queued task handed out once, and worker clean-up.
/// </summary>
public abstract class ExtensionRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"properties": {"angle": {"default": 1.0, "type": "number"}}, "type": "object"}""").RootElement;

    private IExtensionRepository Extensions => Store.Get<IExtensionRepository>();

    private IJobRepository Jobs => Store.Get<IJobRepository>();

    private DateTime Now => Store.Time.GetUtcNow().UtcDateTime;

    /// <summary>A task of a fresh job in <paramref name="room"/>.</summary>
    public static ExtensionTask NewTask(string room) =>
        new("user-1", JsonDocument.Parse("""{"angle": 1.0}""").RootElement, room, Guid.NewGuid().ToString());

    /// <summary>A queued job of <paramref name="room"/>'s extension <c>modifiers/Rotate</c> (or the one named).</summary>
    public static Job NewJob(string room, string id, DateTime created, string category = "modifiers", string extension = "Rotate") =>
        new(id, room, category, extension, JsonDocument.Parse("""{"angle": 1.0}""").RootElement, "user-1", JobStatus.Queued, JobProvider.Client, created);

    private static ExtensionId InNewRoom(string name = "Rotate", string category = "modifiers") => ExtensionId.InRoom(NewId("room"), category, name);

    [Fact]
    public async Task A_registered_extension_has_its_schema_an_idle_worker_and_is_listed()
    {
        var ext = InNewRoom();
        string sid = NewId("sid");

        Assert.Equal(ExtensionRegistrationResult.Registered, await Extensions.RegisterExtensionAsync(ext, Schema, sid));

        ExtensionSchema? schema = await Extensions.GetByIdAsync(ext);
        Assert.NotNull(schema);
        Assert.Equal((ext.Name, ext.Category, ext.Scope, ext.RoomId), (schema.Name, schema.Category, schema.Scope, schema.RoomId));
        Assert.True(JsonElement.DeepEquals(Schema, schema.Schema));
        WorkerState worker = Assert.Single(await Extensions.GetWorkersAsync(ext));
        Assert.Equal(new WorkerState(sid, ext.Scope, ext.RoomId, ext.Category, ext.Name, WorkerAvailability.Idle), worker);
        Assert.Equal([ext.Name], (await Extensions.ListExtensionsAsync(ExtensionScope.Room, ext.RoomId, ext.Category)).Select(s => s.Name));
        Assert.Equal(0, await Extensions.QueueLengthAsync(ext));
    }

    [Fact]
    public async Task An_unknown_extension_has_no_schema_no_workers_no_queue_and_no_listing()
    {
        var ext = InNewRoom();

        Assert.Null(await Extensions.GetByIdAsync(ext));
        Assert.Empty(await Extensions.GetWorkersAsync(ext));
        Assert.Null(await Extensions.AcquireWorkerAsync(ext));
        Assert.Equal(0, await Extensions.QueueLengthAsync(ext));
        Assert.Empty(await Extensions.ListExtensionsAsync(ExtensionScope.Room, ext.RoomId, ext.Category));
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await Extensions.UnregisterWorkerAsync(NewId("sid")));
    }

    [Fact]
    public async Task Register_joins_with_an_equal_schema_and_refuses_a_different_one_without_writing()
    {
        var ext = InNewRoom();
        string a = NewId("a"), b = NewId("b"), c = NewId("c");
        var reordered = JsonDocument.Parse("""{"type": "object", "properties": {"angle": {"type": "number", "default": 1}}}""").RootElement;
        var other = JsonDocument.Parse("""{"type": "object"}""").RootElement;

        Assert.Equal(ExtensionRegistrationResult.Registered, await Extensions.RegisterExtensionAsync(ext, Schema, a));
        Assert.Equal(ExtensionRegistrationResult.Joined, await Extensions.RegisterExtensionAsync(ext, reordered, b));
        Assert.Equal(ExtensionRegistrationResult.Joined, await Extensions.RegisterExtensionAsync(ext, Schema, b)); // again: still one worker b
        Assert.Equal(ExtensionRegistrationResult.SchemaConflict, await Extensions.RegisterExtensionAsync(ext, other, c));

        var workers = await Extensions.GetWorkersAsync(ext);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), workers.Select(w => w.WorkerId).Order(StringComparer.Ordinal));
        Assert.All(workers, w => Assert.Equal(WorkerAvailability.Idle, w.Availability));
        Assert.True(JsonElement.DeepEquals(Schema, (await Extensions.GetByIdAsync(ext))!.Schema));
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await Extensions.UnregisterWorkerAsync(c)); // c registered nothing
    }

    [Fact]
    public async Task Concurrent_registrations_of_a_new_extension_have_one_registrar_and_lose_no_worker()
    {
        var ext = InNewRoom();
        string[] workers = [.. Enumerable.Range(0, 16).Select(_ => NewId("w"))];

        var results = await Task.WhenAll(workers.Select(w => Task.Run(async () => await Extensions.RegisterExtensionAsync(ext, Schema, w))));

        Assert.Single(results, r => r == ExtensionRegistrationResult.Registered);
        Assert.Equal(workers.Length - 1, results.Count(r => r == ExtensionRegistrationResult.Joined));
        Assert.Equal(workers.Order(StringComparer.Ordinal), (await Extensions.GetWorkersAsync(ext)).Select(w => w.WorkerId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Concurrent_registrations_with_different_schemas_keep_one_schema_and_only_its_workers()
    {
        var ext = InNewRoom();
        JsonElement[] schemas = [.. Enumerable.Range(0, 4).Select(i => JsonDocument.Parse($$"""{"type": "object", "title": "v{{i}}"}""").RootElement)];
        var calls = Enumerable.Range(0, 16).Select(i => (Worker: NewId("w"), Schema: schemas[i % schemas.Length])).ToArray();

        var results = await Task.WhenAll(calls.Select(c => Task.Run(async () => await Extensions.RegisterExtensionAsync(ext, c.Schema, c.Worker))));

        int registrar = Assert.Single(Enumerable.Range(0, results.Length), i => results[i] == ExtensionRegistrationResult.Registered);
        JsonElement winner = calls[registrar].Schema;
        Assert.True(JsonElement.DeepEquals(winner, (await Extensions.GetByIdAsync(ext))!.Schema));
        for (int i = 0; i < calls.Length; i++)
        {
            bool same = JsonElement.DeepEquals(winner, calls[i].Schema);
            Assert.Equal(same ? (i == registrar ? ExtensionRegistrationResult.Registered : ExtensionRegistrationResult.Joined) : ExtensionRegistrationResult.SchemaConflict, results[i]);
        }

        Assert.Equal(
            calls.Where(c => JsonElement.DeepEquals(winner, c.Schema)).Select(c => c.Worker).Order(StringComparer.Ordinal),
            (await Extensions.GetWorkersAsync(ext)).Select(w => w.WorkerId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Acquire_marks_a_worker_progressing_and_release_makes_it_idle_for_every_extension_it_serves()
    {
        string room = NewId("room"), sid = NewId("sid");
        var rotate = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var remove = ExtensionId.InRoom(room, "modifiers", "Remove");
        await Extensions.RegisterExtensionAsync(rotate, Schema, sid);
        await Extensions.RegisterExtensionAsync(remove, Schema, sid);

        Assert.Equal(sid, await Extensions.AcquireWorkerAsync(rotate));
        Assert.Null(await Extensions.AcquireWorkerAsync(rotate));
        Assert.Equal(WorkerAvailability.Progressing, Assert.Single(await Extensions.GetWorkersAsync(rotate)).Availability);
        Assert.Equal(sid, await Extensions.AcquireWorkerAsync(remove));

        // As in ZnDraw, a finished worker is idle again for every extension it serves.
        Assert.True(await Extensions.ReleaseWorkerAsync(rotate, sid));

        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await Extensions.GetWorkersAsync(rotate)).Availability);
        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await Extensions.GetWorkersAsync(remove)).Availability);
        Assert.False(await Extensions.ReleaseWorkerAsync(rotate, sid));
        Assert.False(await Extensions.ReleaseWorkerAsync(rotate, NewId("stranger")));
    }

    [Fact]
    public async Task Concurrent_acquirers_never_share_a_worker_and_release_loses_none()
    {
        var ext = InNewRoom();
        string[] workers = [.. Enumerable.Range(0, 8).Select(_ => NewId("w"))];
        foreach (string w in workers)
        {
            await Extensions.RegisterExtensionAsync(ext, Schema, w);
        }

        string?[] acquired = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () => await Extensions.AcquireWorkerAsync(ext))));

        string[] held = [.. acquired.OfType<string>()];
        Assert.Equal(workers.Order(StringComparer.Ordinal), held.Order(StringComparer.Ordinal));
        await Task.WhenAll(held.Select(w => Task.Run(async () => Assert.True(await Extensions.ReleaseWorkerAsync(ext, w)))));
        var state = await Extensions.GetWorkersAsync(ext);
        Assert.Equal(workers.Order(StringComparer.Ordinal), state.Select(s => s.WorkerId).Order(StringComparer.Ordinal));
        Assert.All(state, s => Assert.Equal(WorkerAvailability.Idle, s.Availability));
    }

    [Fact]
    public async Task Acquire_and_release_cycles_under_contention_never_hand_one_worker_to_two_callers()
    {
        var ext = InNewRoom();
        string[] workers = [.. Enumerable.Range(0, 3).Select(_ => NewId("w"))];
        foreach (string w in workers)
        {
            await Extensions.RegisterExtensionAsync(ext, Schema, w);
        }

        var busy = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>(StringComparer.Ordinal);
        int doubleHeld = 0, taken = 0;
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => Task.Run(async () =>
        {
            for (int round = 0; round < 15; round++)
            {
                string? w = await Extensions.AcquireWorkerAsync(ext);
                if (w is null)
                {
                    continue;
                }

                Interlocked.Increment(ref taken);
                if (!busy.TryAdd(w, true))
                {
                    Interlocked.Increment(ref doubleHeld);
                }

                busy.TryRemove(w, out bool _);
                Assert.True(await Extensions.ReleaseWorkerAsync(ext, w));
            }
        })));

        Assert.Equal(0, doubleHeld);
        Assert.True(taken > 0);
        var state = await Extensions.GetWorkersAsync(ext);
        Assert.Equal(workers.Order(StringComparer.Ordinal), state.Select(s => s.WorkerId).Order(StringComparer.Ordinal));
        Assert.All(state, s => Assert.Equal(WorkerAvailability.Idle, s.Availability));
    }

    [Fact]
    public async Task Enqueue_appends_and_counts_tasks_and_refuses_a_task_of_another_room()
    {
        var ext = InNewRoom();

        Assert.Equal(1, await Extensions.EnqueueAsync(ext, NewTask(ext.RoomId!)));
        Assert.Equal(2, await Extensions.EnqueueAsync(ext, NewTask(ext.RoomId!)));
        Assert.Equal(2, await Extensions.QueueLengthAsync(ext));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.EnqueueAsync(ext, NewTask(NewId("elsewhere"))));
        Assert.Equal(2, await Extensions.QueueLengthAsync(ext));
    }

    [Fact]
    public async Task Dequeue_is_fifo_marks_the_job_running_with_the_store_time_and_the_worker_progressing()
    {
        var ext = InNewRoom();
        string room = ext.RoomId!, sid = NewId("sid");
        DateTime created = Now;
        await Extensions.RegisterExtensionAsync(ext, Schema, sid);
        var t1 = NewTask(room);
        var t2 = NewTask(room);
        await Jobs.CreateAsync(NewJob(room, t1.JobId, created), t1);
        await Jobs.CreateAsync(NewJob(room, t2.JobId, created), t2);
        Assert.Equal(2, await Extensions.QueueLengthAsync(ext));
        Store.Time.Advance(TimeSpan.FromMilliseconds(1500));

        var result = await Extensions.DequeueAsync(ext, sid);

        Assert.Equal((ExtensionDequeueStatus.Dequeued, t1, true), (result.Status, result.Task, result.JobStarted));
        Assert.Empty(result.SkippedStaleTasks);
        Job? job = await Jobs.GetByIdAsync(new JobId(room, t1.JobId));
        Assert.Equal((JobStatus.Running, sid, 1500L, Now), (job!.Status, job.WorkerId, job.WaitTimeMs, job.StartedAt));
        Assert.Equal(WorkerAvailability.Progressing, Assert.Single(await Extensions.GetWorkersAsync(ext)).Availability);

        // Busy: nothing is taken.
        Assert.Equal(ExtensionDequeueStatus.WorkerNotIdle, (await Extensions.DequeueAsync(ext, sid)).Status);
        Assert.Equal(1, await Extensions.QueueLengthAsync(ext));
        Assert.Equal(JobStatus.Queued, (await Jobs.GetByIdAsync(new JobId(room, t2.JobId)))!.Status);

        await Extensions.ReleaseWorkerAsync(ext, sid);
        Assert.Equal(t2, (await Extensions.DequeueAsync(ext, sid)).Task);
        await Extensions.ReleaseWorkerAsync(ext, sid);
        var empty = await Extensions.DequeueAsync(ext, sid);
        Assert.Equal((ExtensionDequeueStatus.QueueEmpty, (ExtensionTask?)null), (empty.Status, empty.Task));
        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await Extensions.GetWorkersAsync(ext)).Availability);
    }

    [Fact]
    public async Task Dequeue_by_a_worker_that_is_not_registered_takes_nothing()
    {
        var ext = InNewRoom();
        await Extensions.RegisterExtensionAsync(ext, Schema, NewId("sid"));
        var task = NewTask(ext.RoomId!);
        await Jobs.CreateAsync(NewJob(ext.RoomId!, task.JobId, Now), task);

        Assert.Equal(ExtensionDequeueStatus.WorkerNotIdle, (await Extensions.DequeueAsync(ext, NewId("stranger"))).Status);

        Assert.Equal(1, await Extensions.QueueLengthAsync(ext));
    }

    [Fact]
    public async Task Dequeue_skips_and_reports_tasks_whose_job_is_gone_or_finished()
    {
        var ext = InNewRoom();
        string room = ext.RoomId!, sid = NewId("sid");
        await Extensions.RegisterExtensionAsync(ext, Schema, sid);
        var expired = NewTask(room);
        var finished = NewTask(room);
        var live = NewTask(room);
        await Extensions.EnqueueAsync(ext, expired); // no job at all
        await Jobs.CreateAsync(NewJob(room, finished.JobId, Now), finished);
        await Jobs.FailAsync(room, finished.JobId, "cancelled");
        await Jobs.CreateAsync(NewJob(room, live.JobId, Now), live);

        var result = await Extensions.DequeueAsync(ext, sid);

        Assert.Equal(ExtensionDequeueStatus.Dequeued, result.Status);
        Assert.Equal(live, result.Task);
        Assert.Equal([expired, finished], result.SkippedStaleTasks);
        Assert.Equal(0, await Extensions.QueueLengthAsync(ext));
        Assert.Equal(JobStatus.Failed, (await Jobs.GetByIdAsync(new JobId(room, finished.JobId)))!.Status);
    }

    [Fact]
    public async Task Dequeue_of_only_stale_tasks_reports_them_and_an_empty_queue()
    {
        var ext = InNewRoom();
        string sid = NewId("sid");
        await Extensions.RegisterExtensionAsync(ext, Schema, sid);
        var stale = NewTask(ext.RoomId!);
        await Extensions.EnqueueAsync(ext, stale);

        var result = await Extensions.DequeueAsync(ext, sid);

        Assert.Equal((ExtensionDequeueStatus.QueueEmpty, (ExtensionTask?)null), (result.Status, result.Task));
        Assert.Equal([stale], result.SkippedStaleTasks);
        Assert.Equal(WorkerAvailability.Idle, Assert.Single(await Extensions.GetWorkersAsync(ext)).Availability);
    }

    [Fact]
    public async Task A_global_extension_hands_out_a_task_and_marks_the_job_in_its_room()
    {
        string room = NewId("room"), sid = NewId("sid");
        var ext = ExtensionId.Global(NewId("cat"), "Rotate");
        await Extensions.RegisterExtensionAsync(ext, Schema, sid);
        var task = NewTask(room);
        await Jobs.CreateAsync(NewJob(room, task.JobId, Now, ext.Category), task, ExtensionScope.Global);
        Assert.Equal(1, await Extensions.QueueLengthAsync(ext));

        var result = await Extensions.DequeueAsync(ext, sid);

        Assert.Equal(task, result.Task);
        Assert.True(result.JobStarted);
        Assert.Equal(JobStatus.Running, (await Jobs.GetByIdAsync(new JobId(room, task.JobId)))!.Status);
        Assert.Equal(ext.Name, Assert.Single(await Extensions.ListExtensionsAsync(ExtensionScope.Global, null, ext.Category)).Name);
        Assert.Equal(new ExtensionWorkerRemoval(1, 1), await Extensions.UnregisterWorkerAsync(sid));
    }

    [Fact]
    public async Task Concurrent_dequeues_hand_out_each_task_exactly_once()
    {
        var ext = InNewRoom();
        string room = ext.RoomId!;
        string[] workers = [.. Enumerable.Range(0, 16).Select(_ => NewId("w"))];
        foreach (string w in workers)
        {
            await Extensions.RegisterExtensionAsync(ext, Schema, w);
        }

        ExtensionTask[] tasks = [.. Enumerable.Range(0, 10).Select(_ => NewTask(room))];
        foreach (var t in tasks)
        {
            await Jobs.CreateAsync(NewJob(room, t.JobId, Now), t);
        }

        var results = await Task.WhenAll(workers.Select(w => Task.Run(async () => (Worker: w, Result: await Extensions.DequeueAsync(ext, w)))));

        var taken = results.Where(r => r.Result.Status == ExtensionDequeueStatus.Dequeued).ToArray();
        Assert.Equal(tasks.Select(t => t.JobId).Order(StringComparer.Ordinal), taken.Select(r => r.Result.Task!.JobId).Order(StringComparer.Ordinal));
        Assert.Equal(6, results.Count(r => r.Result.Status == ExtensionDequeueStatus.QueueEmpty));
        foreach (var (worker, result) in taken)
        {
            Assert.Equal(worker, (await Jobs.GetByIdAsync(new JobId(room, result.Task!.JobId)))!.WorkerId);
        }

        Assert.Equal(0, await Extensions.QueueLengthAsync(ext));
        Assert.Equal(10, (await Extensions.GetWorkersAsync(ext)).Count(w => w.Availability == WorkerAvailability.Progressing));
    }

    [Fact]
    public async Task Unregister_worker_cleans_every_room_the_global_scope_and_every_category()
    {
        string r1 = NewId("room"), r2 = NewId("room"), sid = NewId("sid"), other = NewId("other");
        var alone = ExtensionId.InRoom(r1, "modifiers", "Rotate");
        var shared = ExtensionId.InRoom(r1, "analysis", "Plot");
        var queued = ExtensionId.InRoom(r2, "custom", "Slow");
        var global = ExtensionId.Global(NewId("cat"), "Public");
        foreach (var e in new[] { alone, shared, queued, global })
        {
            await Extensions.RegisterExtensionAsync(e, Schema, sid);
        }

        await Extensions.RegisterExtensionAsync(shared, Schema, other);
        await Extensions.EnqueueAsync(queued, NewTask(r2));

        var removal = await Extensions.UnregisterWorkerAsync(sid);

        Assert.Equal(new ExtensionWorkerRemoval(4, 2), removal);
        Assert.Null(await Extensions.GetByIdAsync(alone));
        Assert.Null(await Extensions.GetByIdAsync(global));
        Assert.Empty(await Extensions.ListExtensionsAsync(ExtensionScope.Global, null, global.Category));
        Assert.NotNull(await Extensions.GetByIdAsync(shared));
        Assert.Equal(other, Assert.Single(await Extensions.GetWorkersAsync(shared)).WorkerId);
        Assert.NotNull(await Extensions.GetByIdAsync(queued)); // a pending task keeps the extension
        Assert.Empty(await Extensions.GetWorkersAsync(queued));
        Assert.Equal(1, await Extensions.QueueLengthAsync(queued));
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await Extensions.UnregisterWorkerAsync(sid));
    }

    [Fact]
    public async Task A_worker_may_register_again_after_it_was_unregistered()
    {
        var ext = InNewRoom();
        string sid = NewId("sid");
        await Extensions.RegisterExtensionAsync(ext, Schema, sid);
        await Extensions.UnregisterWorkerAsync(sid);

        Assert.Equal(ExtensionRegistrationResult.Registered, await Extensions.RegisterExtensionAsync(ext, Schema, sid));

        Assert.Equal(sid, Assert.Single(await Extensions.GetWorkersAsync(ext)).WorkerId);
        Assert.Equal(new ExtensionWorkerRemoval(1, 1), await Extensions.UnregisterWorkerAsync(sid));
    }

    [Fact]
    public async Task Registration_racing_unregistration_never_leaves_a_schema_without_workers_or_workers_without_a_schema()
    {
        for (int round = 0; round < 20; round++)
        {
            var ext = InNewRoom();
            string leaving = NewId("old"), joining = NewId("new");
            await Extensions.RegisterExtensionAsync(ext, Schema, leaving);

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var register = Task.Run(async () => { await gate.Task; return await Extensions.RegisterExtensionAsync(ext, Schema, joining); });
            var unregister = Task.Run(async () => { await gate.Task; return await Extensions.UnregisterWorkerAsync(leaving); });
            gate.SetResult();
            await Task.WhenAll(register, unregister);

            Assert.NotNull(await Extensions.GetByIdAsync(ext));
            Assert.Equal(joining, Assert.Single(await Extensions.GetWorkersAsync(ext)).WorkerId);
        }
    }

    [Fact]
    public async Task One_worker_registering_while_it_is_unregistered_leaves_all_or_nothing()
    {
        for (int round = 0; round < 20; round++)
        {
            var ext = InNewRoom();
            string sid = NewId("sid");
            await Extensions.RegisterExtensionAsync(ExtensionId.InRoom(ext.RoomId!, "modifiers", "Other"), Schema, sid);

            await Task.WhenAll(
                Task.Run(async () => await Extensions.RegisterExtensionAsync(ext, Schema, sid)),
                Task.Run(async () => await Extensions.UnregisterWorkerAsync(sid)));

            bool hasSchema = await Extensions.GetByIdAsync(ext) is not null;
            Assert.Equal(hasSchema, (await Extensions.GetWorkersAsync(ext)).Count == 1);
        }
    }

    [Fact]
    public async Task Invalid_ids_are_refused_before_anything_is_stored()
    {
        string room = NewId("room");

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.RegisterExtensionAsync(ExtensionId.InRoom("a:b", "modifiers", "X"), Schema, "s"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.RegisterExtensionAsync(ExtensionId.InRoom(room, "modifiers", "X"), Schema, "s:1"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.RegisterExtensionAsync(ExtensionId.InRoom(room, "a:b", "X"), Schema, "s"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.RegisterExtensionAsync(ExtensionId.InRoom(room, "modifiers", ""), Schema, "s"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.AcquireWorkerAsync(new ExtensionId(ExtensionScope.Global, room, "modifiers", "X")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.GetByIdAsync(new ExtensionId(ExtensionScope.Room, null, "modifiers", "X")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.ListExtensionsAsync(ExtensionScope.Room, null, "modifiers"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.UnregisterWorkerAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Extensions.DequeueAsync(ExtensionId.InRoom(room, "modifiers", "X"), "a:b"));

        Assert.Empty(await Extensions.ListExtensionsAsync(ExtensionScope.Room, room, "modifiers"));
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await Extensions.UnregisterWorkerAsync("s"));
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        var ext = InNewRoom();
        string sid = NewId("sid");
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Extensions.RegisterExtensionAsync(ext, Schema, sid, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Extensions.EnqueueAsync(ext, NewTask(ext.RoomId!), cancelled));

        Assert.Null(await Extensions.GetByIdAsync(ext));
        Assert.Equal(0, await Extensions.QueueLengthAsync(ext));
    }
}
