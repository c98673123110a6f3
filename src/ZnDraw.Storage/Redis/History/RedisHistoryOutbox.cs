using StackExchange.Redis;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// The Redis backend's <see cref="IHistoryOutbox"/>: a repository script (<see cref="RedisScript"/>) or transaction takes
/// the event of the current <see cref="HistoryOutboxScope"/> and appends it in its own atomic step, to the shard that
/// <see cref="ShardFor"/> names.
/// </summary>
/// <remarks>
/// Under ZnDraw's layout every event goes to the one stream <see cref="HistoryOutbox.StreamKey"/>, byte for byte as
/// before sharding. Under the cluster-safe layout it goes to the shard of the hash slot of the step's first key (every
/// key of one step shares a slot), so the step stays one atomic script or MULTI/EXEC on a Redis Cluster. Before the
/// first append to a shard this process adds its slot to <see cref="HistoryOutbox.RegistryKey"/> (<c>SADD</c>, one round
/// trip per slot per process lifetime): the dispatcher finds the shards there. A crash between the <c>SADD</c> and the
/// script only leaves an empty shard registered.
/// </remarks>
internal sealed class RedisHistoryOutbox : IHistoryOutbox
{
    private readonly IDatabaseAsync _database;

    // One flag per slot: its SADD is known to have succeeded in this process.
    private readonly bool[] _registered;

    /// <summary>Creates the outbox of <paramref name="stream"/> on <paramref name="database"/>.</summary>
    /// <param name="database">The database the repositories write to.</param>
    /// <param name="stream">The outbox streams and their entry encoding.</param>
    /// <param name="layout">Sharded by slot under <see cref="KeyLayout.ClusterSafe"/>; one stream under <see cref="KeyLayout.ZnDraw"/>.</param>
    /// <exception cref="ArgumentException">Cluster-safe layout and a stream key with a hash tag (<c>{</c> or <c>}</c>), which would pin every shard to one slot.</exception>
    public RedisHistoryOutbox(IDatabaseAsync database, HistoryOutbox stream, KeyLayout layout)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(stream);
        _database = database;
        Stream = stream;
        Sharded = layout == KeyLayout.ClusterSafe;
        if (Sharded && (stream.StreamKey.ToString() ?? string.Empty).AsSpan().IndexOfAny('{', '}') >= 0)
        {
            throw new ArgumentException(
                $"The history stream key '{stream.StreamKey}' must not contain '{{' or '}}' under the cluster-safe layout: the outbox adds a hash tag per slot.",
                nameof(stream));
        }

        _registered = Sharded ? new bool[OutboxSlots.Count] : [];
    }

    /// <summary>The streams and their entry encoding.</summary>
    public HistoryOutbox Stream { get; }

    /// <summary>True under the cluster-safe layout: one shard per hash slot in use.</summary>
    public bool Sharded { get; }

    /// <inheritdoc/>
    public string Name => Stream.StreamKey.ToString() ?? string.Empty;

    /// <summary>
    /// The shard an atomic step whose first key is <paramref name="firstKey"/> appends to, and, the first time this process
    /// uses that shard, the registration to await before the step runs (otherwise <see langword="null"/>).
    /// </summary>
    /// <param name="firstKey">The step's first key; a step without keys uses <see cref="HistoryOutbox.StreamKey"/>.</param>
    /// <param name="registration">The pending <c>SADD</c> of the slot, or <see langword="null"/>.</param>
    public RedisKey ShardFor(RedisKey firstKey, out Task? registration)
    {
        registration = null;
        if (!Sharded || firstKey == default(RedisKey))
        {
            return Stream.StreamKey;
        }

        var slot = OutboxSlots.Of((byte[])firstKey!);
        if (!Volatile.Read(ref _registered[slot]))
        {
            registration = RegisterAsync(slot);
        }

        return Stream.ShardKey(slot);
    }

    /// <inheritdoc/>
    public ValueTask AppendAsync(HistoryEvent historyEvent, CancellationToken cancellationToken) =>
        RedisReply.Of((Task)Stream.AppendAsync(_database, historyEvent), Stream.StreamKey, cancellationToken);

    private async Task RegisterAsync(int slot)
    {
        await _database.SetAddAsync(Stream.RegistryKey, slot).ConfigureAwait(false);
        Volatile.Write(ref _registered[slot], true);
    }
}
