using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// The durable-mode outbox: a Redis stream that receives each history event in the same
/// MULTI/EXEC or Lua script as the state change it describes.
/// </summary>
/// <remarks>
/// An entry has two fields: <c>id</c> (the event id) and <c>event</c> (the event as JSON, with a
/// <c>type</c> discriminator). Under ZnDraw's layout a repository script appends the entry in its own atomic step
/// (<see cref="RedisScript"/> with a history condition, fed by <see cref="ToScriptArgs"/>) or MULTI/EXEC
/// (<see cref="Enlist"/>); otherwise
/// <see cref="RedisHistoryOutbox"/> appends it with <see cref="AppendAsync"/> after the commit.
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
    }

    /// <summary>The outbox stream.</summary>
    public RedisKey StreamKey { get; }

    /// <summary>
    /// Queues <c>XADD {stream} * id {event id} event {json}</c> into <paramref name="transaction"/> as fire-and-forget:
    /// the entry is appended if and only if the transaction commits, and no task or result is kept for it.
    /// </summary>
    public void Enlist(ITransaction transaction, HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        _ = transaction.StreamAddAsync(StreamKey, ToStreamFields(historyEvent), flags: CommandFlags.FireAndForget);
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
