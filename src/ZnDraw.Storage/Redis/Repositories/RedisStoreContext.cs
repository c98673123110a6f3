using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>What every Redis repository shares: the database, the key space, the clock, the size limits and the logger.</summary>
internal sealed class RedisStoreContext
{
    public RedisStoreContext(
        IConnectionMultiplexer multiplexer,
        KeySpace? keySpace = null,
        TimeProvider? timeProvider = null,
        int database = -1,
        ZnDrawLimitOptions? limits = null,
        ILoggerFactory? loggerFactory = null,
        ZnDrawReplicationOptions? replication = null)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        Multiplexer = multiplexer;
        Database = multiplexer.GetDatabase(database);
        Keys = keySpace ?? KeySpace.Default;
        Global = Keys.Global;
        Time = timeProvider ?? TimeProvider.System;
        Limits = limits ?? new ZnDrawLimitOptions();
        Logger = loggerFactory?.CreateLogger("ZnDraw.Storage.Repositories") ?? NullLogger.Instance;
        Replicas = ReplicaWait.For(multiplexer, replication);
    }

    /// <summary>
    /// The <c>WAIT</c> sent after the writes that matter (<see cref="ZnDrawReplicationOptions"/>), or
    /// <see langword="null"/> when off (the default): the covered calls then cost nothing more.
    /// </summary>
    public ReplicaWait? Replicas { get; }

    /// <summary>The connection (for SCAN over every primary in the reindex operation).</summary>
    public IConnectionMultiplexer Multiplexer { get; }

    /// <summary>The database every command goes to (cached, as StackExchange.Redis recommends).</summary>
    public IDatabase Database { get; }

    /// <summary>Builds every key (prefix and layout).</summary>
    public KeySpace Keys { get; }

    /// <summary>The key space's global keys (index sets, default room, outbox), built once.</summary>
    public GlobalKeys Global { get; }

    /// <summary>The clock for timestamps written to Redis.</summary>
    public TimeProvider Time { get; }

    /// <summary>The size limits checked before a write is sent.</summary>
    public ZnDrawLimitOptions Limits { get; }

    /// <summary>The repositories' logger (unreadable entries skipped by listings).</summary>
    public ILogger Logger { get; }

    /// <summary>Now, in UTC.</summary>
    public DateTime UtcNow => Time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Bounds the wait for <paramref name="task"/> by <paramref name="cancellationToken"/>. Without a cancellable
    /// token the task itself is returned (no allocation). The command may still run on the server after a cancel.
    /// </summary>
    public static Task<T> WaitAsync<T>(Task<T> task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;

    /// <inheritdoc cref="WaitAsync{T}(Task{T}, CancellationToken)"/>
    public static Task WaitAsync(Task task, CancellationToken cancellationToken) =>
        cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;

    /// <summary>
    /// Sends the commands queued in <paramref name="batch"/>; every failure reaches the caller through the queued
    /// tasks, which the caller awaits inside its catch for client failures.
    /// </summary>
    /// <remarks>
    /// StackExchange.Redis 2.x throws <see cref="RedisConnectionException"/> from <see cref="IBatch.Execute"/> when no
    /// server can take the batch, after failing every queued task with the same error (3.x only fails the tasks).
    /// That throw would escape the caller's catch unmapped, so it is dropped here: the tasks carry it.
    /// </remarks>
    public static void Execute(IBatch batch)
    {
        try
        {
            batch.Execute();
        }
        catch (RedisConnectionException)
        {
            // The queued tasks are already failed with this error; awaiting them reports it, mapped.
        }
    }
}
