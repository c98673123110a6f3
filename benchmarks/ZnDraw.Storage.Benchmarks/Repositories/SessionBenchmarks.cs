using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Socket.IO sessions: the two GETs of <c>sid:{sid}</c> and <c>sid:{sid}:role</c> in one batch, EXISTS, the save
/// MULTI/EXEC (idempotent: the same session written again) and the delete script, measured as save+delete so that each
/// call deletes a session that exists.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class SessionBenchmarks : RedisBenchmark
{
    private const string ReadSid = "bench-sid";
    private const string WriteSid = "bench-sid-saved";
    private const string TransientSid = "bench-sid-transient";
    private const string UserName = "bench-user";
    private static readonly SessionInfo Saved = new(WriteSid, UserName, UserRole.User);
    private static readonly SessionInfo Transient = new(TransientSid, UserName, UserRole.Guest);
    private IDatabase _db = null!;
    private SessionRepository _sessions = null!;
    private RawScript _delete = null!;
    private string _readKey = null!; // were constants: built once for the layout of the run
    private string _readRole = null!;
    private string _transientKey = null!;
    private string _transientRole = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _readKey = Sid(ReadSid);
        _readRole = _readKey + ":role";
        _transientKey = Sid(TransientSid);
        _transientRole = _transientKey + ":role";
        _sessions = new SessionRepository(BenchmarkRedis.Context());
        _delete = new RawScript(SessionScripts.Delete.Text);
        await _sessions.SaveAsync(new SessionInfo(ReadSid, UserName, UserRole.Admin));
        await _sessions.SaveAsync(Saved);
        await _sessions.DeleteAsync(TransientSid);
    }

    protected override async Task VerifyAsync()
    {
        Same(await _sessions.GetByIdAsync(ReadSid), await Raw_get_by_id_once(), "get by id");
        Same(await _sessions.GetByIdAsync(ReadSid), new SessionInfo(ReadSid, UserName, UserRole.Admin), "session read");
        Same(await _sessions.ExistsAsync(ReadSid), await Raw_exists_once(), "exists");

        foreach (SessionInfo session in new[] { Saved, Saved with { Role = null } })
        {
            // From a stale role of another value, so that a missing SET or DEL shows.
            await _db.KeyDeleteAsync(Sid(WriteSid));
            await _db.StringSetAsync(Sid(WriteSid) + ":role", "admin");
            await _sessions.SaveAsync(session);
            string lib = await StateAsync(WriteSid);
            await _db.KeyDeleteAsync(Sid(WriteSid));
            await _db.StringSetAsync(Sid(WriteSid) + ":role", "admin");
            await RawSaveAsync(session);
            Same(lib, await StateAsync(WriteSid), "keys written by save (role " + session.Role + ")");
        }

        await _sessions.SaveAsync(Saved);
        Same(await Lib_save_then_delete_once(), true, "library save+delete");
        string libDeleted = await StateAsync(TransientSid);
        Same(await Raw_save_then_delete_once(), true, "raw save+delete");
        Same(libDeleted, await StateAsync(TransientSid), "keys left by delete");
        Same(await _sessions.DeleteAsync(TransientSid), await RawDeleteAsync(), "delete of a missing session");
    }

    private async Task<string> StateAsync(string sid) =>
        (string?)await _db.StringGetAsync(Sid(sid)) + " " + (string?)await _db.StringGetAsync(Sid(sid) + ":role")
        + " " + await _db.KeyExistsAsync(Sid(sid) + ":role");

    /// <summary><c>sid:{sid}</c>, or <c>sid:{{sid}}</c> (the hash tag of the cluster-safe layout) on the cluster.</summary>
    private static string Sid(string sid) => BenchmarkCluster.Active ? "sid:{" + sid + "}" : "sid:" + sid;

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.GetById")]
    public Task Raw_get_by_id() => Repeat(Raw_get_by_id_once);

    public async Task<SessionInfo?> Raw_get_by_id_once()
    {
        IBatch batch = _db.CreateBatch();
        Task<RedisValue> user = batch.StringGetAsync(_readKey);
        Task<RedisValue> role = batch.StringGetAsync(_readRole);
        batch.Execute();
        RedisValue name = await user.ConfigureAwait(false);
        RedisValue text = await role.ConfigureAwait(false);
        if (name.IsNull)
        {
            return null;
        }

        UserRole? parsed = text.IsNull ? null
            : text == "guest" ? UserRole.Guest
            : text == "user" ? UserRole.User
            : text == "admin" ? UserRole.Admin
            : throw new InvalidOperationException("unknown role " + text);
        return new SessionInfo(ReadSid, name!, parsed);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.GetById")]
    public Task Lib_get_by_id() => Repeat(Lib_get_by_id_once);

    public ValueTask<SessionInfo?> Lib_get_by_id_once() => _sessions.GetByIdAsync(ReadSid);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.Exists")]
    public Task Raw_exists() => Repeat(Raw_exists_once);

    public Task<bool> Raw_exists_once() => _db.KeyExistsAsync(_readKey);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.Exists")]
    public Task Lib_exists() => Repeat(Lib_exists_once);

    public ValueTask<bool> Lib_exists_once() => _sessions.ExistsAsync(ReadSid);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.Save")]
    public Task Raw_save() => Repeat(Raw_save_once);

    public Task<bool> Raw_save_once() => RawSaveAsync(Saved);

    private Task<bool> RawSaveAsync(SessionInfo session)
    {
        string key = Sid(session.Sid);
        ITransaction tx = _db.CreateTransaction();
        _ = tx.StringSetAsync(key, session.UserName);
        _ = session.Role switch
        {
            null => tx.KeyDeleteAsync(key + ":role"),
            UserRole.Guest => tx.StringSetAsync(key + ":role", "guest"),
            UserRole.User => tx.StringSetAsync(key + ":role", "user"),
            UserRole.Admin => tx.StringSetAsync(key + ":role", "admin"),
            _ => throw new ArgumentOutOfRangeException(nameof(session)),
        };
        return tx.ExecuteAsync();
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.Save")]
    public Task Lib_save() => Repeat(Lib_save_once);

    public ValueTask Lib_save_once() => _sessions.SaveAsync(Saved);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.SaveThenDelete")]
    public Task Raw_save_then_delete() => Repeat(Raw_save_then_delete_once);

    public async Task<bool> Raw_save_then_delete_once()
    {
        await RawSaveAsync(Transient).ConfigureAwait(false);
        return await RawDeleteAsync().ConfigureAwait(false);
    }

    private async Task<bool> RawDeleteAsync()
    {
        return (long)await _db.ScriptEvaluateAsync(_delete.Sha1, [_transientKey, _transientRole]).ConfigureAwait(false) == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Sessions.SaveThenDelete")]
    public Task Lib_save_then_delete() => Repeat(Lib_save_then_delete_once);

    public async Task<bool> Lib_save_then_delete_once()
    {
        await _sessions.SaveAsync(Transient).ConfigureAwait(false);
        return await _sessions.DeleteAsync(TransientSid).ConfigureAwait(false);
    }
}
