using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// The durable-mode outbox: Redis streams that receive each history event in the same MULTI/EXEC or Lua script as the
/// state change it describes, and the encoding of their entries.
/// </summary>
/// <remarks>
/// <para>An entry has two fields: <c>id</c> (the event id) and <c>event</c> (the event as JSON, with a <c>type</c>
/// discriminator). A repository script appends the entry in its own atomic step (<see cref="RedisScript"/> with a
/// history condition, fed by <see cref="ToScriptArgs"/>) or MULTI/EXEC (<see cref="Enlist(ITransaction, RedisKey, HistoryEvent)"/>);
/// an event that no step took is appended with <see cref="AppendAsync"/> after the commit.</para>
/// <para>The outbox is a set of shards. <see cref="StreamKey"/> itself is always one (under ZnDraw's layout the only
/// one). Under the cluster-safe layout an event goes to the shard of the hash slot of the state change's keys,
/// <c>{StreamKey}:{tag}</c> (the tag in braces, e.g. <c>zndraw-storage:history:{a1}</c>) (<see cref="ShardKey"/>), so that one script or transaction writes both; the slots in use
/// are listed in the set <see cref="RegistryKey"/>, which the dispatcher reads.</para>
/// </remarks>
internal sealed class HistoryOutbox
{
    /// <summary>The stream field holding the event id.</summary>
    public const string IdField = "id";

    /// <summary>The stream field holding the event JSON.</summary>
    public const string EventField = "event";

    public HistoryOutbox(RedisKey streamKey)
    {
        if (streamKey == default(RedisKey) || string.IsNullOrEmpty(streamKey.ToString()))
        {
            throw new ArgumentException("The outbox stream key must not be empty.", nameof(streamKey));
        }

        StreamKey = streamKey;
        _shardHead = streamKey.ToString() + ":{";
        RegistryKey = streamKey.ToString() + ":shards";
    }

    private readonly string _shardHead;
    private readonly string?[] _shards = new string?[OutboxSlots.Count];

    /// <summary>The outbox stream: the only shard under ZnDraw's layout, and the shard of events no atomic step took.</summary>
    public RedisKey StreamKey { get; }

    /// <summary>The stream key as text, for logs.</summary>
    public string Name => StreamKey.ToString() ?? string.Empty;

    /// <summary><c>{StreamKey}:shards</c>: the set of hash slots (as decimal numbers) whose shard has received events.</summary>
    public RedisKey RegistryKey { get; }

    /// <summary>The shard of hash slot <paramref name="slot"/>: <c>{StreamKey}:{tag}</c> (the tag in braces, e.g. <c>zndraw-storage:history:{a1}</c>), a key in that slot (built once per slot).</summary>
    public RedisKey ShardKey(int slot)
    {
        var key = _shards[slot];
        if (key is null)
        {
            key = _shardHead + OutboxSlots.Tag(slot) + "}";
            _shards[slot] = key;
        }

        return key;
    }

    /// <summary>
    /// Queues <c>XADD {StreamKey} * id {event id} event {json}</c> into <paramref name="transaction"/> as fire-and-forget:
    /// the entry is appended if and only if the transaction commits, and no task or result is kept for it.
    /// </summary>
    public void Enlist(ITransaction transaction, HistoryEvent historyEvent) => Enlist(transaction, StreamKey, historyEvent);

    /// <summary>Like <see cref="Enlist(ITransaction, HistoryEvent)"/>, into the shard <paramref name="stream"/>.</summary>
    public static void Enlist(ITransaction transaction, RedisKey stream, HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        _ = transaction.StreamAddAsync(stream, ToStreamFields(historyEvent), flags: CommandFlags.FireAndForget);
    }

    /// <summary>Appends the event on its own (<c>XADD</c>, one round trip), for a state change that could not share a transaction with the stream.</summary>
    public Task<RedisValue> AppendAsync(IDatabaseAsync database, HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(database);
        return database.StreamAddAsync(StreamKey, ToStreamFields(historyEvent));
    }

    /// <summary>The stream entry fields of <paramref name="historyEvent"/>.</summary>
    public static NameValueEntry[] ToStreamFields(HistoryEvent historyEvent) =>
    [
        new(IdField, historyEvent.EventId),
        new(EventField, Serialize(historyEvent)),
    ];

    /// <summary>The script arguments of <paramref name="historyEvent"/> (event id, event JSON), to append after a script's own arguments.</summary>
    public static RedisValue[] ToScriptArgs(HistoryEvent historyEvent) => [historyEvent.EventId, Serialize(historyEvent)];

    /// <summary>The event JSON (UTF-8) of <paramref name="historyEvent"/>.</summary>
    public static byte[] Serialize(HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(historyEvent);
        return HistoryEventJson.Serialize(historyEvent);
    }

    /// <summary>Reads an outbox entry back into its event.</summary>
    /// <exception cref="StorageDataException">The entry has no <c>event</c> field or its JSON is not a history event.</exception>
    public HistoryEvent Parse(StreamEntry entry)
    {
        var json = entry[EventField];
        var where = $"{StreamKey} entry {entry.Id}";
        if (json.IsNullOrEmpty)
        {
            throw new StorageDataException(where, EventField, "the outbox entry has no event.");
        }

        try
        {
            return JsonSerializer.Deserialize(((ReadOnlyMemory<byte>)json).Span, HistoryJsonContext.Default.HistoryEvent)
                ?? throw new StorageDataException(where, EventField, "the event is JSON null.");
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or ArgumentException)
        {
            throw new StorageDataException(where, EventField, "the event is not a valid history event: " + ex.Message, ex);
        }
    }
}
