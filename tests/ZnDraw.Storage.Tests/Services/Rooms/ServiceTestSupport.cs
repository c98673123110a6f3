using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;

namespace ZnDraw.Storage.Tests.Services.Rooms;

/// <summary>A history sink that keeps every event it is given (thread-safe), or fails on demand.</summary>
internal sealed class CollectingSink : IHistorySink
{
    private readonly ConcurrentQueue<HistoryEvent> _events = new();

    public bool Fail { get; set; }

    public IReadOnlyList<HistoryEvent> Events => [.. _events];

    public ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new InvalidOperationException("sink down");
        }

        foreach (var e in events)
        {
            _events.Enqueue(e);
        }

        return ValueTask.CompletedTask;
    }
}

internal static class Recorders
{
    public static HistoryRecorder Direct(IHistorySink sink, TimeProvider? time = null) =>
        new(Options.Create(new HistoryOptions { Mode = HistoryMode.Direct }), time, null, sink);

    /// <summary>A durable recorder over the outbox stream <paramref name="streamKey"/> of <paramref name="database"/>.</summary>
    public static HistoryRecorder Durable(IHistorySink sink, string streamKey, IDatabaseAsync database, KeyLayout layout = KeyLayout.ZnDraw) =>
        new(Options.Create(new HistoryOptions { Mode = HistoryMode.Durable, StreamKey = streamKey }), null, null, sink, Outbox(database, streamKey, layout));

    /// <summary>The Redis outbox the DI path registers: one stream under ZnDraw's layout, sharded by slot under the cluster-safe one.</summary>
    public static RedisHistoryOutbox Outbox(IDatabaseAsync database, string streamKey, KeyLayout layout = KeyLayout.ZnDraw) =>
        new(database, new HistoryOutbox(streamKey), layout);
}
