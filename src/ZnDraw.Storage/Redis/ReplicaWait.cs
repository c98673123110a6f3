using System.Globalization;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Sends <c>WAIT numreplicas timeout</c> to the primary that took a write (<see cref="ZnDrawReplicationOptions"/>), and
/// throws <see cref="StorageUnavailableException"/> when fewer replicas acknowledge in time.
/// </summary>
/// <remarks>
/// <para>
/// <c>WAIT</c> counts the replicas that acknowledged the replication offset of the connection's last write. The library
/// talks to each server over one multiplexed connection, so the <c>WAIT</c> must go over that same connection, to the
/// same server, after the write's reply: <see cref="IConnectionMultiplexer.GetServer(RedisKey, object, CommandFlags)"/>
/// names the server that serves the key's slot (the one the write went to), and <see cref="IServer.ExecuteAsync(string, object[])"/>
/// sends over that server's interactive connection (a keyless <c>IDatabase.ExecuteAsync</c> may go to any node of a
/// cluster). Other callers' writes on that connection in between only make the wait cover more.
/// </para>
/// <para>
/// If the slot moved between the write and the <c>WAIT</c> (a failover or a resharding in that instant), the
/// <c>WAIT</c> goes to the new owner and may count acknowledgements of other writes; the write itself is then in the
/// "outcome unknown" state of any call that met a failover.
/// </para>
/// </remarks>
internal sealed class ReplicaWait
{
    private readonly IConnectionMultiplexer _multiplexer;
    private readonly object[] _arguments;

    public ReplicaWait(IConnectionMultiplexer multiplexer, int replicas, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(multiplexer);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        if (timeout < ZnDrawReplicationOptions.MinTimeout || timeout > ZnDrawReplicationOptions.MaxTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, $"Must be within {ZnDrawReplicationOptions.MinTimeout}..{ZnDrawReplicationOptions.MaxTimeout}.");
        }

        _multiplexer = multiplexer;
        Replicas = replicas;
        Timeout = timeout;
        _arguments = [replicas, (long)timeout.TotalMilliseconds];
    }

    /// <summary>How many replicas must acknowledge.</summary>
    public int Replicas { get; }

    /// <summary>The <c>WAIT</c> timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The waiter for <paramref name="options"/>, or <see langword="null"/> when it asks for no replica (the default).</summary>
    public static ReplicaWait? For(IConnectionMultiplexer multiplexer, ZnDrawReplicationOptions? options) =>
        options is { WaitForReplicas: > 0 } o ? new ReplicaWait(multiplexer, o.WaitForReplicas, o.Timeout) : null;

    /// <summary>
    /// Awaits <paramref name="write"/>; when <paramref name="changed"/> says it changed state, waits for the replicas of
    /// the primary serving <paramref name="key"/>. One pooled async method for the whole call.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<T> AfterAsync<T>(ValueTask<T> write, Func<T, bool> changed, RedisKey key, string operation, CancellationToken cancellationToken)
    {
        T result = await write.ConfigureAwait(false);
        if (changed(result))
        {
            await WaitAsync(key, operation, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>
    /// Waits for the replicas of the primary serving <paramref name="key"/> (and, when given and on another server, of
    /// the one serving <paramref name="otherKey"/>; both in parallel).
    /// </summary>
    /// <exception cref="StorageUnavailableException">Fewer replicas acknowledged within the timeout, or the server could not be reached.</exception>
    public ValueTask WaitAsync(RedisKey key, string operation, CancellationToken cancellationToken, RedisKey otherKey = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        IServer server;
        IServer? other = null;
        try
        {
            server = _multiplexer.GetServer(key);
            if (otherKey != default(RedisKey))
            {
                IServer second = _multiplexer.GetServer(otherKey);
                other = Equals(second.EndPoint, server.EndPoint) ? null : second;
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key, operation);
        }

        return other is null ? OneAsync(server, key, operation, cancellationToken) : BothAsync(server, key, other, otherKey, operation, cancellationToken);
    }

    private async ValueTask BothAsync(IServer first, RedisKey firstKey, IServer second, RedisKey secondKey, string operation, CancellationToken cancellationToken)
    {
        ValueTask a = OneAsync(first, firstKey, operation, cancellationToken);
        ValueTask b = OneAsync(second, secondKey, operation, cancellationToken);
        try
        {
            await a.ConfigureAwait(false);
        }
        finally
        {
            await b.ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask OneAsync(IServer server, RedisKey key, string operation, CancellationToken cancellationToken)
    {
        long acknowledged;
        try
        {
            RedisResult reply = await Repositories.RedisStoreContext.WaitAsync(server.ExecuteAsync("WAIT", _arguments), cancellationToken).ConfigureAwait(false);
            acknowledged = (long)reply;
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key, operation);
        }

        if (acknowledged < Replicas)
        {
            throw new StorageUnavailableException(
                operation,
                key.ToString(),
                string.Create(CultureInfo.InvariantCulture, $"the write reached the primary {server.EndPoint}, but only {acknowledged} of {Replicas} replica(s) acknowledged it within {Timeout.TotalMilliseconds:0} ms (WAIT); a failover before the replicas catch up may lose it, so treat the outcome as unknown"),
                null);
        }
    }
}
