using System.Diagnostics.Metrics;
using System.Diagnostics;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Diagnostics;

// In the Redis collection with ServiceOperationTests, never beside it: both listen to the library's activity source,
// which is process-wide, and Without_listeners_nothing_is_started needs nobody listening.
[Collection(RedisCollection.Name)]
public sealed class StorageOperationTests
{
    [Fact]
    public void A_listener_sees_the_activity_the_duration_and_the_error()
    {
        var operation = "test.op." + Guid.NewGuid().ToString("N");
        var activities = new List<Activity>();
        var durations = new List<(double Value, Dictionary<string, object?> Tags)>();
        var errors = new List<Dictionary<string, object?>>();

        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ZnDrawStorageDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.OperationName == operation) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(activityListener);

        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ZnDrawStorageDiagnostics.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            var t = ToDictionary(tags);
            if (instrument.Name == ZnDrawStorageDiagnostics.OperationDurationInstrument && Equals(t["operation"], operation))
            {
                durations.Add((value, t));
            }
        });
        meterListener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var t = ToDictionary(tags);
            if (instrument.Name == ZnDrawStorageDiagnostics.ErrorsInstrument && Equals(t["operation"], operation))
            {
                errors.Add(t);
            }
        });
        meterListener.Start();

        using (StorageOperation.Start(operation))
        {
        }

        var thrown = new StorageDataException("k", null, "bad");
        var caught = Assert.Throws<StorageDataException>(() => Fails(operation, thrown));
        Assert.Same(thrown, caught); // the filter lets the exception pass unchanged

        Assert.Equal(2, activities.Count);
        Assert.Equal(ActivityStatusCode.Error, activities[1].Status);
        Assert.Equal(2, durations.Count);
        Assert.Equal("success", durations[0].Tags["outcome"]);
        Assert.Equal("failure", durations[1].Tags["outcome"]);
        Assert.All(durations, d => Assert.True(d.Value >= 0));
        var error = Assert.Single(errors);
        Assert.Equal(nameof(StorageDataException), error["error.type"]);
    }

    [Fact]
    public void Without_listeners_nothing_is_started()
    {
        // No ActivityListener for this source is registered in this test: no activity is created.
        var before = Activity.Current;
        using (StorageOperation.Start("test.quiet"))
        {
            Assert.Same(before, Activity.Current);
        }
    }

    // The pattern every service method uses: the filter records the failure, Dispose records the outcome.
    private static void Fails(string operation, Exception exception)
    {
        using var op = StorageOperation.Start(operation);
        try
        {
            throw exception;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags)
        {
            d[t.Key] = t.Value;
        }

        return d;
    }
}
