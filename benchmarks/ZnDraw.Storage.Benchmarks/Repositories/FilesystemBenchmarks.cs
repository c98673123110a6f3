using System.Globalization;
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
/// Filesystems: the register script (re-registering the same filesystem, so every call writes the same state),
/// HGETALL parsed into a <see cref="FilesystemInfo"/>, the list script (index + every metadata hash, 10 filesystems),
/// and two cycles that leave the state as they found it: register + unregister of one filesystem (one script each),
/// and register + unregister of a worker (registrations set, then its reverse indexes, then one script).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class FilesystemBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-fs";
    private const string Entry = "filesystems:room:" + RoomId;
    private const string Worker = "bench-fs-w1";
    private const string LeavingWorker = "bench-fs-gone";
    private static readonly FilesystemInfo Listed = new("fs-00", "local", Worker, "alice", true, ExtensionScope.Room, RoomId);
    private static readonly FilesystemInfo Temporary = new("fs-temp", "s3", Worker, "alice", true, ExtensionScope.Room, RoomId);
    private static readonly FilesystemInfo Leaving = new("fs-gone", "local", LeavingWorker, "bob", false, ExtensionScope.Room, RoomId);
    private IDatabase _db = null!;
    private FilesystemRepository _filesystems = null!;
    private RawScript _register = null!;
    private RawScript _list = null!;
    private RawScript _unregister = null!;
    private RawScript _unregisterWorker = null!;
    private string Scope = null!; // were constants: built once for the layout of the run
    private string Registry = null!;
    private string _head = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        Scope = RoomKey(RoomId, "filesystems");
        Registry = RoomKey(RoomId, "keys");
        _head = Scope + ":";
        _filesystems = new FilesystemRepository(BenchmarkRedis.Context());
        _register = new RawScript(FilesystemScripts.Register.Text);
        _list = new RawScript(FilesystemScripts.List.Text);
        _unregister = new RawScript(FilesystemScripts.Unregister.Text);
        _unregisterWorker = new RawScript(FilesystemScripts.UnregisterWorker.Text);
        await RedisState.DeleteAsync(_db, RoomBase(RoomId) + "*", "zndraw-storage:worker:*bench-fs-*");
        for (int i = 0; i < 10; i++)
        {
            var info = new FilesystemInfo("fs-" + i.ToString("00", CultureInfo.InvariantCulture), i % 2 == 0 ? "local" : "s3", Worker, "alice", i % 3 == 0, ExtensionScope.Room, RoomId);
            await _filesystems.SaveAsync(info);
        }
    }

    protected override async Task VerifyAsync()
    {
        Same(Listed, await Lib_get_once(), "library get");
        Same(await Lib_get_once(), await Raw_get_once(), "get");
        Same(true, await Lib_exists_once(), "library exists");
        Same(await Lib_exists_once(), await Raw_exists_once(), "exists");
        SameSequence(await Lib_list_once(), await Raw_list_once(), "list");
        Same(10, (await Lib_list_once()).Count, "listed filesystems");

        var before = await Dump();
        await Lib_register_once();
        var afterLib = await Dump();
        await Raw_register_once();
        RedisState.Same(before, afterLib, "state after the library's re-register");
        RedisState.Same(afterLib, await Dump(), "state after re-register");

        Same(true, await Lib_register_unregister_once(), "library register + unregister");
        afterLib = await Dump();
        Same(true, await Raw_register_unregister_once(), "raw register + unregister");
        RedisState.Same(before, afterLib, "state after the library's register + unregister");
        RedisState.Same(afterLib, await Dump(), "state after register + unregister");

        Same(1, await Lib_register_unregister_worker_once(), "library register + unregister worker");
        afterLib = await Dump();
        Same(1, await Raw_register_unregister_worker_once(), "raw register + unregister worker");
        RedisState.Same(before, afterLib, "state after the library's register + unregister worker");
        RedisState.Same(afterLib, await Dump(), "state after register + unregister worker");
    }

    private Task<List<string>> Dump() => RedisState.DumpAsync(_db, withTtl: false, RoomBase(RoomId) + "*", "zndraw-storage:worker:*bench-fs-*");

    private static FilesystemInfo? FromHash(HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        string? name = null, type = null, worker = null, user = null;
        bool isPublic = false;
        foreach (HashEntry entry in entries)
        {
            switch ((string?)entry.Name)
            {
                case "name": name = entry.Value; break;
                case "fsType": type = entry.Value; break;
                case "workerId": worker = entry.Value; break;
                case "userName": user = entry.Value; break;
                case "public": isPublic = entry.Value == "true"; break;
                default: break;
            }
        }

        return new FilesystemInfo(
            name ?? throw new InvalidOperationException("name"),
            type ?? throw new InvalidOperationException("fsType"),
            worker ?? throw new InvalidOperationException("workerId"),
            user ?? throw new InvalidOperationException("userName"),
            isPublic,
            ExtensionScope.Room,
            RoomId);
    }

    private Task<RedisResult> RawRegisterAsync(FilesystemInfo info)
    {
        string metadata = Scope + ":" + info.Name;
        string worker = metadata + ":worker";
        string reverse = Scope + ":" + info.WorkerId;
        bool cluster = BenchmarkCluster.Active;
        RedisKey[] keys = cluster
            ? [metadata, worker, reverse, Scope, Registry]
            : [metadata, worker, reverse, Scope, Registry, "zndraw-storage:worker:" + info.WorkerId + ":registrations"];
        RedisValue[] args =
        [
            info.Name, info.WorkerId, "1", cluster ? "0" : "1", Entry, metadata, worker, reverse,
            "name", info.Name, "fsType", info.FsType, "workerId", info.WorkerId, "userName", info.UserName, "public", info.IsPublic ? "true" : "false",
        ];
        return cluster ? AddEntryThenRegisterAsync(info.WorkerId, keys, args) : _db.ScriptEvaluateAsync(_register.Sha1, keys, args);
    }

    // The cluster-safe layout: the worker's registrations set (the worker's slot) first, then the script (the room's).
    private async Task<RedisResult> AddEntryThenRegisterAsync(string workerId, RedisKey[] keys, RedisValue[] args)
    {
        await _db.SetAddAsync(Registrations(workerId), Entry).ConfigureAwait(false);
        return await _db.ScriptEvaluateAsync(_register.Sha1, keys, args).ConfigureAwait(false);
    }

    private static string Registrations(string workerId) =>
        BenchmarkCluster.Active ? "zndraw-storage:worker:{" + workerId + "}:registrations" : "zndraw-storage:worker:" + workerId + ":registrations";

    private async Task<int> RawUnregisterWorkerAsync(string worker)
    {
        bool cluster = BenchmarkCluster.Active;
        RedisKey registrations = Registrations(worker);
        for (int attempt = 0; attempt < 1000; attempt++)
        {
            // 1. The scopes the worker registered in: "filesystems:room:{room}" or "filesystems:global".
            RedisValue[] entries = await _db.SetMembersAsync(registrations).ConfigureAwait(false);
            var groups = new List<(string Entry, string? Room, string Scope)>(entries.Length);
            foreach (RedisValue value in entries)
            {
                string entry = value!;
                if (entry == "filesystems:global")
                {
                    groups.Add((entry, null, cluster ? "global:{filesystems}" : "global:filesystems"));
                }
                else if (entry.StartsWith("filesystems:room:", StringComparison.Ordinal) && entry.Length > 17 && entry.IndexOf(':', 17) < 0)
                {
                    string room = entry[17..];
                    groups.Add((entry, room, RoomBase(room) + "filesystems"));
                }
            }

            if (groups.Count == 0)
            {
                return 0;
            }

            // 2. Each scope's reverse index (the filesystems the worker provides there), in one batch.
            IBatch batch = _db.CreateBatch();
            var reads = new Task<RedisValue[]>[groups.Count];
            for (int i = 0; i < groups.Count; i++)
            {
                reads[i] = batch.SetMembersAsync(groups[i].Scope + ":" + worker);
            }

            batch.Execute();
            await Task.WhenAll(reads).ConfigureAwait(false);

            if (cluster)
            {
                // 3'. The cluster-safe layout: one script per scope (its slot), then SREM of the entries done (the
                // worker's slot).
                int removedHere = 0;
                bool changed = false;
                var done = new List<RedisValue>(groups.Count);
                for (int i = 0; i < groups.Count; i++)
                {
                    int r = await RunUnregisterWorkerAsync(worker, null, groups, reads, i, 1).ConfigureAwait(false);
                    if (r < 0)
                    {
                        changed = true;
                    }
                    else
                    {
                        removedHere += r;
                        done.Add(groups[i].Entry);
                    }
                }

                if (done.Count > 0)
                {
                    await _db.SetRemoveAsync(registrations, [.. done]).ConfigureAwait(false);
                }

                if (!changed)
                {
                    return removedHere;
                }

                continue;
            }

            // 3. One script that re-checks the reverse indexes and removes what the worker still provides.
            int all = await RunUnregisterWorkerAsync(worker, registrations, groups, reads, 0, groups.Count).ConfigureAwait(false);
            if (all >= 0)
            {
                return all;
            }
        }

        throw new InvalidOperationException("the registrations kept changing");
    }

    // The unregister-worker script over groups [start, start + count): with the registrations set (one server), or
    // without it (the cluster-safe layout, one scope per call).
    private async Task<int> RunUnregisterWorkerAsync(
        string worker, RedisKey? registrations, List<(string Entry, string? Room, string Scope)> groups, Task<RedisValue[]>[] reads, int start, int count)
    {
        var keys = new List<RedisKey>();
        if (registrations is { } r)
        {
            keys.Add(r);
        }

        var args = new List<RedisValue> { worker, registrations is null ? "0" : "1", count };
        for (int i = start; i < start + count; i++)
        {
            (string entry, string? room, string scope) = groups[i];
            keys.Add(scope + ":" + worker);
            keys.Add(scope);
            if (room is not null)
            {
                keys.Add(RoomKey(room, "keys"));
            }

            RedisValue[] names = reads[i].Result;
            args.Add(entry);
            args.Add(room is null ? "0" : "1");
            args.Add(names.Length);
            foreach (RedisValue value in names)
            {
                string name = value!;
                if (name.Length == 0 || name.EndsWith(":worker", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("bad filesystem name in the reverse index");
                }

                keys.Add(scope + ":" + name);
                keys.Add(scope + ":" + name + ":worker");
            }

            foreach (RedisValue name in names)
            {
                args.Add(name);
            }
        }

        return (int)await _db.ScriptEvaluateAsync(_unregisterWorker.Sha1, [.. keys], [.. args]).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.Register")]
    public Task Raw_register() => Repeat(Raw_register_once);

    public Task Raw_register_once() => RawRegisterAsync(Listed);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.Register")]
    public Task Lib_register() => Repeat(Lib_register_once);

    public ValueTask Lib_register_once() => _filesystems.SaveAsync(Listed);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public async Task<FilesystemInfo?> Raw_get_once() =>
        FromHash(await _db.HashGetAllAsync(Scope + ":" + Listed.Name).ConfigureAwait(false));

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.Exists")]
    public Task Raw_exists() => Repeat(Raw_exists_once);

    public async Task<bool> Raw_exists_once() => await _db.KeyTypeAsync(Scope + ":" + Listed.Name).ConfigureAwait(false) == RedisType.Hash;

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.Exists")]
    public Task Lib_exists() => Repeat(Lib_exists_once);

    public ValueTask<bool> Lib_exists_once() => _filesystems.ExistsAsync(FilesystemId.InRoom(RoomId, Listed.Name));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<FilesystemInfo?> Lib_get_once() => _filesystems.GetByIdAsync(FilesystemId.InRoom(RoomId, Listed.Name));

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.List")]
    public Task Raw_list() => Repeat(Raw_list_once);

    public async Task<IReadOnlyList<FilesystemInfo>> Raw_list_once()
    {
        var reply = (RedisResult[])(await _db.ScriptEvaluateAsync(_list.Sha1, [Scope], [_head]).ConfigureAwait(false))!;
        var result = new List<FilesystemInfo>(reply.Length / 2);
        for (int i = 0; i + 1 < reply.Length; i += 2)
        {
            string name = (string)reply[i]!;
            if (name.Length == 0 || name.EndsWith(":worker", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("bad filesystem name in the index");
            }

            var fields = (RedisValue[])reply[i + 1]!;
            var entries = new HashEntry[fields.Length / 2];
            for (int j = 0; j < entries.Length; j++)
            {
                entries[j] = new HashEntry(fields[2 * j], fields[(2 * j) + 1]);
            }

            if (FromHash(entries) is { } info)
            {
                result.Add(info);
            }
        }

        result.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.List")]
    public Task Lib_list() => Repeat(Lib_list_once);

    public ValueTask<IReadOnlyList<FilesystemInfo>> Lib_list_once() => _filesystems.ListAsync(ExtensionScope.Room, RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.RegisterThenUnregister")]
    public Task Raw_register_unregister() => Repeat(Raw_register_unregister_once);

    public async Task<bool> Raw_register_unregister_once()
    {
        await RawRegisterAsync(Temporary).ConfigureAwait(false);
        string metadata = Scope + ":" + Temporary.Name;
        string worker = metadata + ":worker";
        RedisKey[] keys = [metadata, worker, Scope, Registry];
        RedisValue[] args = [Temporary.Name, "1", metadata, worker, _head];
        return (long)await _db.ScriptEvaluateAsync(_unregister.Sha1, keys, args).ConfigureAwait(false) == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.RegisterThenUnregister")]
    public Task Lib_register_unregister() => Repeat(Lib_register_unregister_once);

    public async Task<bool> Lib_register_unregister_once()
    {
        await _filesystems.SaveAsync(Temporary).ConfigureAwait(false);
        return await _filesystems.DeleteAsync(FilesystemId.InRoom(RoomId, Temporary.Name)).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.RegisterThenUnregisterWorker")]
    public Task Raw_register_unregister_worker() => Repeat(Raw_register_unregister_worker_once);

    public async Task<int> Raw_register_unregister_worker_once()
    {
        await RawRegisterAsync(Leaving).ConfigureAwait(false);
        return await RawUnregisterWorkerAsync(LeavingWorker).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Filesystem.RegisterThenUnregisterWorker")]
    public Task Lib_register_unregister_worker() => Repeat(Lib_register_unregister_worker_once);

    public async Task<int> Lib_register_unregister_worker_once()
    {
        await _filesystems.SaveAsync(Leaving).ConfigureAwait(false);
        return await _filesystems.UnregisterWorkerAsync(LeavingWorker).ConfigureAwait(false);
    }
}
