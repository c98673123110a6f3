using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Diagnostics;

/// <summary>
/// A service call is one <c>ZnDraw.Storage</c> operation: its activity and metrics say success or failure, and a
/// failure leaves the call as the service threw it (the <see cref="StorageOperation.RecordFailure"/> catch filter).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class ServiceOperationTests : IDisposable
{
    // Created before the listener (a field initializer), so that the listener sees it; the parent of each call.
    private readonly ActivitySource _testSource = new("ZnDraw.Storage.Tests.ServiceOperation");
    private readonly ConcurrentBag<Activity> _activities = [];
    private readonly ConcurrentBag<(string Operation, string ErrorType)> _errors = [];
    private readonly ActivityListener _activityListener;
    private readonly MeterListener _meterListener = new();
    private readonly RedisFixture _redis;

    public ServiceOperationTests(RedisFixture redis)
    {
        _redis = redis;
        _activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == ZnDrawStorageDiagnostics.Name || s == _testSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.Source.Name == ZnDrawStorageDiagnostics.Name) { _activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(_activityListener);
        _meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == ZnDrawStorageDiagnostics.Name && instrument.Name == ZnDrawStorageDiagnostics.ErrorsInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meterListener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? operation = null, errorType = null;
            foreach (var tag in tags)
            {
                if (tag.Key == "zndraw.storage.operation") { operation = tag.Value as string; }
                if (tag.Key == "error.type") { errorType = tag.Value as string; }
            }

            _errors.Add((operation!, errorType!));
        });
        _meterListener.Start();
    }

    public void Dispose()
    {
        _meterListener.Dispose();
        _activityListener.Dispose();
        _testSource.Dispose();
    }

    [Fact]
    public async Task A_failing_room_call_is_a_failed_operation_and_throws_what_the_service_threw()
    {
        var rooms = Rooms();
        var missing = RedisFixture.NewId("room");

        using (var parent = _testSource.StartActivity("test"))
        {
            var thrown = await Assert.ThrowsAsync<RoomNotFoundException>(() => rooms.LockAsync(missing).AsTask());
            Assert.Equal(missing, thrown.RoomId);
            var op = Assert.Single(_activities, a => a.ParentSpanId == parent!.SpanId);
            Assert.Equal("room.lock", op.OperationName);
            Assert.Equal(ActivityStatusCode.Error, op.Status);
            Assert.Equal(ActivityKind.Internal, op.Kind);
            Assert.Equal("redis", op.GetTagItem("db.system.name"));
            Assert.Equal(typeof(RoomNotFoundException).FullName, op.GetTagItem("error.type"));
            Assert.Equal(typeof(RoomNotFoundException).FullName, op.StatusDescription); // not the message: it names the room
            Assert.DoesNotContain(missing, op.StatusDescription, StringComparison.Ordinal);
        }

        Assert.Contains(("room.lock", "ZnDraw.Storage.Services.RoomNotFoundException"), _errors);
    }

    [Fact]
    public async Task A_succeeding_room_call_is_a_successful_operation()
    {
        var rooms = Rooms();
        var id = RedisFixture.NewId("room");
        await rooms.CreateAsync(id);

        using var parent = _testSource.StartActivity("test");
        await rooms.LockAsync(id);
        var op = Assert.Single(_activities, a => a.ParentSpanId == parent!.SpanId);
        Assert.Equal("room.lock", op.OperationName);
        Assert.Equal(ActivityStatusCode.Unset, op.Status);
        Assert.Equal(ActivityKind.Internal, op.Kind);
        Assert.Equal("redis", op.GetTagItem("db.system.name"));
        Assert.Equal("room.lock", op.GetTagItem("zndraw.storage.operation"));
        Assert.Null(op.GetTagItem("error.type"));
        Assert.Null(op.GetTagItem("outcome"));
    }

    [Fact]
    public async Task A_failing_user_call_is_a_failed_operation()
    {
        var users = new UserService(
            new UserRepository(RoomTestSupport.Context(_redis, Layouts.Space(Layouts.Prefixed))),
            Options.Create(new ZnDrawStorageOptions()),
            NullLogger<UserService>.Instance);

        using var parent = _testSource.StartActivity("test");
        var thrown = await Assert.ThrowsAsync<UserOperationException>(async () => await users.ResetPasswordAsync(RedisFixture.NewId("user"), "secret"));
        Assert.Equal(UserOperationError.UserNotFound, thrown.Error);
        var op = Assert.Single(_activities, a => a.ParentSpanId == parent!.SpanId);
        Assert.Equal("user.reset_password", op.OperationName);
        Assert.Equal(ActivityStatusCode.Error, op.Status);
        Assert.Equal(typeof(UserOperationException).FullName, op.GetTagItem("error.type"));
        Assert.Equal("redis", op.GetTagItem("db.system.name"));
    }

    private RoomService Rooms()
    {
        var space = Layouts.Space(Layouts.Prefixed);
        var context = RoomTestSupport.Context(_redis, space);
        return new RoomService(
            new RoomRepository(context),
            new SettingsRepository(context),
            new UserRepository(context),
            Options.Create(new ZnDrawStorageOptions { Layout = space.Layout }),
            null,
            HistoryRecorder.Disabled);
    }
}
