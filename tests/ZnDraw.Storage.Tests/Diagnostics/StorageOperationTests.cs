using System.Diagnostics.Metrics;
using System.Diagnostics;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Diagnostics;

// In the Redis collection with ServiceOperationTests, never beside it: both listen to the library's activity source,
// which is process-wide, and Without_listeners_nothing_is_started (and allocated) needs nobody listening.
// Tag keys are written out, not taken from the library's constants: they are API, and a renamed key must fail here.
[Collection(RedisCollection.Name)]
public sealed class StorageOperationTests(RedisFixture redis)
{
    [Fact]
    public void A_listener_sees_the_activity_the_duration_and_the_error_with_the_conventions_tags()
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
            if (instrument.Name == "zndraw.storage.operation.duration" && Equals(t.GetValueOrDefault("zndraw.storage.operation"), operation))
            {
                durations.Add((value, t));
            }
        });
        meterListener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var t = ToDictionary(tags);
            if (instrument.Name == "zndraw.storage.operation.errors" && Equals(t.GetValueOrDefault("zndraw.storage.operation"), operation))
            {
                errors.Add(t);
            }
        });
        meterListener.Start();

        using (StorageOperation.Start(operation, DbSystem.Redis))
        {
        }

        var thrown = new StorageDataException("room:secret-room:frames", null, "bad data of user alice");
        var caught = Assert.Throws<StorageDataException>(() => Fails(operation, thrown));
        Assert.Same(thrown, caught); // the filter lets the exception pass unchanged

        Assert.Equal(2, activities.Count);
        Assert.All(activities, a =>
        {
            Assert.Equal(ActivityKind.Internal, a.Kind);
            Assert.Equal("redis", a.GetTagItem("db.system.name"));
            Assert.Equal(operation, a.GetTagItem("zndraw.storage.operation"));
            Assert.Null(a.GetTagItem("outcome"));
            Assert.Empty(a.Events); // no exception event
        });
        Assert.Equal(ActivityStatusCode.Unset, activities[0].Status);
        Assert.Null(activities[0].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, activities[1].Status);
        Assert.Equal("ZnDraw.Storage.Contracts.StorageDataException", activities[1].GetTagItem("error.type"));
        Assert.Equal("ZnDraw.Storage.Contracts.StorageDataException", activities[1].StatusDescription); // never the message

        Assert.Equal(2, durations.Count);
        Assert.All(durations, d =>
        {
            Assert.True(d.Value >= 0);
            Assert.Equal("redis", d.Tags["db.system.name"]);
            Assert.False(d.Tags.ContainsKey("outcome"));
            Assert.False(d.Tags.ContainsKey("operation"));
        });
        Assert.False(durations[0].Tags.ContainsKey("error.type")); // a success carries no error.type
        Assert.Equal("ZnDraw.Storage.Contracts.StorageDataException", durations[1].Tags["error.type"]);
        Assert.Equal(3, durations[1].Tags.Count);

        var error = Assert.Single(errors);
        Assert.Equal("ZnDraw.Storage.Contracts.StorageDataException", error["error.type"]);
        Assert.Equal("redis", error["db.system.name"]);
        Assert.Equal(3, error.Count);
    }

    [Fact]
    public void Without_a_backend_the_operation_has_no_db_system_tag()
    {
        var operation = "test.op." + Guid.NewGuid().ToString("N");
        Activity? seen = null;
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ZnDrawStorageDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.OperationName == operation) { seen = a; } },
        };
        ActivitySource.AddActivityListener(activityListener);

        using (StorageOperation.Start(operation, dbSystem: null))
        {
        }

        Assert.NotNull(seen);
        Assert.Null(seen.GetTagItem("db.system.name"));
        Assert.Equal(operation, seen.GetTagItem("zndraw.storage.operation"));
    }

    [Fact]
    public void Without_listeners_nothing_is_started_or_allocated()
    {
        // No listener for this source or meter is registered in this test: no activity, no timestamp, no tags.
        var before = Activity.Current;
        using (StorageOperation.Start("test.quiet", DbSystem.Redis))
        {
            Assert.Same(before, Activity.Current);
        }

        var failure = new InvalidOperationException("quiet");
        RunQuietly(failure); // warm up (JIT, the type name cache)
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            RunQuietly(failure);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - allocated);
    }

    [Fact]
    public void The_backend_of_a_store_is_found_once_from_its_type()
    {
        var context = RoomTestSupport.Context(redis, Layouts.Space(Layouts.Prefixed));
        Assert.Equal("redis", DbSystem.Of(new RoomRepository(context)));
        Assert.Equal("redis", DbSystem.Of(new UserRepository(context)));
        Assert.Equal("redis", DbSystem.Of(new LockRepository(context)));
        Assert.Equal("postgresql", DbSystem.Of(new NamedStore(DbSystem.PostgreSql)));
        Assert.Null(DbSystem.Of(new object())); // a host's own store or a test double: no tag rather than a guess
        Assert.Null(DbSystem.Of(null));
    }

    // The pattern every service method uses: the filter records the failure, Dispose records the duration.
    private static void Fails(string operation, Exception exception)
    {
        using var op = StorageOperation.Start(operation, DbSystem.Redis);
        try
        {
            throw exception;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    // Start, a recorded failure and Dispose, without the throw (throwing allocates a stack trace of its own).
    private static void RunQuietly(Exception failure)
    {
        using var op = StorageOperation.Start("test.quiet", DbSystem.Redis);
        op.RecordFailure(failure);
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

    private sealed class NamedStore(string name) : IDbSystemNamed
    {
        public string DbSystemName => name;
    }
}
