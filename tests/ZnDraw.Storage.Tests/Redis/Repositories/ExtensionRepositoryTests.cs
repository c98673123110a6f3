using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the extension repository (ZnDraw's keys and bytes, the key registry, round trips, ZnDraw-written workers, wrong types); its behaviour is <see cref="ExtensionRepositoryContract"/>.</summary>
[Collection(RedisCollection.Name)]
public sealed class ExtensionRepositoryTests(RedisFixture redis)
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"properties": {"angle": {"default": 1.0, "type": "number"}}, "type": "object"}""").RootElement;
    private const string SchemaText = """{"properties": {"angle": {"default": 1.0, "type": "number"}}, "type": "object"}""";

    private IDatabase Db => redis.Database;

    private static ExtensionRepository Repo(RedisFixture redis, string space, TimeProvider? time = null) => new(TestSpaces.Context(redis, space, time));

    [Fact]
    public async Task Register_writes_zndraw_keys_byte_identical_and_records_the_registration()
    {
        var repo = Repo(redis, "zndraw");
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        await repo.RegisterExtensionAsync(ExtensionId.InRoom(RedisFixture.NewId("warm"), "modifiers", "Rotate"), Schema, sid); // script cached (EVALSHA)

        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
            Assert.Equal(ExtensionRegistrationResult.Registered, await repo.RegisterExtensionAsync(ext, Schema, sid)));

        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(SchemaText, (string?)await Db.HashGetAsync($"room:{room}:extensions:modifiers", "Rotate"));
        Assert.True(await Db.SetContainsAsync($"room:{room}:extensions:modifiers:Rotate:idle_workers", sid));
        Assert.True(await Db.SetContainsAsync($"room:{room}:extensions:modifiers:{sid}", "Rotate"));
        Assert.True(await Db.SetContainsAsync($"zndraw-storage:worker:{sid}:registrations", $"extensions:room:{room}:modifiers"));
        var registry = (await Db.SetMembersAsync($"room:{room}:keys")).Select(v => (string)v!).ToHashSet();
        Assert.Contains($"room:{room}:extensions:modifiers", registry);
        Assert.Contains($"room:{room}:extensions:modifiers:Rotate:idle_workers", registry);
        Assert.Contains($"room:{room}:extensions:modifiers:Rotate:progressing_workers", registry);
        Assert.Contains($"room:{room}:extensions:modifiers:Rotate:queue", registry);
        Assert.Contains($"room:{room}:extensions:modifiers:{sid}", registry);
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task A_join_keeps_the_stored_schema_text_and_a_conflict_writes_no_key(string space)
    {
        var repo = Repo(redis, space);
        var ext = ExtensionId.InRoom(RedisFixture.NewId("room"), "modifiers", "Rotate");
        string a = RedisFixture.NewId("a"), b = RedisFixture.NewId("b"), c = RedisFixture.NewId("c");
        var reordered = JsonDocument.Parse("""{"type": "object", "properties": {"angle": {"type": "number", "default": 1}}}""").RootElement;
        var other = JsonDocument.Parse("""{"type": "object"}""").RootElement;

        Assert.Equal(ExtensionRegistrationResult.Registered, await repo.RegisterExtensionAsync(ext, Schema, a));
        Assert.Equal(ExtensionRegistrationResult.Joined, await repo.RegisterExtensionAsync(ext, reordered, b));
        Assert.Equal(ExtensionRegistrationResult.SchemaConflict, await repo.RegisterExtensionAsync(ext, other, c));

        var keys = TestSpaces.Get(space).Extension(ext);
        Assert.Equal(SchemaText, (string?)await Db.HashGetAsync(keys.Schema(), "Rotate"));
        Assert.False(await Db.KeyExistsAsync(keys.UserExtensions(c)));
        Assert.False(await Db.SetContainsAsync(keys.IdleWorkers(), c));
        // The cluster-safe layout writes the registrations entry first (another slot); it points at nothing (documented).
        Assert.Equal(space == "cluster", await Db.KeyExistsAsync(TestSpaces.Get(space).Worker(c).Registrations()));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Acquire_and_release_are_one_round_trip_each_and_release_follows_the_reverse_index(string space)
    {
        var repo = Repo(redis, space);
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var rotate = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var delete = ExtensionId.InRoom(room, "modifiers", "Remove");
        await repo.RegisterExtensionAsync(rotate, Schema, sid);
        await repo.RegisterExtensionAsync(delete, Schema, sid);

        await repo.AcquireWorkerAsync(ExtensionId.InRoom(room, "modifiers", "Unused")); // script cached (EVALSHA)
        var (worker, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.AcquireWorkerAsync(rotate));
        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(sid, worker);

        // As in ZnDraw, a finished worker is idle again for every extension of its reverse index (here moved by hand).
        var keys = TestSpaces.Get(space).Extension(delete);
        await Db.SetMoveAsync(keys.IdleWorkers(), keys.ProgressingWorkers(), sid);
        await repo.ReleaseWorkerAsync(ExtensionId.InRoom(room, "modifiers", "Unused"), sid); // script cached (EVALSHA)
        var (was, release) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.ReleaseWorkerAsync(rotate, sid));
        Assert.True(was);
        Assert.Equal(1, release.RoundTrips);
        Assert.True(await Db.SetContainsAsync(keys.IdleWorkers(), sid));
        Assert.False(await Db.KeyExistsAsync(keys.ProgressingWorkers()));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Dequeue_is_two_round_trips_and_writes_the_job_fields(string space)
    {
        var created = new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc);
        var time = new FakeTimeProvider(new DateTimeOffset(created.AddMilliseconds(1500)));
        var context = TestSpaces.Context(redis, space, time);
        var repo = new ExtensionRepository(context);
        var jobs = new JobRepository(context);
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        await repo.RegisterExtensionAsync(ext, Schema, sid);
        var t1 = ExtensionRepositoryContract.NewTask(room);
        var t2 = ExtensionRepositoryContract.NewTask(room);
        await jobs.CreateAsync(ExtensionRepositoryContract.NewJob(room, t1.JobId, created), t1);
        await jobs.CreateAsync(ExtensionRepositoryContract.NewJob(room, t2.JobId, created), t2);
        Assert.Equal(2, await repo.QueueLengthAsync(ext));
        var warm = ExtensionId.InRoom(room, "modifiers", "Warm");
        var warmTask = ExtensionRepositoryContract.NewTask(room);
        await repo.RegisterExtensionAsync(warm, Schema, sid);
        await jobs.CreateAsync(ExtensionRepositoryContract.NewJob(room, warmTask.JobId, created, extension: "Warm"), warmTask);
        Assert.Equal(warmTask, (await repo.DequeueAsync(warm, sid)).Task); // script cached (EVALSHA)
        await repo.ReleaseWorkerAsync(warm, sid);

        var (result, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DequeueAsync(ext, sid));
        Assert.Equal(2, m.RoundTrips);
        Assert.Equal(t1, result.Task);
        var jobHash = (await Db.HashGetAllAsync(TestSpaces.Get(space).Job(room, t1.JobId).Hash())).ToDictionary(e => (string)e.Name!, e => (string)e.Value!);
        Assert.Equal(("running", sid, "1500", ZnDrawTime.FormatIso(time.GetUtcNow().UtcDateTime)), (jobHash["status"], jobHash["worker_id"], jobHash["wait_time_ms"], jobHash["started_at"]));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Unregister_worker_deletes_the_worker_keys_and_registry_entries(string space)
    {
        var repo = Repo(redis, space);
        string r1 = RedisFixture.NewId("room"), r2 = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid"), other = RedisFixture.NewId("other");
        string globalCategory = RedisFixture.NewId("cat");
        var alone = ExtensionId.InRoom(r1, "modifiers", "Rotate");
        var shared = ExtensionId.InRoom(r1, "analysis", "Plot");
        var queued = ExtensionId.InRoom(r2, "custom", "Slow");
        var global = ExtensionId.Global(globalCategory, "Public");
        foreach (var e in new[] { alone, shared, queued, global })
        {
            await repo.RegisterExtensionAsync(e, Schema, sid);
        }

        await repo.RegisterExtensionAsync(shared, Schema, other);
        await repo.EnqueueAsync(queued, ExtensionRepositoryContract.NewTask(r2));

        var removal = await repo.UnregisterWorkerAsync(sid);

        Assert.Equal(new ExtensionWorkerRemoval(4, 2), removal);
        var ks = TestSpaces.Get(space);
        Assert.False(await Db.KeyExistsAsync(ks.Extension(alone).UserExtensions(sid)));
        Assert.False(await Db.KeyExistsAsync(ks.Extension(alone).IdleWorkers()));
        Assert.False(await Db.KeyExistsAsync(ks.Worker(sid).Registrations()));
        Assert.False(await Db.SetContainsAsync(ks.Room(r1).KeyRegistry(), (string)ks.Extension(alone).IdleWorkers()!));
        Assert.False(await Db.KeyExistsAsync(ks.Extension(global).IdleWorkers()));
        Assert.False(await Db.KeyExistsAsync(ks.Extension(queued).UserExtensions(sid)));
    }

    [Theory]
    [InlineData("zndraw")]
    [InlineData("prefixed")]
    public async Task Unregister_worker_removes_a_worker_registered_by_zndraw_as_zndraws_disconnect_handler_does(string space)
    {
        var repo = Repo(redis, space);
        string prefix = TestSpaces.Get(space).Prefix;
        string room = RedisFixture.NewId("room"), elsewhere = RedisFixture.NewId("room"), user = RedisFixture.NewId("user");
        string sid = RedisFixture.NewId("sid"), other = RedisFixture.NewId("other");
        string globalName = RedisFixture.NewId("Public"), libraryCategory = RedisFixture.NewId("cat");

        // As ZnDraw's socket connect and extension registration write them, no library call.
        await Db.StringSetAsync($"{prefix}sid:{sid}", user);
        await Db.HashSetAsync($"{prefix}user:{user}", [new("userName", user), new("currentRoom", room)]);
        await ZnDrawRegisterAsync(prefix, room, "modifiers", "Rotate", sid);
        await ZnDrawRegisterAsync(prefix, room, "modifiers", "Scale", sid);
        await ZnDrawRegisterAsync(prefix, room, "analysis", "Plot", sid);
        await ZnDrawRegisterAsync(prefix, room, "selections", "All", sid);
        await ZnDrawRegisterAsync(prefix, room, "selections", "All", other); // another worker keeps it
        await ZnDrawRegisterAsync(prefix, null, "modifiers", globalName, sid);
        await ZnDrawRegisterAsync(prefix, null, "analysis", "Queued", sid);
        await Db.ListRightPushAsync($"{prefix}global:extensions:analysis:Queued:queue", "{}"); // a queued job keeps it
        await ZnDrawRegisterAsync(prefix, room, libraryCategory, "Known", sid); // a category the library recorded for the worker
        await ZnDrawRegisterAsync(prefix, room, "custom", "Unknown", sid); // not found without SCAN (documented)
        await ZnDrawRegisterAsync(prefix, elsewhere, "modifiers", "Elsewhere", sid); // not the current room (documented)
        var libraryExt = ExtensionId.InRoom(RedisFixture.NewId("room"), libraryCategory, "Lib");
        await repo.RegisterExtensionAsync(libraryExt, Schema, sid);

        var (removal, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.UnregisterWorkerAsync(sid));

        Assert.Equal(4, m.RoundTrips); // registrations + sid, currentRoom, reverse indexes, script
        Assert.Equal(new ExtensionWorkerRemoval(8, 6), removal);
        string head = $"{prefix}room:{room}:extensions:";
        foreach (var (schema, name) in new[] { ($"{head}modifiers", "Rotate"), ($"{head}modifiers", "Scale"), ($"{head}analysis", "Plot"), ($"{head}{libraryCategory}", "Known"), ($"{prefix}global:extensions:modifiers", globalName) })
        {
            Assert.False(await Db.HashExistsAsync(schema, name), $"{schema} {name}");
            Assert.False(await Db.KeyExistsAsync($"{schema}:{name}:idle_workers"), $"{schema} {name}");
        }

        Assert.Null(await repo.GetByIdAsync(libraryExt));
        Assert.True(await Db.HashExistsAsync($"{head}selections", "All"));
        Assert.Equal([other], (await Db.SetMembersAsync($"{head}selections:All:idle_workers")).Select(v => (string)v!));
        Assert.True(await Db.HashExistsAsync($"{prefix}global:extensions:analysis", "Queued"));
        Assert.Empty(await Db.SetMembersAsync($"{prefix}global:extensions:analysis:Queued:idle_workers"));
        foreach (var reverse in new[] { $"{head}modifiers:{sid}", $"{head}analysis:{sid}", $"{head}selections:{sid}", $"{head}{libraryCategory}:{sid}", $"{prefix}global:extensions:modifiers:{sid}", $"{prefix}global:extensions:analysis:{sid}" })
        {
            Assert.False(await Db.KeyExistsAsync(reverse), reverse);
        }

        Assert.True(await Db.HashExistsAsync($"{head}custom", "Unknown"));
        Assert.True(await Db.HashExistsAsync($"{prefix}room:{elsewhere}:extensions:modifiers", "Elsewhere"));
        Assert.Equal(user, (string?)await Db.StringGetAsync($"{prefix}sid:{sid}")); // the session is the host's to delete
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await repo.UnregisterWorkerAsync(sid));
    }

    [Theory]
    [InlineData("zndraw")]
    [InlineData("prefixed")]
    public async Task Unregister_worker_finds_zndraws_global_registrations_without_a_session_and_ignores_an_unusable_user(string space)
    {
        var repo = Repo(redis, space);
        string prefix = TestSpaces.Get(space).Prefix;
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid"), noSession = RedisFixture.NewId("sid");
        string name = RedisFixture.NewId("Public");

        // sid:{sid} names a user no key can be built for, and a user whose currentRoom is not a valid room id.
        await Db.StringSetAsync($"{prefix}sid:{sid}", " padded");
        await ZnDrawRegisterAsync(prefix, room, "modifiers", "Rotate", sid);
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await repo.UnregisterWorkerAsync(sid));
        string user = RedisFixture.NewId("user");
        await Db.StringSetAsync($"{prefix}sid:{sid}", user);
        await Db.HashSetAsync($"{prefix}user:{user}", "currentRoom", "no:room");
        Assert.Equal(new ExtensionWorkerRemoval(0, 0), await repo.UnregisterWorkerAsync(sid));
        Assert.True(await Db.HashExistsAsync($"{prefix}room:{room}:extensions:modifiers", "Rotate"));

        await ZnDrawRegisterAsync(prefix, null, "selections", name, noSession);
        Assert.Equal(new ExtensionWorkerRemoval(1, 1), await repo.UnregisterWorkerAsync(noSession));
        Assert.False(await Db.HashExistsAsync($"{prefix}global:extensions:selections", name));
        Assert.False(await Db.KeyExistsAsync($"{prefix}global:extensions:selections:{noSession}"));
    }

    [Fact]
    public async Task Unregister_worker_names_a_wrong_typed_session_key()
    {
        var repo = Repo(redis, "zndraw");
        string sid = RedisFixture.NewId("sid");
        await Db.SetAddAsync($"sid:{sid}", "not a string");

        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.UnregisterWorkerAsync(sid));

        Assert.Contains($"sid:{sid}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Unregister_worker_names_a_wrong_typed_reverse_index_and_skips_entries_it_cannot_read(string space)
    {
        var repo = Repo(redis, space);
        var ks = TestSpaces.Get(space);
        string r1 = RedisFixture.NewId("room"), r2 = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var first = ExtensionId.InRoom(r1, "modifiers", "Rotate");
        var second = ExtensionId.InRoom(r2, "analysis", "Plot");
        await repo.RegisterExtensionAsync(first, Schema, sid);
        await repo.RegisterExtensionAsync(second, Schema, sid);
        RedisKey registrations = ks.Worker(sid).Registrations();
        await Db.SetAddAsync(registrations, ["extensions:room:bad:room:x", "filesystems:global", "extensions:room:r:1:c"]);

        RedisKey reverse = ks.Extension(second).UserExtensions(sid);
        await Db.KeyDeleteAsync(reverse);
        await Db.StringSetAsync(reverse, "not a set");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.UnregisterWorkerAsync(sid));
        Assert.Contains((string)reverse!, ex.Message, StringComparison.Ordinal);
        Assert.NotNull(await repo.GetByIdAsync(first)); // nothing removed

        await Db.KeyDeleteAsync(reverse);
        await Db.SetAddAsync(reverse, "Plot");
        Assert.Equal(new ExtensionWorkerRemoval(2, 2), await repo.UnregisterWorkerAsync(sid));
        Assert.Null(await repo.GetByIdAsync(first));
        Assert.Null(await repo.GetByIdAsync(second));
        Assert.Equal(["extensions:room:bad:room:x", "extensions:room:r:1:c", "filesystems:global"], (await Db.SetMembersAsync(registrations)).Select(v => (string)v!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task Register_sends_the_key_names_the_registry_and_queue_length_read(string space)
    {
        var repo = Repo(redis, space);
        var ks = TestSpaces.Get(space);
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var keys = ks.Extension(ext);

        Assert.Equal(ExtensionRegistrationResult.Registered, await repo.RegisterExtensionAsync(ext, Schema, sid));
        Assert.Equal(ExtensionRegistrationResult.Joined, await repo.RegisterExtensionAsync(ext, Schema, sid));

        var registry = (await Db.SetMembersAsync(ks.Room(room).KeyRegistry())).Select(v => (string)v!).Order(StringComparer.Ordinal);
        Assert.Equal(new[] { keys.Schema(), keys.IdleWorkers(), keys.ProgressingWorkers(), keys.Queue(), keys.UserExtensions(sid) }.Select(k => (string)k!).Order(StringComparer.Ordinal), registry);
        Assert.True(await Db.SetContainsAsync(ks.Worker(sid).Registrations(), $"extensions:room:{room}:modifiers"));
        await repo.EnqueueAsync(ext, ExtensionRepositoryContract.NewTask(room));
        Assert.Equal(1, await repo.QueueLengthAsync(ext));
        Assert.Equal(1, await Db.ListLengthAsync((string)keys.Queue()!));
    }

    [Fact]
    public async Task Reads_data_written_exactly_as_zndraw_writes_it()
    {
        var repo = Repo(redis, "zndraw");
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid"), job = Guid.NewGuid().ToString();
        // ZnDraw's registration pipeline and submit route, as raw commands.
        await Db.HashSetAsync($"room:{room}:extensions:selections", "Neighbour", """{"properties": {"cutoff": {"default": 2.5, "title": "Cutoff", "type": "number"}}, "title": "Neighbour", "type": "object"}""");
        await Db.SetAddAsync($"room:{room}:extensions:selections:Neighbour:idle_workers", sid);
        await Db.SetAddAsync($"room:{room}:extensions:selections:{sid}", "Neighbour");
        await Db.ListRightPushAsync($"room:{room}:extensions:selections:Neighbour:queue", $$"""{"user_name": "user-1a2b3c4d", "data": {"cutoff": 3.0}, "room": "{{room}}", "jobId": "{{job}}"}""");
        await Db.HashSetAsync($"job:{job}", [
            new("id", job), new("room", room), new("category", "selections"), new("extension", "Neighbour"),
            new("data", """{"cutoff": 3.0}"""), new("user_name", "user-1a2b3c4d"), new("status", "queued"), new("provider", "client"),
            new("created_at", "2025-10-31T12:00:00.123456"), new("started_at", ""), new("completed_at", ""), new("worker_id", ""),
            new("error", ""), new("result", ""), new("wait_time_ms", ""), new("execution_time_ms", ""),
        ]);
        var ext = ExtensionId.InRoom(room, "selections", "Neighbour");

        var schemas = await repo.ListExtensionsAsync(ExtensionScope.Room, room, "selections");
        Assert.Equal("Neighbour", Assert.Single(schemas).Name);
        Assert.Equal(2.5, schemas[0].Schema.GetProperty("properties").GetProperty("cutoff").GetProperty("default").GetDouble());
        var result = await repo.DequeueAsync(ext, sid);
        Assert.Equal(new ExtensionTask("user-1a2b3c4d", JsonDocument.Parse("""{"cutoff": 3.0}""").RootElement, room, job), result.Task);
        Assert.Equal("running", (string?)await Db.HashGetAsync($"job:{job}", "status"));
        Assert.Equal(sid, (string?)await Db.HashGetAsync($"job:{job}", "worker_id"));
        Assert.True(await Db.SetContainsAsync($"room:{room}:extensions:selections:Neighbour:progressing_workers", sid));
        await Db.KeyDeleteAsync($"job:{job}");
    }

    [Fact]
    public async Task Enqueue_writes_the_task_as_zndraw_does()
    {
        var repo = Repo(redis, "zndraw");
        string room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var task = new ExtensionTask("bob", JsonDocument.Parse("""{"angle": 90.0, "axis": [0, 0, 1]}""").RootElement, room, "j-1", JobProvider.Celery);

        var (length, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.EnqueueAsync(ext, task));

        Assert.Equal(1, m.RoundTrips);
        Assert.Equal(1, length);
        Assert.Equal(
            $$"""{"user_name": "bob", "data": {"angle": 90.0, "axis": [0, 0, 1]}, "room": "{{room}}", "jobId": "j-1", "provider": "celery"}""",
            (string?)await Db.ListGetByIndexAsync($"room:{room}:extensions:modifiers:Rotate:queue", 0));
        await Assert.ThrowsAsync<ArgumentException>(async () => await repo.EnqueueAsync(ext, task with { Room = "elsewhere" }));
    }

    [Fact]
    public async Task Reads_are_one_round_trip()
    {
        var repo = Repo(redis, "zndraw");
        var ext = ExtensionId.InRoom(RedisFixture.NewId("room"), "modifiers", "Rotate");
        await repo.RegisterExtensionAsync(ext, Schema, RedisFixture.NewId("sid"));
        Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await repo.GetByIdAsync(ext); })).RoundTrips);
        Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await repo.ListExtensionsAsync(ExtensionScope.Room, ext.RoomId, "modifiers"); })).RoundTrips);
        Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await repo.GetWorkersAsync(ext); })).RoundTrips);
        Assert.Equal(1, (await RoundTrips.MeasureAsync(redis.Connection, async () => { await repo.QueueLengthAsync(ext); })).RoundTrips);
    }

    [Fact]
    public async Task Wrong_types_and_bad_values_raise_storage_data_exceptions_naming_the_key()
    {
        var repo = Repo(redis, "zndraw");
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        string schemaKey = $"room:{room}:extensions:modifiers";
        await Db.StringSetAsync(schemaKey, "not a hash");

        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(ext));
        Assert.Contains(schemaKey, ex.Message, StringComparison.Ordinal);
        ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.RegisterExtensionAsync(ext, Schema, sid));
        Assert.Contains(schemaKey, ex.Message, StringComparison.Ordinal);
        Assert.False(await Db.KeyExistsAsync($"room:{room}:extensions:modifiers:Rotate:idle_workers")); // refused before any write

        await Db.KeyDeleteAsync(schemaKey);
        await Db.HashSetAsync(schemaKey, "Rotate", "{broken");
        ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.GetByIdAsync(ext));
        Assert.Equal(schemaKey, ex.Key);
        ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.RegisterExtensionAsync(ext, Schema, sid));
        Assert.Equal(schemaKey, ex.Key);

        string queue = $"room:{room}:extensions:modifiers:Rotate:queue";
        await Db.ListRightPushAsync(queue, "[1, 2]");
        ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.DequeueAsync(ext, sid));
        Assert.Equal(queue, ex.Key);
    }

    [Fact]
    public async Task Invalid_arguments_throw_before_anything_is_sent()
    {
        var repo = Repo(redis, "zndraw");
        var m = await RoundTrips.MeasureAsync(redis.Connection, async () =>
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.RegisterExtensionAsync(ExtensionId.InRoom("a:b", "modifiers", "X"), Schema, "s"));
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.RegisterExtensionAsync(ExtensionId.InRoom("r", "modifiers", "X"), Schema, "s:1"));
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.AcquireWorkerAsync(new ExtensionId(ExtensionScope.Global, "r", "modifiers", "X")));
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.ListExtensionsAsync(ExtensionScope.Room, null, "modifiers"));
            await Assert.ThrowsAsync<ArgumentException>(async () => await repo.UnregisterWorkerAsync(""));
        });
        Assert.Empty(m.Commands);
    }

    /// <summary>Registers <paramref name="sid"/> for an extension with the commands ZnDraw's registration route sends.</summary>
    private async Task ZnDrawRegisterAsync(string prefix, string? room, string category, string name, string sid)
    {
        string head = room is null ? $"{prefix}global:extensions:{category}" : $"{prefix}room:{room}:extensions:{category}";
        await Db.HashSetAsync(head, name, SchemaText);
        await Db.SetAddAsync($"{head}:{name}:idle_workers", sid);
        await Db.SetAddAsync($"{head}:{sid}", name);
    }
}
