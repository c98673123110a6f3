using System.Globalization;
using System.Text.Json;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// The remaining extension calls against raw StackExchange.Redis twins: the register script (a worker re-registering,
/// so the schema is compared and nothing changes), HGET/HGETALL of schemas parsed into models, the worker sets (one
/// batch), LLEN, and two cycles that leave the state as they found it: register + unregister of a worker that is the
/// extension's only one (the unregister reads the registrations set, then the reverse indexes, then runs one script),
/// and enqueue (MULTI) + dequeue (LINDEX, then one script) + release (one script, so the worker is idle again).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class ExtensionMoreBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-ext-more";
    private const string Category = "modifiers";
    private const string Entry = "extensions:room:" + RoomId + ":" + Category;

    // "Rotate": three workers (one progressing) and five queued tasks; re-registered by worker-1 and read.
    private const string Listed = "Rotate";
    private const string Worker = "bench-ext-w1";

    // "Scale": registered and unregistered by its only worker in each call.
    private const string Leaving = "Scale";
    private const string LeavingWorker = "bench-ext-gone";

    // "Translate": one idle worker; a task is queued, handed to it and the worker released in each call.
    private const string Queued = "Translate";
    private const string QueueWorker = "bench-ext-wq";
    private const string JobId = "bench-ext-more-job";

    // "Shear": saved (schema only, no workers) and deleted in each call.
    private const string Saved = "Shear";

    private static readonly ExtensionId SavedId = ExtensionId.InRoom(RoomId, Category, Saved);
    private static readonly ExtensionId ListedId = ExtensionId.InRoom(RoomId, Category, Listed);
    private static readonly ExtensionId LeavingId = ExtensionId.InRoom(RoomId, Category, Leaving);
    private static readonly ExtensionId QueuedId = ExtensionId.InRoom(RoomId, Category, Queued);

    private IDatabase _db = null!;
    private string SchemaKey = null!; // were constants: built once for the layout of the run
    private string Registry = null!;
    private string[] _patterns = null!;
    private ExtensionRepository _extensions = null!;
    private RawScript _register = null!;
    private RawScript _unregister = null!;
    private RawScript _dequeue = null!;
    private RawScript _release = null!;
    private RawScript _save = null!;
    private RawScript _delete = null!;
    private JsonDocument _schemaDocument = null!;
    private JsonElement _schema;
    private ExtensionTask _task = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        SchemaKey = RoomKey(RoomId, "extensions:" + Category);
        Registry = RoomKey(RoomId, "keys");
        _patterns = [RoomBase(RoomId) + "*", JobHash(RoomId, JobId), "zndraw-storage:worker:*bench-ext-*"];
        var context = BenchmarkRedis.Context();
        _extensions = new ExtensionRepository(context);
        _register = new RawScript(ExtensionScripts.Register.Text);
        _unregister = new RawScript(ExtensionScripts.Unregister.Text);
        _dequeue = new RawScript(ExtensionScripts.Dequeue.Text);
        _release = new RawScript(ExtensionScripts.Release.Text);
        _save = new RawScript(ExtensionScripts.Save.Text);
        _delete = new RawScript(ExtensionScripts.Delete.Text);

        // The schema as a worker sends it (json.dumps text): the library stores it re-formatted, the raw twin as is.
        _schemaDocument = JsonDocument.Parse("""{"properties": {"angle": {"type": "number", "default": 90}, "axis": {"type": "string", "enum": ["x", "y", "z"]}}, "required": ["angle"]}""");
        _schema = _schemaDocument.RootElement;
        using (var data = JsonDocument.Parse("""{"angle": 90, "axis": "z"}"""))
        {
            _task = new ExtensionTask("alice", data.RootElement.Clone(), RoomId, JobId);
        }

        await RedisState.DeleteAsync(_db, _patterns);
        for (int i = 0; i < 10; i++)
        {
            await _extensions.RegisterExtensionAsync(ExtensionId.InRoom(RoomId, Category, "Ext" + i.ToString("00", CultureInfo.InvariantCulture)), _schema, Worker);
        }

        foreach (string worker in new[] { Worker, "bench-ext-w2", "bench-ext-w3" })
        {
            await _extensions.RegisterExtensionAsync(ListedId, _schema, worker);
        }

        await _extensions.AcquireWorkerAsync(ListedId);
        for (int i = 0; i < 5; i++)
        {
            await _extensions.EnqueueAsync(ListedId, _task);
        }

        await _extensions.RegisterExtensionAsync(QueuedId, _schema, QueueWorker);
        var job = new Job(JobId, RoomId, Category, Queued, null, "alice", JobStatus.Queued, JobProvider.Client,
            new DateTime(2025, 10, 31, 12, 0, 5, DateTimeKind.Utc));
        await new JobRepository(context).SaveAsync(job);
    }

    protected override async Task VerifyAsync()
    {
        Same(ExtensionRegistrationResult.Joined, await Lib_register_once(), "library re-register");
        Same(await Lib_register_once(), await Raw_register_once(), "re-register");
        Same((string?)await _db.HashGetAsync(SchemaKey, Listed), _schema.GetRawText(), "stored schema text (what the raw twin sends)");
        Same(await Lib_get_schema_once(), await Raw_get_schema_once(), "schema");
        Same(await Lib_exists_once(), await Raw_exists_once(), "exists");
        Same(true, await Lib_save_delete_once(), "library save + delete");
        Same(await Lib_save_delete_once(), await Raw_save_delete_once(), "save + delete");
        SameSequence(await Lib_list_once(), await Raw_list_once(), "schemas");
        SameSequence(await Lib_workers_once(), await Raw_workers_once(), "workers");
        Same(await Lib_queue_length_once(), await Raw_queue_length_once(), "queue length");

        var before = await RedisState.DumpAsync(_db, withTtl: false, _patterns);
        var lib = await Lib_register_unregister_once();
        Same((ExtensionRegistrationResult.Registered, new ExtensionWorkerRemoval(1, 1)), lib, "library register + unregister");
        var afterLib = await RedisState.DumpAsync(_db, withTtl: false, _patterns);
        Same(lib, await Raw_register_unregister_once(), "register + unregister");
        var afterRaw = await RedisState.DumpAsync(_db, withTtl: false, _patterns);
        RedisState.Same(before, afterLib, "state after the library's register + unregister");
        RedisState.Same(afterLib, afterRaw, "state after register + unregister");

        // The task text the raw twin builds is the library's, byte for byte (pushed by the library, read back, removed).
        string queue = SchemaKey + ":" + Queued + ":queue";
        await _extensions.EnqueueAsync(QueuedId, _task);
        Same((string?)await _db.ListRightPopAsync(queue), FormatTask(_task), "task JSON");

        var libCycle = await Lib_enqueue_dequeue_once();
        Same((1L, ExtensionDequeueStatus.Dequeued, (ExtensionTask?)_task, true, 0, true), libCycle, "library enqueue + dequeue + release");
        var afterLibCycle = await RedisState.DumpAsync(_db, withTtl: false, _patterns);
        Same(libCycle, await Raw_enqueue_dequeue_once(), "enqueue + dequeue + release");
        var afterRawCycle = await RedisState.DumpAsync(_db, withTtl: false, _patterns);
        RedisState.Same(afterLibCycle, afterRawCycle, "state after enqueue + dequeue + release");
    }

    private static ExtensionRegistrationResult RegistrationResult(int code) => code switch
    {
        1 => ExtensionRegistrationResult.Registered,
        2 => ExtensionRegistrationResult.Joined,
        0 => ExtensionRegistrationResult.SchemaConflict,
        _ => throw new InvalidOperationException("the stored schema is not valid JSON"),
    };

    private static JsonElement ParseDetached(in RedisValue value)
    {
        using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)value);
        return document.RootElement.Clone();
    }

    private static string Iso(DateTime utc) =>
        utc.Ticks % TimeSpan.TicksPerSecond / 10 == 0
            ? utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    private static string EpochMilliseconds(DateTime utc) =>
        ((utc.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond).ToString(CultureInfo.InvariantCulture);

    private async Task<ExtensionRegistrationResult> RawRegisterAsync(string name, string worker)
    {
        string head = SchemaKey + ":" + name + ":";
        string idle = head + "idle_workers", progressing = head + "progressing_workers", reverse = SchemaKey + ":" + worker;
        if (BenchmarkCluster.Active)
        {
            // The cluster-safe layout: the worker's registrations set (its slot) first, then the script (the room's).
            await _db.SetAddAsync(Registrations(worker), Entry).ConfigureAwait(false);
            RedisKey[] roomKeys = [SchemaKey, idle, progressing, reverse, Registry];
            RedisValue[] roomArgs = [name, _schema.GetRawText(), worker, "1", "0", Entry, SchemaKey, idle, progressing, head + "queue", reverse];
            return RegistrationResult((int)await _db.ScriptEvaluateAsync(_register.Sha1, roomKeys, roomArgs).ConfigureAwait(false));
        }

        RedisKey[] keys = [SchemaKey, idle, progressing, reverse, Registry, "zndraw-storage:worker:" + worker + ":registrations"];
        RedisValue[] args = [name, _schema.GetRawText(), worker, "1", "1", Entry, SchemaKey, idle, progressing, head + "queue", reverse];
        RedisResult result = await _db.ScriptEvaluateAsync(_register.Sha1, keys, args).ConfigureAwait(false);
        return RegistrationResult((int)result);
    }

    private static string Registrations(string worker) =>
        BenchmarkCluster.Active ? "zndraw-storage:worker:{" + worker + "}:registrations" : "zndraw-storage:worker:" + worker + ":registrations";

    // The cluster-safe layout's steps: SMEMBERS of the registrations (no ZnDraw scopes: that layout has no ZnDraw
    // workers), the reverse indexes in one batch, one unregister script per scope (its slot), then one SREM of the
    // entries done (the worker's slot).
    private async Task<ExtensionWorkerRemoval> RawUnregisterWorkerClusterAsync(string worker)
    {
        RedisKey registrations = Registrations(worker);
        int removed = 0, deleted = 0;
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            RedisValue[] entries = await _db.SetMembersAsync(registrations).ConfigureAwait(false);
            var groups = new List<(string Entry, string Room, string Schema)>(entries.Length);
            foreach (RedisValue value in entries)
            {
                string entry = value!;
                int colon = entry.StartsWith("extensions:room:", StringComparison.Ordinal) ? entry.IndexOf(':', 16) : -1;
                if (colon > 16 && colon < entry.Length - 1 && entry.IndexOf(':', colon + 1) < 0)
                {
                    string room = entry[16..colon];
                    groups.Add((entry, room, RoomKey(room, "extensions:" + entry[(colon + 1)..])));
                }
            }

            if (groups.Count == 0)
            {
                return new ExtensionWorkerRemoval(removed, deleted);
            }

            IBatch batch = _db.CreateBatch();
            var reads = new Task<RedisValue[]>[groups.Count];
            for (int i = 0; i < groups.Count; i++)
            {
                reads[i] = batch.SetMembersAsync(groups[i].Schema + ":" + worker);
            }

            batch.Execute();
            await Task.WhenAll(reads).ConfigureAwait(false);
            bool changed = false;
            var done = new List<RedisValue>(groups.Count);
            for (int i = 0; i < groups.Count; i++)
            {
                (string entry, string room, string schema) = groups[i];
                RedisValue[] names = reads[i].Result;
                var keys = new List<RedisKey>(3 + (3 * names.Length)) { schema + ":" + worker, schema, RoomKey(room, "keys") };
                var args = new List<RedisValue>(6 + names.Length) { worker, "0", 1, entry, "1", names.Length };
                foreach (RedisValue value in names)
                {
                    string head = schema + ":" + (string)value! + ":";
                    keys.Add(head + "idle_workers");
                    keys.Add(head + "progressing_workers");
                    keys.Add(head + "queue");
                    args.Add(value);
                }

                var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_unregister.Sha1, [.. keys], [.. args]).ConfigureAwait(false))!;
                if ((int)reply[0] < 0)
                {
                    changed = true;
                    continue;
                }

                removed += (int)reply[0];
                deleted += (int)reply[1];
                done.Add(entry);
            }

            if (done.Count > 0)
            {
                await _db.SetRemoveAsync(registrations, [.. done]).ConfigureAwait(false);
            }

            if (!changed)
            {
                return new ExtensionWorkerRemoval(removed, deleted);
            }
        }

        throw new InvalidOperationException("the registrations kept changing");
    }

    private async Task<ExtensionWorkerRemoval> RawUnregisterWorkerAsync(string worker)
    {
        if (BenchmarkCluster.Active)
        {
            return await RawUnregisterWorkerClusterAsync(worker).ConfigureAwait(false);
        }

        RedisKey registrations = "zndraw-storage:worker:" + worker + ":registrations";
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            // 1. The scopes the worker registered in: "extensions:room:{room}:{category}" or "extensions:global:{category}",
            //    and (ZnDraw layout) the user of the worker's session, whose current room ZnDraw's own reverse index is in.
            IBatch first = _db.CreateBatch();
            Task<RedisValue[]> entriesRead = first.SetMembersAsync(registrations);
            Task<RedisValue> sessionRead = first.StringGetAsync("sid:" + worker);
            first.Execute();
            RedisValue[] entries = await entriesRead.ConfigureAwait(false);
            RedisValue sessionUser = await sessionRead.ConfigureAwait(false);
            var groups = new List<(string Entry, string? Room, string Schema)>(entries.Length);
            foreach (RedisValue value in entries)
            {
                string entry = value!;
                if (entry.StartsWith("extensions:room:", StringComparison.Ordinal))
                {
                    int colon = entry.IndexOf(':', 16);
                    if (colon > 16 && colon < entry.Length - 1 && entry.IndexOf(':', colon + 1) < 0)
                    {
                        string room = entry[16..colon];
                        groups.Add((entry, room, "room:" + room + ":extensions:" + entry[(colon + 1)..]));
                    }
                }
                else if (entry.StartsWith("extensions:global:", StringComparison.Ordinal) && entry.Length > 18 && entry.IndexOf(':', 18) < 0)
                {
                    groups.Add((entry, null, "global:extensions:" + entry[18..]));
                }
            }

            // ZnDraw's own scopes for a worker it may have registered: its categories (and the registrations') in the
            // global scope; the session's user has no current room here (no sid:{worker} in this benchmark).
            if (!sessionUser.IsNullOrEmpty)
            {
                throw new InvalidOperationException("the benchmark worker has no session");
            }

            int fromRegistrations = groups.Count;
            foreach (string category in (string[])["modifiers", "selections", "analysis"])
            {
                string schema = "global:extensions:" + category;
                if (!groups.Exists(g => g.Room is null && g.Schema == schema))
                {
                    groups.Add((string.Empty, null, schema));
                }
            }

            // 2. Each scope's reverse index (the extensions the worker serves there), in one batch.
            IBatch batch = _db.CreateBatch();
            var allReads = new Task<RedisValue[]>[groups.Count];
            for (int i = 0; i < groups.Count; i++)
            {
                allReads[i] = batch.SetMembersAsync(groups[i].Schema + ":" + worker);
            }

            batch.Execute();
            await Task.WhenAll(allReads).ConfigureAwait(false);

            // A registrations entry is kept even when empty; a ZnDraw scope only when the worker serves something there.
            var kept = new List<int>(groups.Count);
            for (int i = 0; i < groups.Count; i++)
            {
                if (i < fromRegistrations || allReads[i].Result.Length > 0)
                {
                    kept.Add(i);
                }
            }

            if (kept.Count == 0)
            {
                return default;
            }

            groups = [.. kept.Select(i => groups[i])];
            var reads = kept.Select(i => allReads[i]).ToArray();

            // 3. One script that re-checks the reverse indexes and removes the worker.
            var keys = new List<RedisKey> { registrations };
            var args = new List<RedisValue> { worker, "1", groups.Count };
            for (int i = 0; i < groups.Count; i++)
            {
                (string entry, string? room, string schema) = groups[i];
                keys.Add(schema + ":" + worker);
                keys.Add(schema);
                if (room is not null)
                {
                    keys.Add("room:" + room + ":keys");
                }

                RedisValue[] names = reads[i].Result;
                args.Add(entry);
                args.Add(room is null ? "0" : "1");
                args.Add(names.Length);
                foreach (RedisValue value in names)
                {
                    string name = value!;
                    string head = schema + ":" + name + ":";
                    keys.Add(head + "idle_workers");
                    keys.Add(head + "progressing_workers");
                    keys.Add(head + "queue");
                    args.Add(name);
                }
            }

            var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_unregister.Sha1, [.. keys], [.. args]).ConfigureAwait(false))!;
            if ((int)reply[0] >= 0)
            {
                return new ExtensionWorkerRemoval((int)reply[0], (int)reply[1]);
            }
        }

        throw new InvalidOperationException("the registrations kept changing");
    }

    /// <summary>The queue entry as ZnDraw's json.dumps writes it (the data element is sent as the worker's text).</summary>
    private static string FormatTask(ExtensionTask task) => string.Concat(
    [
        "{\"user_name\": ", Quote(task.UserName), ", \"data\": ", task.Data.GetRawText(), ", \"room\": ", Quote(task.Room),
        ", \"jobId\": ", Quote(task.JobId), task.Provider switch { null => "}", JobProvider.Celery => ", \"provider\": \"celery\"}", _ => ", \"provider\": \"client\"}" },
    ]);

    /// <summary>A JSON string as Python writes it: <c>\uXXXX</c> for everything outside printable ASCII.</summary>
    private static string Quote(string text)
    {
        bool plain = true;
        foreach (char c in text)
        {
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\')
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            return "\"" + text + "\"";
        }

        var sb = new StringBuilder(text.Length + 8).Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    private static ExtensionTask ParseTask(in RedisValue value)
    {
        using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)value);
        JsonElement root = document.RootElement;
        JobProvider? provider = null;
        if (root.TryGetProperty("provider", out JsonElement p) && p.ValueKind != JsonValueKind.Null)
        {
            provider = p.ValueEquals("celery") ? JobProvider.Celery : p.ValueEquals("client") ? JobProvider.Client : throw new InvalidOperationException("provider");
        }

        return new ExtensionTask(
            root.GetProperty("user_name").GetString()!,
            root.GetProperty("data").Clone(),
            root.GetProperty("room").GetString()!,
            root.GetProperty("jobId").GetString()!,
            provider);
    }

    private async Task<ExtensionDequeueResult> RawDequeueAsync(string name, string worker)
    {
        string head = SchemaKey + ":" + name + ":";
        string queue = head + "queue";
        List<ExtensionTask>? skipped = null;
        RedisValue first = await _db.ListGetByIndexAsync(queue, 0).ConfigureAwait(false);
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            if (first.IsNull)
            {
                return new ExtensionDequeueResult(ExtensionDequeueStatus.QueueEmpty, null, false, skipped ?? []);
            }

            ExtensionTask task = ParseTask(first);
            DateTime now = DateTime.UtcNow;
            RedisKey[] keys = [queue, head + "idle_workers", head + "progressing_workers", JobHash(task.Room, task.JobId)];
            RedisValue[] args = [first, worker, Iso(now), EpochMilliseconds(now), "1"];
            var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_dequeue.Sha1, keys, args).ConfigureAwait(false))!;
            switch ((int)reply[0])
            {
                case 0:
                    return new ExtensionDequeueResult(ExtensionDequeueStatus.QueueEmpty, null, false, skipped ?? []);
                case -1:
                    first = (RedisValue)reply[1];
                    continue;
                case 2:
                    (skipped ??= []).Add(task);
                    first = reply.Length > 1 ? (RedisValue)reply[1] : RedisValue.Null;
                    continue;
                case 3:
                    return new ExtensionDequeueResult(ExtensionDequeueStatus.WorkerNotIdle, null, false, skipped ?? []);
                default:
                    return new ExtensionDequeueResult(ExtensionDequeueStatus.Dequeued, task, true, skipped ?? []);
            }
        }

        throw new InvalidOperationException("the queue kept changing");
    }

    private async Task<bool> RawReleaseAsync(string name, string worker)
    {
        string head = SchemaKey + ":" + name + ":";
        RedisKey[] keys = [SchemaKey + ":" + worker, head + "idle_workers", head + "progressing_workers"];
        RedisValue[] args = [worker, name, SchemaKey + ":"];
        RedisResult result = await _db.ScriptEvaluateAsync(_release.Sha1, keys, args).ConfigureAwait(false);
        return (int)result == 1;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.Register")]
    public Task Raw_register() => Repeat(Raw_register_once);

    public Task<ExtensionRegistrationResult> Raw_register_once() => RawRegisterAsync(Listed, Worker);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.Register")]
    public Task Lib_register() => Repeat(Lib_register_once);

    public ValueTask<ExtensionRegistrationResult> Lib_register_once() => _extensions.RegisterExtensionAsync(ListedId, _schema, Worker);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.RegisterThenUnregisterWorker")]
    public Task Raw_register_unregister() => Repeat(Raw_register_unregister_once);

    public async Task<(ExtensionRegistrationResult, ExtensionWorkerRemoval)> Raw_register_unregister_once()
    {
        ExtensionRegistrationResult registered = await RawRegisterAsync(Leaving, LeavingWorker).ConfigureAwait(false);
        return (registered, await RawUnregisterWorkerAsync(LeavingWorker).ConfigureAwait(false));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.RegisterThenUnregisterWorker")]
    public Task Lib_register_unregister() => Repeat(Lib_register_unregister_once);

    public async Task<(ExtensionRegistrationResult, ExtensionWorkerRemoval)> Lib_register_unregister_once()
    {
        ExtensionRegistrationResult registered = await _extensions.RegisterExtensionAsync(LeavingId, _schema, LeavingWorker).ConfigureAwait(false);
        return (registered, await _extensions.UnregisterWorkerAsync(LeavingWorker).ConfigureAwait(false));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.GetSchema")]
    public Task Raw_get_schema() => Repeat(Raw_get_schema_once);

    public async Task<ExtensionSchema?> Raw_get_schema_once()
    {
        RedisValue value = await _db.HashGetAsync(SchemaKey, Listed).ConfigureAwait(false);
        return value.IsNull ? null : new ExtensionSchema(Listed, Category, ParseDetached(value), ExtensionScope.Room, RoomId);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.GetSchema")]
    public Task Lib_get_schema() => Repeat(Lib_get_schema_once);

    public ValueTask<ExtensionSchema?> Lib_get_schema_once() => _extensions.GetByIdAsync(ListedId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.Exists")]
    public Task Raw_exists() => Repeat(Raw_exists_once);

    public Task<bool> Raw_exists_once() => _db.HashExistsAsync(SchemaKey, Listed);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.Exists")]
    public Task Lib_exists() => Repeat(Lib_exists_once);

    public ValueTask<bool> Lib_exists_once() => _extensions.ExistsAsync(ListedId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.SaveThenDelete")]
    public Task Raw_save_delete() => Repeat(Raw_save_delete_once);

    public async Task<bool> Raw_save_delete_once()
    {
        await _db.ScriptEvaluateAsync(_save.Sha1, [SchemaKey, Registry], [Saved, _schema.GetRawText(), SchemaKey]).ConfigureAwait(false);
        string head = SchemaKey + ":" + Saved + ":";
        string idle = head + "idle_workers", progressing = head + "progressing_workers", queue = head + "queue";
        RedisResult deleted = await _db.ScriptEvaluateAsync(
            _delete.Sha1, [SchemaKey, idle, progressing, queue, Registry], [Saved, SchemaKey + ":", SchemaKey, idle, progressing, queue]).ConfigureAwait(false);
        return (long)deleted == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.SaveThenDelete")]
    public Task Lib_save_delete() => Repeat(Lib_save_delete_once);

    public async Task<bool> Lib_save_delete_once()
    {
        await _extensions.SaveAsync(new ExtensionSchema(Saved, Category, _schema, ExtensionScope.Room, RoomId)).ConfigureAwait(false);
        return await _extensions.DeleteAsync(SavedId).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.ListExtensions")]
    public Task Raw_list() => Repeat(Raw_list_once);

    public async Task<IReadOnlyList<ExtensionSchema>> Raw_list_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(SchemaKey).ConfigureAwait(false);
        var result = new ExtensionSchema[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            result[i] = new ExtensionSchema(entries[i].Name!, Category, ParseDetached(entries[i].Value), ExtensionScope.Room, RoomId);
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.ListExtensions")]
    public Task Lib_list() => Repeat(Lib_list_once);

    public ValueTask<IReadOnlyList<ExtensionSchema>> Lib_list_once() => _extensions.ListExtensionsAsync(ExtensionScope.Room, RoomId, Category);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.GetWorkers")]
    public Task Raw_workers() => Repeat(Raw_workers_once);

    public async Task<IReadOnlyList<WorkerState>> Raw_workers_once()
    {
        string head = SchemaKey + ":" + Listed + ":";
        IBatch batch = _db.CreateBatch();
        Task<RedisValue[]> idle = batch.SetMembersAsync(head + "idle_workers");
        Task<RedisValue[]> progressing = batch.SetMembersAsync(head + "progressing_workers");
        batch.Execute();
        await Task.WhenAll(idle, progressing).ConfigureAwait(false);
        var result = new List<WorkerState>(idle.Result.Length + progressing.Result.Length);
        foreach (RedisValue w in idle.Result)
        {
            result.Add(new WorkerState(w!, ExtensionScope.Room, RoomId, Category, Listed, WorkerAvailability.Idle));
        }

        foreach (RedisValue w in progressing.Result)
        {
            result.Add(new WorkerState(w!, ExtensionScope.Room, RoomId, Category, Listed, WorkerAvailability.Progressing));
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.GetWorkers")]
    public Task Lib_workers() => Repeat(Lib_workers_once);

    public ValueTask<IReadOnlyList<WorkerState>> Lib_workers_once() => _extensions.GetWorkersAsync(ListedId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.QueueLength")]
    public Task Raw_queue_length() => Repeat(Raw_queue_length_once);

    public Task<long> Raw_queue_length_once() => _db.ListLengthAsync(SchemaKey + ":" + Listed + ":queue");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.QueueLength")]
    public Task Lib_queue_length() => Repeat(Lib_queue_length_once);

    public ValueTask<long> Lib_queue_length_once() => _extensions.QueueLengthAsync(ListedId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Extension.EnqueueDequeueRelease")]
    public Task Raw_enqueue_dequeue() => Repeat(Raw_enqueue_dequeue_once);

    public async Task<(long, ExtensionDequeueStatus, ExtensionTask?, bool, int, bool)> Raw_enqueue_dequeue_once()
    {
        string queue = SchemaKey + ":" + Queued + ":queue";
        ITransaction tx = _db.CreateTransaction();
        Task<long> push = tx.ListRightPushAsync(queue, FormatTask(_task));
        _ = tx.SetAddAsync(Registry, queue);
        await tx.ExecuteAsync().ConfigureAwait(false);
        long length = await push.ConfigureAwait(false);
        ExtensionDequeueResult dequeued = await RawDequeueAsync(Queued, QueueWorker).ConfigureAwait(false);
        bool released = await RawReleaseAsync(Queued, QueueWorker).ConfigureAwait(false);
        return (length, dequeued.Status, dequeued.Task, dequeued.JobStarted, dequeued.SkippedStaleTasks.Count, released);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Extension.EnqueueDequeueRelease")]
    public Task Lib_enqueue_dequeue() => Repeat(Lib_enqueue_dequeue_once);

    public async Task<(long, ExtensionDequeueStatus, ExtensionTask?, bool, int, bool)> Lib_enqueue_dequeue_once()
    {
        long length = await _extensions.EnqueueAsync(QueuedId, _task).ConfigureAwait(false);
        ExtensionDequeueResult dequeued = await _extensions.DequeueAsync(QueuedId, QueueWorker).ConfigureAwait(false);
        bool released = await _extensions.ReleaseWorkerAsync(QueuedId, QueueWorker).ConfigureAwait(false);
        return (length, dequeued.Status, dequeued.Task, dequeued.JobStarted, dequeued.SkippedStaleTasks.Count, released);
    }
}
