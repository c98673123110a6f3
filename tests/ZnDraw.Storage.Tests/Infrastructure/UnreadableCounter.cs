using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ZnDraw.Storage.Diagnostics;

namespace ZnDraw.Storage.Tests.Infrastructure;

/// <summary>Counts <c>zndraw.storage.unreadable</c> measurements by their <c>zndraw.storage.aggregate</c> tag while it lives.</summary>
internal sealed class UnreadableCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new();

    public UnreadableCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ZnDrawStorageDiagnostics.Name && instrument.Name == ZnDrawStorageDiagnostics.UnreadableInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "zndraw.storage.aggregate")
                {
                    _counts.AddOrUpdate((string)tag.Value!, value, (_, old) => old + value);
                }
            }
        });
        _listener.Start();
    }

    public long Count(string aggregate) => _counts.GetValueOrDefault(aggregate);

    public void Dispose() => _listener.Dispose();
}
