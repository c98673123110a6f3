using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.History;

/// <summary>
/// The cost history adds to a write: a room-lock state change (MULTI SET locked EXEC) written with the recorder's
/// calling pattern, with history off (the baseline), durable (the event's XADD inside the same MULTI/EXEC) and direct
/// (the SQL sink called on the caller's path, here SQLite). A second, informational pair (History.Floor) times the
/// same MULTI by hand with and without a prebuilt XADD: the part of the durable cost that Redis and the client's
/// extra command take, whatever the library does. A third (History.Service) times the library's own write path,
/// <see cref="RoomService.LockAsync"/>: one script, which in durable mode appends the event to the outbox itself.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class HistoryWriteBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-history";
    private const string Stream = "bench:history:outbox";
    private const string ServiceRoomId = "bench-history-service";
    private static readonly RedisKey Locked = "room:" + RoomId + ":locked";
    private IDatabase _db = null!;
    private HistoryRecorder _off = null!;
    private HistoryRecorder _durable = null!;
    private HistoryRecorder _direct = null!;
    private string _sqliteFile = null!;
    private NameValueEntry[] _rawFields = null!;
    private RoomService _serviceOff = null!;
    private RoomService _serviceDurable = null!;
    private RoomService _serviceDirect = null!;
    private RawScript _setIfRoom = null!;
    private RawScript _setIfRoomWithOutbox = null!;
    private RedisValue[] _rawScriptEventArgs = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        await _db.KeyDeleteAsync(Stream);
        _off = HistoryRecorder.Disabled;
        _durable = new HistoryRecorder(Options.Create(new HistoryOptions { Mode = HistoryMode.Durable, StreamKey = Stream }), sink: new HistoryDatabases.NullSink(),
            outbox: new RedisHistoryOutbox(_db, new HistoryOutbox(Stream), KeyLayout.ZnDraw));
        _sqliteFile = HistoryDatabases.NewSqliteFile();
        var (sink, _) = await HistoryDatabases.SqliteAsync(_sqliteFile);
        _direct = new HistoryRecorder(Options.Create(new HistoryOptions { Mode = HistoryMode.Direct }), sink: sink);
        // The floor twin appends the bytes of a real event, built once, so that it sends what the durable write sends.
        var sample = new RoomHistoryEvent(_durable.NewEventId(), _durable.Now, RoomId, RoomEventTypes.Locked, "alice", null);
        _rawFields = HistoryOutbox.ToStreamFields(sample);

        // The library's own write path: RoomService.LockAsync (one script) with history off, durable (the same script
        // appends the event to the outbox stream in its atomic step) and direct (the SQLite sink after the script).
        RedisStoreContext context = BenchmarkRedis.Context();
        var rooms = new RoomRepository(context);
        var settings = new SettingsRepository(context);
        var users = new UserRepository(context);
        var options = Options.Create(new ZnDrawStorageOptions());
        _serviceOff = new RoomService(rooms, settings, users, options, null, HistoryRecorder.Disabled);
        _serviceDurable = new RoomService(rooms, settings, users, options, null, _durable);
        _serviceDirect = new RoomService(rooms, settings, users, options, null, _direct);
        // The floor of that path, by hand: the same script by EVALSHA, and its outbox variant (the text the library
        // runs in durable mode) with a prebuilt event, so no event is built per call.
        _setIfRoom = new RawScript(RoomScripts.SetIfExists.Text);
        _setIfRoomWithOutbox = new RawScript(RoomScripts.SetIfExists.OutboxText!);
        _rawScriptEventArgs = ["1", "1", .. HistoryOutbox.ToScriptArgs(new RoomHistoryEvent(_durable.NewEventId(), _durable.Now, ServiceRoomId, RoomEventTypes.Locked, "alice", null))];
        await rooms.DeleteAsync(ServiceRoomId);
        await rooms.CreateAsync(ServiceRoomId, "history benchmark");
    }

    protected override async Task VerifyAsync()
    {
        long before = await _db.StreamLengthAsync(Stream);
        await Service_durable_once();
        long after = await _db.StreamLengthAsync(Stream);
        Same(after, before + 1, "outbox entries after one durable lock (the script appends the event)");
        await Service_off_once();
        Same(await _db.StreamLengthAsync(Stream), after, "outbox entries after a lock with history off");
        Same((string?)await _db.StringGetAsync("room:" + ServiceRoomId + ":locked"), "1", "locked flag");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _db.KeyDelete(Stream);
        new RoomRepository(BenchmarkRedis.Context()).DeleteAsync(ServiceRoomId).AsTask().GetAwaiter().GetResult();
        foreach (string file in new[] { _sqliteFile, _sqliteFile + "-wal", _sqliteFile + "-shm" })
        {
            File.Delete(file);
        }
    }

    private async Task<bool> LockAsync(HistoryRecorder history)
    {
        HistoryEvent? e = history.IsEnabled
            ? new RoomHistoryEvent(history.NewEventId(), history.Now, RoomId, RoomEventTypes.Locked, "alice", null)
            : null;
        // What a MULTI/EXEC repository step does (the session repository): take the scope's event into the transaction.
        using var scope = history.BeginOutbox(e);
        ITransaction tx = _db.CreateTransaction();
        _ = tx.StringSetAsync(Locked, "1");
        if (scope is { Outbox: RedisHistoryOutbox outbox } && scope.TryTake())
        {
            outbox.Stream.Enlist(tx, scope.Event);
        }

        if (!await tx.ExecuteAsync().ConfigureAwait(false))
        {
            return false;
        }

        if (e is not null)
        {
            await history.RecordAsync(scope, e, CancellationToken.None).ConfigureAwait(false);
        }

        return true;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("History.Write")]
    public Task History_off() => Repeat(History_off_once);

    public Task<bool> History_off_once() => LockAsync(_off);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("History.Write")]
    public Task History_durable() => Repeat(History_durable_once);

    public Task<bool> History_durable_once() => LockAsync(_durable);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("History.Write")]
    public Task History_direct_sqlite() => Repeat(History_direct_sqlite_once);

    public Task<bool> History_direct_sqlite_once() => LockAsync(_direct);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("History.Service")]
    public Task Service_off() => Repeat(Service_off_once);

    public ValueTask Service_off_once() => _serviceOff.LockAsync(ServiceRoomId, "alice");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("History.Service")]
    public Task Service_durable() => Repeat(Service_durable_once);

    public ValueTask Service_durable_once() => _serviceDurable.LockAsync(ServiceRoomId, "alice");

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("History.Service")]
    public Task Service_direct_sqlite() => Repeat(Service_direct_sqlite_once);

    public ValueTask Service_direct_sqlite_once() => _serviceDirect.LockAsync(ServiceRoomId, "alice");

    // The floor of the library's durable path, informational: the room-lock script by EVALSHA against its outbox
    // variant with a prebuilt event (what Redis spends on the XADD inside the script and the longer command).
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("History.ServiceFloor")]
    public Task Raw_script() => Repeat(Raw_script_once);

    public Task<RedisResult> Raw_script_once() => _db.ScriptEvaluateAsync(
        _setIfRoom.Sha1, ["room:" + ServiceRoomId + ":current_frame", "room:" + ServiceRoomId + ":locked"], ["1", "1"]);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("History.ServiceFloor")]
    public Task Raw_script_xadd() => Repeat(Raw_script_xadd_once);

    public Task<RedisResult> Raw_script_xadd_once() => _db.ScriptEvaluateAsync(
        _setIfRoomWithOutbox.Sha1, ["room:" + ServiceRoomId + ":current_frame", "room:" + ServiceRoomId + ":locked", Stream], _rawScriptEventArgs);

    // The floor of durable history, informational (not the durable target's baseline): MULTI SET EXEC by hand against
    // MULTI SET XADD EXEC with a prebuilt entry, queued fire-and-forget as the recorder does. Their gap is what Redis
    // spends receiving and executing the XADD plus StackExchange.Redis's cost of one more queued command, with no
    // event to build or serialize: no library change can remove it.
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("History.Floor")]
    public Task Raw_multi_set() => Repeat(Raw_multi_set_once);

    public Task<bool> Raw_multi_set_once()
    {
        ITransaction tx = _db.CreateTransaction();
        _ = tx.StringSetAsync(Locked, "1");
        return tx.ExecuteAsync();
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("History.Floor")]
    public Task Raw_multi_set_xadd() => Repeat(Raw_multi_set_xadd_once);

    public Task<bool> Raw_multi_set_xadd_once()
    {
        ITransaction tx = _db.CreateTransaction();
        _ = tx.StringSetAsync(Locked, "1");
        _ = tx.StreamAddAsync(Stream, _rawFields, flags: CommandFlags.FireAndForget);
        return tx.ExecuteAsync();
    }
}
