using System.Collections.Concurrent;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Repositories.Extensions;

[Collection(RedisCollection.Name)]
public sealed class ExtensionConcurrencyTests(RedisFixture redis)
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type": "object"}""").RootElement;

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Parallel_acquirers_never_share_a_worker_and_lose_none(string space)
    {
        var repo = new ExtensionRepository(TestSpaces.Context(redis, space));
        var ext = ExtensionId.InRoom(RedisFixture.NewId("room"), "modifiers", "Rotate");
        var workers = Enumerable.Range(0, 8).Select(_ => RedisFixture.NewId("w")).ToArray();
        foreach (var w in workers)
        {
            await repo.RegisterExtensionAsync(ext, Schema, w);
        }

        var acquired = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () => await repo.AcquireWorkerAsync(ext))));

        var held = acquired.Where(w => w is not null).ToArray();
        Assert.Equal(8, held.Length);
        Assert.Equal(workers.Order(), held.Order()!);
        await Task.WhenAll(held.Select(w => Task.Run(async () => await repo.ReleaseWorkerAsync(ext, w!))));
        var state = await repo.GetWorkersAsync(ext);
        Assert.Equal(workers.Order(), state.Select(s => s.WorkerId).Order());
        Assert.All(state, s => Assert.Equal(WorkerAvailability.Idle, s.Availability));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Parallel_dequeues_hand_out_each_task_exactly_once(string space)
    {
        var context = TestSpaces.Context(redis, space);
        var repo = new ExtensionRepository(context);
        var jobs = new JobRepository(context);
        string room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var workers = Enumerable.Range(0, 16).Select(_ => RedisFixture.NewId("w")).ToArray();
        foreach (var w in workers)
        {
            await repo.RegisterExtensionAsync(ext, Schema, w);
        }

        var tasks = Enumerable.Range(0, 10).Select(_ => ExtensionRepositoryTests.NewTask(room)).ToArray();
        foreach (var t in tasks)
        {
            await jobs.CreateAsync(ExtensionRepositoryTests.NewJob(room, t.JobId, DateTime.UtcNow), t);
        }

        var results = await Task.WhenAll(workers.Select(w => Task.Run(async () => (Worker: w, Result: await repo.DequeueAsync(ext, w)))));

        var taken = results.Where(r => r.Result.Status == ExtensionDequeueStatus.Dequeued).ToArray();
        Assert.Equal(10, taken.Length);
        Assert.Equal(tasks.Select(t => t.JobId).Order(), taken.Select(r => r.Result.Task!.JobId).Order());
        Assert.Equal(6, results.Count(r => r.Result.Status == ExtensionDequeueStatus.QueueEmpty));
        foreach (var (worker, result) in taken)
        {
            Assert.Equal(worker, (await jobs.GetByIdAsync(new JobId(room, result.Task!.JobId)))!.WorkerId);
        }

        Assert.Equal(0, await repo.QueueLengthAsync(ext));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Registration_racing_unregistration_never_leaves_a_schema_without_workers_or_workers_without_a_schema(string space)
    {
        var repo = new ExtensionRepository(TestSpaces.Context(redis, space));
        for (int round = 0; round < 20; round++)
        {
            var ext = ExtensionId.InRoom(RedisFixture.NewId("room"), "modifiers", "Rotate");
            string leaving = RedisFixture.NewId("old"), joining = RedisFixture.NewId("new");
            await repo.RegisterExtensionAsync(ext, Schema, leaving);

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var register = Task.Run(async () => { await gate.Task; return await repo.RegisterExtensionAsync(ext, Schema, joining); });
            var unregister = Task.Run(async () => { await gate.Task; return await repo.UnregisterWorkerAsync(leaving); });
            gate.SetResult();
            await Task.WhenAll(register, unregister);

            var schema = await repo.GetByIdAsync(ext);
            var workers = await repo.GetWorkersAsync(ext);
            Assert.NotNull(schema);
            Assert.Equal(joining, Assert.Single(workers).WorkerId);
        }
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Same_worker_registering_and_unregistering_leaves_all_or_nothing(string space)
    {
        var repo = new ExtensionRepository(TestSpaces.Context(redis, space));
        var results = new ConcurrentBag<(bool Schema, int Workers)>();
        for (int round = 0; round < 20; round++)
        {
            var ext = ExtensionId.InRoom(RedisFixture.NewId("room"), "modifiers", "Rotate");
            string sid = RedisFixture.NewId("sid");
            await repo.RegisterExtensionAsync(ExtensionId.InRoom(ext.RoomId!, "modifiers", "Other"), Schema, sid);
            await Task.WhenAll(
                Task.Run(async () => await repo.RegisterExtensionAsync(ext, Schema, sid)),
                Task.Run(async () => await repo.UnregisterWorkerAsync(sid)));
            var schema = await repo.GetByIdAsync(ext);
            var workers = await repo.GetWorkersAsync(ext);
            Assert.Equal(schema is not null, workers.Count == 1);
        }
    }
}
