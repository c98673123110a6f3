using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Benchmarks.Redis;

/// <summary>
/// How the library runs a script: its hand-written path (<see cref="RedisScript"/>: the SHA1 computed once, every call
/// an <c>EVALSHA</c> by that SHA, <c>EVAL</c> of the text after <c>NOSCRIPT</c>) against StackExchange.Redis's own
/// script handling (the client keeps the SHA per server: <c>EVAL</c> the first time, <c>EVALSHA</c> after, and it
/// re-sends the text by itself after <c>NOSCRIPT</c>), on the same script (<see cref="LockScripts.Get"/>, on a lock that
/// exists: three reads, an array reply), mapped the same way:
/// <list type="bullet">
/// <item><c>Scripts.IdenticalCopy</c>: the hand-written path against itself (two methods, same body): the noise of the
/// instrument on the machine of the run.</item>
/// <item><c>Scripts.Evaluate</c>: the hand-written path (baseline) against <c>ScriptEvaluateAsync(text, keys, values)</c>
/// awaited in the same one pooled async method that maps the reply and WRONGTYPE
/// (<c>Client_text</c>), against <see cref="LuaScript"/> (<c>Client_lua_script</c>: named <c>@</c> parameters read from a
/// parameter object) and <see cref="LoadedLuaScript"/> (<c>Client_loaded_lua_script</c>) in that same method.</item>
/// </list>
/// The verdict and the figures are in docs/scripts.md.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
public class ScriptHandlingBenchmarks : RedisBenchmark
{
    private const string LockKey = "room:bench-scripts:lock:trajectory:meta";
    private const string MetadataKey = "room:bench-scripts:lock:trajectory:meta:metadata";

    // LockScripts.Get with named parameters, the form LuaScript takes (it rewrites @name into KEYS/ARGV itself).
    private const string GetWithParameters = """
        local holder = redis.call('GET', @lockKey)
        if not holder then return false end
        return {holder, redis.call('PTTL', @lockKey), redis.call('GET', @metadataKey)}
        """;

    private static readonly RedisScript Script = LockScripts.Get;
    private static readonly LuaScript Prepared = LuaScript.Prepare(GetWithParameters);
    private static readonly Func<RedisResult, int, string?> Holder = static (result, _) => result.IsNull ? null : (string?)result[0];
    private IDatabase _db = null!;
    private LoadedLuaScript _loaded = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        await _db.StringSetAsync(LockKey, "alice", TimeSpan.FromHours(1));
        await _db.StringSetAsync(MetadataKey, "{\"msg\": \"bench\"}", TimeSpan.FromHours(1));
        _loaded = await Prepared.LoadAsync(BenchmarkRedis.Server);
    }

    protected override async Task VerifyAsync()
    {
        // Every side after SCRIPT FLUSH first (each must load its script again by itself), then warm.
        foreach (bool flushed in new[] { true, false })
        {
            if (flushed)
            {
                await BenchmarkRedis.Server.ScriptFlushAsync();
            }

            Same(await Hand_once(), "alice", "hand-written EVALSHA path" + (flushed ? " after SCRIPT FLUSH" : string.Empty));
            if (flushed)
            {
                await BenchmarkRedis.Server.ScriptFlushAsync();
            }

            Same(await Client_text_once(), "alice", "ScriptEvaluateAsync(text)" + (flushed ? " after SCRIPT FLUSH" : string.Empty));
            if (flushed)
            {
                await BenchmarkRedis.Server.ScriptFlushAsync();
            }

            Same(await Client_lua_script_once(), "alice", "LuaScript" + (flushed ? " after SCRIPT FLUSH" : string.Empty));
            if (flushed)
            {
                await BenchmarkRedis.Server.ScriptFlushAsync();
            }

            Same(await Client_loaded_lua_script_once(), "alice", "LoadedLuaScript" + (flushed ? " after SCRIPT FLUSH" : string.Empty));
        }

        Same(await Hand_copy_once(), "alice", "hand-written path, copy");
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Scripts.IdenticalCopy")]
    public Task Hand_same() => Repeat(Hand_same_once);

    public ValueTask<string?> Hand_same_once() => Script.EvaluateAsync(_db, [LockKey, MetadataKey], [], 0, Holder);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Scripts.IdenticalCopy")]
    public Task Hand_copy() => Repeat(Hand_copy_once);

    public ValueTask<string?> Hand_copy_once() => Script.EvaluateAsync(_db, [LockKey, MetadataKey], [], 0, Holder);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Scripts.Evaluate")]
    public Task Hand() => Repeat(Hand_once);

    public ValueTask<string?> Hand_once() => Script.EvaluateAsync(_db, [LockKey, MetadataKey], [], 0, Holder);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Scripts.Evaluate")]
    public Task Client_text() => Repeat(Client_text_once);

    public ValueTask<string?> Client_text_once()
    {
        RedisKey[] keys = [LockKey, MetadataKey];
        return MapAsync(_db.ScriptEvaluateAsync(Script.Text, keys, []), keys, 0, Holder);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Scripts.Evaluate")]
    public Task Client_lua_script() => Repeat(Client_lua_script_once);

    public ValueTask<string?> Client_lua_script_once()
    {
        var parameters = new GetParameters(LockKey, MetadataKey);
        return MapAsync(Prepared.EvaluateAsync(_db, parameters), [parameters.lockKey, parameters.metadataKey], 0, Holder);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Scripts.Evaluate")]
    public Task Client_loaded_lua_script() => Repeat(Client_loaded_lua_script_once);

    public ValueTask<string?> Client_loaded_lua_script_once()
    {
        var parameters = new GetParameters(LockKey, MetadataKey);
        return MapAsync(_loaded.EvaluateAsync(_db, parameters), [parameters.lockKey, parameters.metadataKey], 0, Holder);
    }

    /// <summary>
    /// What the library's one pooled async method would be with the client's script handling: the same token wait, the
    /// same WRONGTYPE mapping and the same map, only no NOSCRIPT branch of its own.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TResult> MapAsync<TState, TResult>(Task<RedisResult> task, RedisKey[] keys, TState state, Func<RedisResult, TState, TResult> map)
    {
        RedisResult result;
        try
        {
            result = await RedisStoreContext.WaitAsync(task, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, keys);
        }

        return map(result, state);
    }

    /// <summary>The parameter object LuaScript reads <c>@lockKey</c> and <c>@metadataKey</c> from (by member name).</summary>
#pragma warning disable SA1300, IDE1006 // LuaScript matches members to @names by their exact spelling.
    private sealed record GetParameters(RedisKey lockKey, RedisKey metadataKey);
#pragma warning restore SA1300, IDE1006
}
