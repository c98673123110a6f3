using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using StackExchange.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Turns the client's <see cref="Task{T}"/> for one command into the library's <see cref="ValueTask{TResult}"/>
/// without an async method of our own in between: a pooled <see cref="IValueTaskSource{TResult}"/> hangs one cached
/// callback on the client's task, maps the reply (and a WRONGTYPE error into <see cref="StorageDataException"/>) when
/// the task completes, and then runs the caller's continuation inline. That is the work an <c>async</c> wrapper does,
/// minus its state machine, and it allocates nothing once the pool is warm.
/// </summary>
/// <remarks>
/// The returned <see cref="ValueTask{TResult}"/> follows the usual rules: await it once (or call
/// <see cref="ValueTask{TResult}.AsTask"/> once). A cancellable token bounds the wait with
/// <see cref="Task.WaitAsync(CancellationToken)"/>; the command may still run on the server.
/// </remarks>
internal static class RedisReply
{
    /// <summary>The reply as it is, WRONGTYPE on <paramref name="key"/> mapped to <see cref="StorageDataException"/>.</summary>
    public static ValueTask<T> Of<T>(Task<T> task, RedisKey key, CancellationToken cancellationToken) =>
        ReplySource<T, RedisKey, T>.Start(task, key, static (value, _) => value, key, cancellationToken);

    /// <summary>Completion of a command without a result, WRONGTYPE on <paramref name="key"/> mapped.</summary>
    public static ValueTask Of(Task task, RedisKey key, CancellationToken cancellationToken) =>
        VoidReplySource.Start(task, key, cancellationToken);

    /// <summary>
    /// The reply mapped by <paramref name="map"/> (a static lambda: <paramref name="state"/> carries what it needs);
    /// WRONGTYPE on <paramref name="key"/> is mapped (pass <c>default</c> for commands that cannot raise it).
    /// </summary>
    public static ValueTask<TResult> Map<T, TState, TResult>(Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, CancellationToken cancellationToken) =>
        ReplySource<T, TState, TResult>.Start(task, state, map, key, cancellationToken);

    /// <summary>The exception a failed command surfaces as: WRONGTYPE on a known key becomes <see cref="StorageDataException"/>.</summary>
    internal static Exception Translate(Exception exception, RedisKey key) =>
        exception is RedisServerException server && key != default(RedisKey) && RedisErrors.IsWrongType(server)
            ? RedisErrors.WrongType(key.ToString(), server)
            : exception;

    /// <summary>
    /// The <see cref="ReplySource{T, TState, TResult}"/> of a call whose result the caller does not need: the same
    /// mapping (which may throw), completion only.
    /// </summary>
    public static ValueTask MapVoid<T, TState>(Task<T> task, TState state, Func<T, TState, bool> map, RedisKey key, CancellationToken cancellationToken) =>
        ReplySource<T, TState, bool>.StartVoid(task, state, map, key, cancellationToken);

    /// <summary>The exception a faulted or cancelled task surfaces with <c>await</c> (a failed task only).</summary>
    internal static Exception Unwrap(Task task)
    {
        try
        {
            task.GetAwaiter().GetResult();
        }
        catch (Exception ex)
        {
            return ex;
        }

        return new InvalidOperationException("The command completed without an error.");
    }
}

/// <summary>A small lock-free pool: one instance per thread plus a few shared slots.</summary>
/// <typeparam name="T">The pooled type.</typeparam>
internal static class ReplyPool<T>
    where T : class
{
    [ThreadStatic]
    private static T? t_cached;

    private static readonly T?[] Shared = new T?[Math.Max(4, Environment.ProcessorCount * 2)];

    public static T? Rent()
    {
        T? item = t_cached;
        if (item is not null)
        {
            t_cached = null;
            return item;
        }

        T?[] shared = Shared;
        for (int i = 0; i < shared.Length; i++)
        {
            if (Volatile.Read(ref shared[i]) is not null && Interlocked.Exchange(ref shared[i], null) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    public static void Return(T item)
    {
        if (t_cached is null)
        {
            t_cached = item;
            return;
        }

        T?[] shared = Shared;
        for (int i = 0; i < shared.Length; i++)
        {
            if (Volatile.Read(ref shared[i]) is null && Interlocked.CompareExchange(ref shared[i], item, null) is null)
            {
                return;
            }
        }
    }
}

/// <summary>One pending command: the client's task, the mapping and the caller's continuation (pooled).</summary>
internal sealed class ReplySource<T, TState, TResult> : IValueTaskSource<TResult>, IValueTaskSource
{
    private readonly Action _completed;
    private ManualResetValueTaskSourceCore<TResult> _core;
    private Task<T>? _task;
    private TState _state = default!;
    private Func<T, TState, TResult>? _map;
    private RedisKey _key;

    private ReplySource()
    {
        _completed = OnCompleted;
    }

    public static ValueTask<TResult> Start(Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, CancellationToken cancellationToken)
    {
        ReplySource<T, TState, TResult>? source = Begin(task, state, map, key, cancellationToken, out TResult result, out Exception? error);
        return source is not null ? new ValueTask<TResult>(source, source._core.Version)
            : error is null ? new ValueTask<TResult>(result)
            : ValueTask.FromException<TResult>(error);
    }

    public static ValueTask StartVoid(Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, CancellationToken cancellationToken)
    {
        ReplySource<T, TState, TResult>? source = Begin(task, state, map, key, cancellationToken, out _, out Exception? error);
        return source is not null ? new ValueTask(source, source._core.Version)
            : error is null ? ValueTask.CompletedTask
            : ValueTask.FromException(error);
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    private static ReplySource<T, TState, TResult>? Begin(
        Task<T> task, TState state, Func<T, TState, TResult> map, RedisKey key, CancellationToken cancellationToken, out TResult result, out Exception? error)
    {
        result = default!;
        error = null;
        if (cancellationToken.CanBeCanceled)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // WaitAsync would hand back a task that already completed and ignore the token.
                error = new OperationCanceledException(cancellationToken);
                return null;
            }

            task = task.WaitAsync(cancellationToken);
        }

        if (task.IsCompleted)
        {
            // Completed already (a cancelled token, a failed send): no source needed.
            if (!task.IsCompletedSuccessfully)
            {
                error = RedisReply.Translate(RedisReply.Unwrap(task), key);
                return null;
            }

            try
            {
                result = map(task.Result, state);
            }
            catch (Exception ex)
            {
                error = ex;
            }

            return null;
        }

        ReplySource<T, TState, TResult> source = ReplyPool<ReplySource<T, TState, TResult>>.Rent() ?? new ReplySource<T, TState, TResult>();
        source._task = task;
        source._state = state;
        source._map = map;
        source._key = key;

        // The version is read by the caller before the callback can complete (and reset) the source: the callback
        // only completes it; Reset happens in GetResult, after the caller holds the ValueTask.
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(source._completed);
        return source;
    }

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            ReplyPool<ReplySource<T, TState, TResult>>.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnCompleted()
    {
        Task<T> task = _task!;
        TState state = _state;
        Func<T, TState, TResult> map = _map!;
        RedisKey key = _key;
        _task = null;
        _state = default!;
        _map = null;
        _key = default;
        TResult result;
        try
        {
            if (!task.IsCompletedSuccessfully)
            {
                _core.SetException(RedisReply.Translate(RedisReply.Unwrap(task), key));
                return;
            }

            result = map(task.Result, state);
        }
        catch (Exception ex)
        {
            _core.SetException(ex);
            return;
        }

        _core.SetResult(result);
    }
}

/// <summary>One pending command without a result (pooled).</summary>
internal sealed class VoidReplySource : IValueTaskSource
{
    private readonly Action _completed;
    private ManualResetValueTaskSourceCore<bool> _core;
    private Task? _task;
    private RedisKey _key;

    private VoidReplySource()
    {
        _completed = OnCompleted;
    }

    public static ValueTask Start(Task task, RedisKey key, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        if (cancellationToken.CanBeCanceled)
        {
            task = task.WaitAsync(cancellationToken);
        }

        if (task.IsCompleted)
        {
            return task.IsCompletedSuccessfully ? ValueTask.CompletedTask : ValueTask.FromException(RedisReply.Translate(RedisReply.Unwrap(task), key));
        }

        VoidReplySource source = ReplyPool<VoidReplySource>.Rent() ?? new VoidReplySource();
        source._task = task;
        source._key = key;
        short version = source._core.Version;
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(source._completed);
        return new ValueTask(source, version);
    }

    public void GetResult(short token)
    {
        try
        {
            _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            ReplyPool<VoidReplySource>.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void OnCompleted()
    {
        Task task = _task!;
        RedisKey key = _key;
        _task = null;
        _key = default;
        if (task.IsCompletedSuccessfully)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(RedisReply.Translate(RedisReply.Unwrap(task), key));
        }
    }
}

/// <summary>
/// One pending script call (pooled): EVALSHA, and EVAL of the same text once if the server answers NOSCRIPT, then the
/// mapping; WRONGTYPE on any of its keys becomes <see cref="StorageDataException"/>, and a connection failure gives
/// an unused outbox scope back to its owner.
/// </summary>
internal sealed class ScriptReplySource<TState, TResult> : IValueTaskSource<TResult>, IValueTaskSource
{
    private readonly Action _completed;
    private ManualResetValueTaskSourceCore<TResult> _core;
    private Task<RedisResult>? _task;
    private IDatabaseAsync? _db;
    private string? _text;
    private RedisKey[]? _keys;
    private RedisValue[]? _values;
    private History.HistoryOutboxScope? _scope;
    private TState _state = default!;
    private Func<RedisResult, TState, TResult>? _map;
    private CancellationToken _cancellationToken;
    private bool _retried;

    private ScriptReplySource()
    {
        _completed = OnCompleted;
    }

    public static ValueTask<TResult> Start(
        IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, History.HistoryOutboxScope? scope,
        TState state, Func<RedisResult, TState, TResult> map, CancellationToken cancellationToken)
    {
        ScriptReplySource<TState, TResult> source = Begin(db, sha1, text, keys, values, scope, state, map, cancellationToken);
        return new ValueTask<TResult>(source, source._core.Version);
    }

    public static ValueTask StartVoid(
        IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, History.HistoryOutboxScope? scope,
        TState state, Func<RedisResult, TState, TResult> map, CancellationToken cancellationToken)
    {
        ScriptReplySource<TState, TResult> source = Begin(db, sha1, text, keys, values, scope, state, map, cancellationToken);
        return new ValueTask(source, source._core.Version);
    }

    public TResult GetResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _core.Reset();
            ReplyPool<ScriptReplySource<TState, TResult>>.Return(this);
        }
    }

    void IValueTaskSource.GetResult(short token) => GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private static ScriptReplySource<TState, TResult> Begin(
        IDatabaseAsync db, byte[] sha1, string text, RedisKey[] keys, RedisValue[] values, History.HistoryOutboxScope? scope,
        TState state, Func<RedisResult, TState, TResult> map, CancellationToken cancellationToken)
    {
        ScriptReplySource<TState, TResult> source = ReplyPool<ScriptReplySource<TState, TResult>>.Rent() ?? new ScriptReplySource<TState, TResult>();
        source._db = db;
        source._text = text;
        source._keys = keys;
        source._values = values;
        source._scope = scope;
        source._state = state;
        source._map = map;
        source._cancellationToken = cancellationToken;
        source._retried = false;
        source.Send(db.ScriptEvaluateAsync(sha1, keys, values));
        return source;
    }

    private void Send(Task<RedisResult> task)
    {
        if (_cancellationToken.CanBeCanceled)
        {
            task = task.WaitAsync(_cancellationToken);
        }

        _task = task;
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(_completed);
    }

    private void OnCompleted()
    {
        Task<RedisResult> task = _task!;
        if (!task.IsCompletedSuccessfully)
        {
            Exception error = RedisReply.Unwrap(task);
            if (!_retried && error is RedisServerException noScript && noScript.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost (or never had) the script: send its text once; the client caches the SHA again.
                _retried = true;
                try
                {
                    Send(_db!.ScriptEvaluateAsync(_text!, _keys, _values));
                    return;
                }
                catch (Exception ex)
                {
                    error = ex;
                }
            }

            if (error is RedisConnectionException)
            {
                _scope?.Release(); // nothing ran: the caller may record the event another way
            }
            else if (error is RedisServerException server && RedisErrors.IsWrongType(server))
            {
                error = RedisErrors.WrongType(_keys, server);
            }

            Clear();
            _core.SetException(error);
            return;
        }

        TState state = _state;
        Func<RedisResult, TState, TResult> map = _map!;
        Clear();
        TResult result;
        try
        {
            result = map(task.Result, state);
        }
        catch (Exception ex)
        {
            _core.SetException(ex);
            return;
        }

        _core.SetResult(result);
    }

    private void Clear()
    {
        _task = null;
        _db = null;
        _text = null;
        _keys = null;
        _values = null;
        _scope = null;
        _state = default!;
        _map = null;
        _cancellationToken = default;
    }
}
