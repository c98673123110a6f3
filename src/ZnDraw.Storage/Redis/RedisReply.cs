using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Awaits the client's <see cref="Task{T}"/> for one command (or one script) in exactly one pooled async method that
/// also maps the reply, and every client failure into the library's exceptions (<see cref="RedisErrors"/>: WRONGTYPE
/// into <see cref="StorageDataException"/>, a lost connection or timeout into <see cref="StorageUnavailableException"/>):
/// a library call costs the one state machine a hand-written caller's own async method costs, never two or three
/// nested ones, and allocates nothing for it once the pool is warm (<see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>).
/// </summary>
/// <remarks>
/// The returned <see cref="ValueTask{TResult}"/> follows the usual rules: await it once (or call
/// <see cref="ValueTask{TResult}.AsTask"/> once). A cancellable token bounds the wait with
/// <see cref="Task.WaitAsync(CancellationToken)"/>; the command may still run on the server. A custom
/// <c>IValueTaskSource</c> hung on the client's task was measured as well: no faster (the client completes its tasks
/// asynchronously either way), and 40 bytes more per call for the thread-pool item wrapping a plain callback.
/// </remarks>
internal static class RedisReply
{
    /// <summary>The reply as it is, a failure on <paramref name="key"/> mapped by <see cref="RedisErrors.Map(Exception, RedisKey, string)"/>.</summary>
    /// <remarks><paramref name="operation"/> names the call in the exception: the caller's member name unless given.</remarks>
    public static ValueTask<T> Of<T>(Task<T> task, RedisKey key, CancellationToken cancellationToken, [CallerMemberName] string operation = "") =>
        Map(task, key, static (value, _) => value, key, cancellationToken, operation);

    /// <summary>Completion of a command without a result, a failure on <paramref name="key"/> mapped.</summary>
    public static ValueTask Of(Task task, RedisKey key, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return task.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(RedisStoreContext.WaitAsync(task, cancellationToken), key, operation);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        static async ValueTask AwaitAsync(Task task, RedisKey key, string operation)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
            {
                throw RedisErrors.Map(ex, key, operation);
            }
        }
    }

    /// <summary>
    /// The reply mapped by <paramref name="map"/> (a static lambda: <paramref name="state"/> carries what it needs);
    /// a failure is mapped by <see cref="RedisErrors.Map(Exception, RedisKey, string)"/> naming <paramref name="key"/>
    /// (<c>default</c> for a command without one) and <paramref name="operation"/> (the caller's member name unless given).
    /// </summary>
    public static ValueTask<TResult> Map<T, TState, TResult>(
        Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, CancellationToken cancellationToken, [CallerMemberName] string operation = "")
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // WaitAsync would hand back a task that already completed and ignore the token.
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        return MapAsync(RedisStoreContext.WaitAsync(task, cancellationToken), state, map, key, operation);
    }

    /// <summary>
    /// Runs a script by SHA1 (EVALSHA), and by its text once if the server answers NOSCRIPT, then maps the result:
    /// one async method for the whole call. A failure is mapped by <see cref="RedisErrors"/> naming the script
    /// (<paramref name="name"/>) and its keys; a connection failure gives an unused outbox <paramref name="scope"/> back
    /// to its owner.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<TResult> ScriptAsync<TState, TResult>(
        IDatabaseAsync db, string name, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, HistoryOutboxScope? scope,
        TState state, Func<RedisResult, TState, TResult> map, CancellationToken cancellationToken)
    {
        RedisResult result;
        try
        {
            try
            {
                result = await RedisStoreContext.WaitAsync(db.ScriptEvaluateAsync(sha1, keys, values), cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost (or never had) the script: send its text once; the client caches the SHA again.
                result = await RedisStoreContext.WaitAsync(db.ScriptEvaluateAsync(text, keys, values), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            if (ex is RedisConnectionException)
            {
                scope?.Release(); // nothing ran: the caller may record the event another way
            }

            throw RedisErrors.Map(ex, keys, name);
        }

        return map(result, state);
    }

    /// <summary>Like <see cref="ScriptAsync{TState, TResult}"/> for a call that only reports completion (the map may throw).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal static async ValueTask ScriptVoidAsync<TState>(
        IDatabaseAsync db, string name, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, HistoryOutboxScope? scope,
        TState state, Func<RedisResult, TState, bool> map, CancellationToken cancellationToken)
    {
        RedisResult result;
        try
        {
            try
            {
                result = await RedisStoreContext.WaitAsync(db.ScriptEvaluateAsync(sha1, keys, values), cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost (or never had) the script: send its text once; the client caches the SHA again.
                result = await RedisStoreContext.WaitAsync(db.ScriptEvaluateAsync(text, keys, values), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            if (ex is RedisConnectionException)
            {
                scope?.Release(); // nothing ran: the caller may record the event another way
            }

            throw RedisErrors.Map(ex, keys, name);
        }

        _ = map(result, state);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TResult> MapAsync<T, TState, TResult>(Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, string operation)
    {
        T value;
        try
        {
            value = await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key, operation);
        }

        return map(value, state);
    }
}
