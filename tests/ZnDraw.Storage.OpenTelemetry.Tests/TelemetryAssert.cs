using OpenTelemetry.Metrics;

namespace ZnDraw.Storage.OpenTelemetry.Tests;

/// <summary>Reading what the in-memory exporter captured.</summary>
internal static class TelemetryAssert
{
    /// <summary>The one exported snapshot of <paramref name="name"/> on the ZnDraw.Storage meter.</summary>
    public static MetricSnapshot Metric(IEnumerable<MetricSnapshot> exported, string name) =>
        Assert.Single(exported, m => m.Name == name && m.MeterName == "ZnDraw.Storage");

    /// <summary>The tags of <paramref name="point"/>, by key.</summary>
    public static Dictionary<string, object?> Tags(MetricPoint point)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags)
        {
            tags.Add(tag.Key, tag.Value);
        }

        return tags;
    }

    /// <summary>The one point of <paramref name="metric"/> whose tags are exactly <paramref name="expected"/>.</summary>
    public static MetricPoint Point(MetricSnapshot metric, params (string Key, object? Value)[] expected)
    {
        var want = expected.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);
        return Assert.Single(metric.MetricPoints, p =>
        {
            var tags = Tags(p);
            return tags.Count == want.Count && want.All(w => tags.TryGetValue(w.Key, out var v) && Equals(v, w.Value));
        });
    }
}
