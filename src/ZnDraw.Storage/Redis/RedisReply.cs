using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Awaits the client's <see cref="Task{T}"/> for one command (or one script) in exactly one pooled async method that
/// also maps the reply, and a WRONGTYPE error into <see cref="StorageDataException"/>: a library call costs the one
/// state machine a hand-written caller's own async method costs, never two or three nested ones, and allocates
/// nothing for it once the pool is warm (<see cref="PoolingAsyncValueTaskMethodBuilder{TResult}"/>).
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
    /// <summary>The reply as it is, WRONGTYPE on <paramref name="key"/> mapped to <see cref="StorageDataException"/>.</summary>
    public static ValueTask<T> Of<T>(Task<T> task, RedisKey key, CancellationToken cancellationToken) =>
        Map(task, key, static (value, _) => value, key, cancellationToken);

    /// <summary>Completion of a command without a result, WRONGTYPE on <paramref name="key"/> mapped.</summary>
    public static ValueTask Of(Task task, RedisKey key, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        return task.IsCompletedSuccessfully ? ValueTask.CompletedTask : AwaitAsync(RedisStoreContext.WaitAsync(task, cancellationToken), key);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
        static async ValueTask AwaitAsync(Task task, RedisKey key)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (IsWrongTypeOn(key, ex))
            {
                throw RedisErrors.WrongType(key.ToString(), ex);
            }
        }
    }

    /// <summary>
    /// The reply mapped by <paramref name="map"/> (a static lambda: <paramref name="state"/> carries what it needs);
    /// WRONGTYPE on <paramref name="key"/> is mapped (pass <c>default</c> for commands that cannot raise it).
    /// </summary>
    public static ValueTask<TResult> Map<T, TState, TResult>(Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            // WaitAsync would hand back a task that already completed and ignore the token.
            return ValueTask.FromCanceled<TResult>(cancellationToken);
        }

        return MapAsync(RedisStoreContext.WaitAsync(task, cancellationToken), state, map, key);
    }

    /// <summary>
    /// Runs a script by SHA1 (EVALSHA), and by its text once if the server answers NOSCRIPT, then maps the result:
    /// one async method for the whole call. WRONGTYPE on any of its keys becomes <see cref="StorageDataException"/>;
    /// a connection failure gives an unused outbox <paramref name="scope"/> back to its owner.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal static async ValueTask<TResult> ScriptAsync<TState, TResult>(
        IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, HistoryOutboxScope? scope,
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
        catch (RedisConnectionException) when (scope is not null)
        {
            scope.Release(); // nothing ran: the caller may record the event another way
            throw;
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType(keys, ex);
        }

        return map(result, state);
    }

    /// <summary>Like <see cref="ScriptAsync{TState, TResult}"/> for a call that only reports completion (the map may throw).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    internal static async ValueTask ScriptVoidAsync<TState>(
        IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, HistoryOutboxScope? scope,
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
        catch (RedisConnectionException) when (scope is not null)
        {
            scope.Release(); // nothing ran: the caller may record the event another way
            throw;
        }
        catch (RedisServerException ex) when (RedisErrors.IsWrongType(ex))
        {
            throw RedisErrors.WrongType(keys, ex);
        }

        _ = map(result, state);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<TResult> MapAsync<T, TState, TResult>(Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key)
    {
        T value;
        try
        {
            value = await task.ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsWrongTypeOn(key, ex))
        {
            throw RedisErrors.WrongType(key.ToString(), ex);
        }

        return map(value, state);
    }

    private static bool IsWrongTypeOn(RedisKey key, RedisServerException exception) =>
        key != default(RedisKey) && RedisErrors.IsWrongType(exception);
}
