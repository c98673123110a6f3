using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis;

/// <summary>
/// RedisReply, the one pooled async layer between the client's task and a repository's result: results, mapping,
/// WRONGTYPE, cancellation, failures, reuse of pooled state machines under concurrency, and the script path's
/// NOSCRIPT fallback, against a real Redis.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisReplyTests(RedisFixture redis)
{
    private static readonly RedisScript Echo = new("test.echo", "return ARGV[1]");

    private IDatabase Db => redis.Database;

    [Fact]
    public async Task Map_returns_the_mapped_reply()
    {
        string key = RedisFixture.NewId("reply");
        await Db.StringSetAsync(key, "41");
        int value = await RedisReply.Map(Db.StringGetAsync(key), 1, static (v, add) => (int)v + add, key, CancellationToken.None);
        Assert.Equal(42, value);
    }

    [Fact]
    public async Task Of_maps_WRONGTYPE_to_StorageDataException_naming_the_key()
    {
        string key = RedisFixture.NewId("reply");
        await Db.SetAddAsync(key, "x");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await RedisReply.Of(Db.SortedSetLengthAsync(key), key, CancellationToken.None));
        Assert.Equal(key, ex.Key);
        Assert.IsType<RedisServerException>(ex.InnerException);
    }

    [Fact]
    public async Task Void_Of_maps_WRONGTYPE_and_completes_otherwise()
    {
        string key = RedisFixture.NewId("reply");
        await RedisReply.Of(Db.StringSetAsync(key, "1"), key, CancellationToken.None);
        await Db.KeyDeleteAsync(key);
        await Db.SetAddAsync(key, "x");
        await Assert.ThrowsAsync<StorageDataException>(async () => await RedisReply.Of((Task)Db.StringGetAsync(key), key, CancellationToken.None));
    }

    [Fact]
    public async Task Without_a_key_a_server_error_is_still_translated()
    {
        string key = RedisFixture.NewId("reply");
        await Db.SetAddAsync(key, "x");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await RedisReply.Of(Db.SortedSetLengthAsync(key), default, CancellationToken.None));
        Assert.Equal(string.Empty, ex.Key);
    }

    [Fact]
    public async Task A_script_error_is_a_StorageBackendException_naming_the_script()
    {
        var broken = new RedisScript("test.broken", "return redis.call('NOSUCHCOMMAND')");
        var ex = await Assert.ThrowsAsync<StorageBackendException>(async () => await broken.EvaluateAsync(Db, [RedisFixture.NewId("reply")], []));
        Assert.Equal("test.broken", ex.Operation);
        Assert.IsType<RedisServerException>(ex.InnerException);
    }

    [Fact]
    public async Task An_exception_thrown_by_the_mapping_surfaces_from_the_await()
    {
        string key = RedisFixture.NewId("reply");
        await Db.StringSetAsync(key, "x");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await RedisReply.Map<RedisValue, string, int>(
            Db.StringGetAsync(key), key, static (_, k) => throw new StorageDataException(k, null, "bad"), key, CancellationToken.None));
        Assert.Equal(key, ex.Key);
    }

    [Fact]
    public async Task A_cancelled_token_cancels_the_wait()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await RedisReply.Of(Db.PingAsync(), default, cts.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await RedisReply.Of((Task)Db.PingAsync(), default, cts.Token));
    }

    [Fact]
    public async Task A_token_cancelled_while_waiting_cancels_a_pending_reply()
    {
        // BLPOP on an empty list never answers within the test: only the token can end the wait.
        using var cts = new CancellationTokenSource();
        string key = RedisFixture.NewId("reply");
        using var blocking = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        ValueTask<RedisResult> pending = RedisReply.Of(blocking.GetDatabase().ExecuteAsync("BLPOP", key, "5"), key, cts.Token);
        Assert.False(pending.IsCompleted);
        cts.CancelAfter(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
    }

    [Fact]
    public async Task A_command_on_a_closed_connection_is_a_StorageUnavailableException_naming_key_and_caller()
    {
        // Nothing listens on the port: the client fails the command; RedisReply maps it, the client's exception inside.
        // (A disposed multiplexer throws ObjectDisposedException when the command is issued, before any await.)
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var closed = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { { System.Net.IPAddress.Loopback, port } },
            AbortOnConnectFail = false,
            ConnectTimeout = 200,
            AsyncTimeout = 200,
        });
        IDatabase db = closed.GetDatabase();
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(async () => await RedisReply.Of(db.StringGetAsync("k"), "k", CancellationToken.None));
        Assert.Equal("k", ex.Key);
        Assert.Equal(nameof(A_command_on_a_closed_connection_is_a_StorageUnavailableException_naming_key_and_caller), ex.Operation);
        Assert.IsType<RedisConnectionException>(ex.InnerException);
    }

    [Fact]
    public async Task AsTask_gives_the_result_and_the_error()
    {
        string key = RedisFixture.NewId("reply");
        await Db.StringSetAsync(key, "7");
        Assert.Equal(7, await RedisReply.Map(Db.StringGetAsync(key), 0, static (v, _) => (int)v, key, CancellationToken.None).AsTask());
        await Db.KeyDeleteAsync(key);
        await Db.SetAddAsync(key, "x");
        await Assert.ThrowsAsync<StorageDataException>(() => RedisReply.Of(Db.SortedSetLengthAsync(key), key, CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task Pooled_state_machines_keep_every_concurrent_call_apart()
    {
        // 64 callers x 200 calls each, every reply distinct: a pooled box handed out twice, or reused before its caller
        // read the result, would give some caller another caller's value.
        string prefix = RedisFixture.NewId("reply");
        for (int i = 0; i < 64; i++)
        {
            await Db.StringSetAsync(prefix + ":" + i.ToString(CultureInfo.InvariantCulture), i);
        }

        int wrong = 0;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async caller =>
        {
            RedisKey key = prefix + ":" + caller.ToString(CultureInfo.InvariantCulture);
            for (int n = 0; n < 200; n++)
            {
                int value = await RedisReply.Map(Db.StringGetAsync(key), caller, static (v, c) => (int)v * 1000 + c, key, CancellationToken.None);
                if (value != caller * 1001)
                {
                    Interlocked.Increment(ref wrong);
                }

                bool exists = await RedisScriptRoundTrip(key, caller);
                if (!exists)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        }));
        Assert.Equal(0, wrong);
    }

    [Fact]
    public async Task Awaiting_a_consumed_reply_again_is_refused()
    {
        // BLPOP with a 0.1 s timeout on an empty list: the reply is certainly pending when the ValueTask is handed out.
        string key = RedisFixture.NewId("reply");
        using var blocking = await ConnectionMultiplexer.ConnectAsync(redis.Address);
        ValueTask<RedisResult> reply = RedisReply.Of(blocking.GetDatabase().ExecuteAsync("BLPOP", key, "0.1"), key, CancellationToken.None);
        Assert.False(reply.IsCompleted);
        Assert.True((await reply).IsNull);

        // The pooled box went back to the pool with a new version: the old ValueTask no longer matches it.
        Assert.Throws<InvalidOperationException>(() => reply.GetAwaiter().GetResult());
    }

    [Fact]
    public async Task A_script_runs_after_the_server_forgot_it()
    {
        Assert.Equal("a", (string?)await Echo.EvaluateAsync(Db, [], ["a"]));
        await redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]).ScriptFlushAsync();
        Assert.Equal("b", await Echo.EvaluateAsync(Db, [], ["b"], 0, static (r, _) => (string?)r));
        await Echo.EvaluateVoidAsync(Db, [], ["c"], "c", static (r, expected) => (string?)r == expected ? true : throw new InvalidOperationException("wrong reply"));
    }

    [Fact]
    public async Task A_script_maps_WRONGTYPE_on_its_keys_and_surfaces_mapping_errors()
    {
        var script = new RedisScript("test.zcard", "return redis.call('ZCARD', KEYS[1])");
        string key = RedisFixture.NewId("reply");
        await Db.SetAddAsync(key, "x");
        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await script.EvaluateAsync(Db, [key], []));
        Assert.Contains(key, ex.Key, StringComparison.Ordinal);
        await Db.KeyDeleteAsync(key);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await script.EvaluateVoidAsync(Db, [key], [], 0, static (_, _) => throw new ArgumentOutOfRangeException("frame")));
    }

    [Fact]
    public async Task A_script_call_honours_a_cancelled_token()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Echo.EvaluateAsync(Db, [], ["x"], cts.Token));
    }

    private static readonly RedisScript Get = new("test.get", "return redis.call('GET', KEYS[1])");

    private async Task<bool> RedisScriptRoundTrip(RedisKey key, int caller) =>
        await Get.EvaluateAsync(Db, [key], [], caller, static (r, c) => (int)r == c);
}
