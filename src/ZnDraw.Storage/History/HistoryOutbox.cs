using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace ZnDraw.Storage.History;

/// <summary>
/// The durable-mode outbox: a Redis stream that receives each history event in the same
/// MULTI/EXEC or Lua script as the state change it describes.
/// </summary>
/// <remarks>
/// An entry has two fields: <c>id</c> (the event id) and <c>event</c> (the event as JSON, with a
/// <c>type</c> discriminator). Repositories call <see cref="Append(ITransaction, HistoryEvent)"/> on
/// the transaction they are about to execute, or splice <see cref="LuaAppend(int, int)"/> into a
/// script and pass <see cref="StreamKey"/> and <see cref="AddScriptArgs(List{RedisValue}, HistoryEvent)"/>.
/// </remarks>
internal sealed class HistoryOutbox
{
    /// <summary>The stream field holding the event id.</summary>
    public const string IdField = "id";

    /// <summary>The stream field holding the event JSON.</summary>
    public const string EventField = "event";

    /// <summary>How many script arguments one event takes (<see cref="AddScriptArgs(List{RedisValue}, HistoryEvent)"/>).</summary>
    public const int ScriptArgCount = 2;

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
    /// Queues <c>XADD {stream} * id {event id} event {json}</c> into <paramref name="transaction"/>.
    /// Do not await the returned task before the transaction executes (it completes with the entry id,
    /// or is cancelled when the transaction does not commit).
    /// </summary>
    public Task<RedisValue> Append(ITransaction transaction, HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return transaction.StreamAddAsync(StreamKey, ToStreamFields(historyEvent));
    }

    /// <summary>
    /// Queues the same <c>XADD</c> as <see cref="Append(ITransaction, HistoryEvent)"/>, for a caller that does not need
    /// the entry id: the command is fire-and-forget inside the transaction, so StackExchange.Redis keeps no task and no
    /// result for it (the entry is appended if and only if the transaction commits, as with <see cref="Append(ITransaction, HistoryEvent)"/>).
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

    /// <summary>
    /// Adds the <see cref="ScriptArgCount"/> script arguments of <paramref name="historyEvent"/> (event id,
    /// event JSON) to <paramref name="args"/>, for a script that contains <see cref="LuaAppend(int, int)"/>.
    /// </summary>
    public static void AddScriptArgs(List<RedisValue> args, HistoryEvent historyEvent)
    {
        ArgumentNullException.ThrowIfNull(args);
        args.Add(historyEvent.EventId);
        args.Add(Serialize(historyEvent));
    }

    /// <summary>The script arguments of <paramref name="historyEvent"/> (event id, event JSON), to append after a script's own arguments.</summary>
    public static RedisValue[] ToScriptArgs(HistoryEvent historyEvent) => [historyEvent.EventId, Serialize(historyEvent)];

    /// <summary>
    /// A Lua statement that appends the event passed as <c>ARGV[argIndex]</c>, <c>ARGV[argIndex + 1]</c>
    /// to the stream passed as <c>KEYS[keyIndex]</c>; it does nothing when the caller passed no such key
    /// (history not durable), so one script serves every mode.
    /// </summary>
    /// <param name="keyIndex">The 1-based index of the stream key in <c>KEYS</c> (pass it last).</param>
    /// <param name="argIndex">The 1-based index of the event id in <c>ARGV</c> (pass the two arguments last).</param>
    public static string LuaAppend(int keyIndex, int argIndex)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(keyIndex, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(argIndex, 1);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"if KEYS[{keyIndex}] then redis.call('XADD', KEYS[{keyIndex}], '*', '{IdField}', ARGV[{argIndex}], '{EventField}', ARGV[{argIndex + 1}]) end");
    }

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
