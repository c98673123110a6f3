using StackExchange.Redis;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// The Redis backend's <see cref="IHistoryOutbox"/>: the outbox stream on the store's database. Under ZnDraw's layout
/// every key lives on one node, so a repository script appends the event of the current <see cref="HistoryOutboxScope"/>
/// in its own atomic step (<see cref="RedisScript"/>); under the cluster-safe layout the stream may live in another slot
/// than the state change, so the event is appended with a separate <c>XADD</c> after the commit.
/// </summary>
internal sealed class RedisHistoryOutbox(IDatabaseAsync database, HistoryOutbox stream, bool canEnlist) : IHistoryOutbox
{
    /// <summary>The stream and its entry encoding.</summary>
    public HistoryOutbox Stream { get; } = stream;

    /// <inheritdoc/>
    public string Name => Stream.StreamKey.ToString() ?? string.Empty;

    /// <inheritdoc/>
    public bool CanEnlist { get; } = canEnlist;

    /// <inheritdoc/>
    public ValueTask AppendAsync(HistoryEvent historyEvent, CancellationToken cancellationToken) =>
        RedisReply.Of((Task)Stream.AppendAsync(database, historyEvent), Stream.StreamKey, cancellationToken);
}
