using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.OpenTelemetry.Tests;

/// <summary>
/// <see cref="ZnDrawStorageMeterProviderBuilderExtensions.AddZnDrawStorageInstrumentation"/> against a real Redis:
/// the instruments an exporter receives, with their units and tags.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Operations_are_timed_in_seconds_and_failures_counted_by_exception_type()
    {
        var exported = new List<MetricSnapshot>();
        using var meter = Sdk.CreateMeterProviderBuilder()
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
        await using var storage = await RedisStorage.StartAsync();
        var rooms = storage.Services.GetRequiredService<RoomService>();
        var roomId = RedisStorage.NewId("room");

        await rooms.CreateAsync(roomId);
        await Assert.ThrowsAsync<RoomAlreadyExistsException>(() => rooms.CreateAsync(roomId).AsTask());
        Assert.True(meter.ForceFlush());

        var duration = TelemetryAssert.Metric(exported, ZnDrawStorageDiagnostics.OperationDurationInstrument);
        Assert.Equal("s", duration.Unit);
        Assert.Equal(MetricType.Histogram, duration.MetricType);
        Assert.Equal(2, duration.MetricPoints.Count);
        var succeeded = TelemetryAssert.Point(duration, ("operation", "room.create"), ("outcome", "success"));
        Assert.Equal(1, succeeded.GetHistogramCount());
        Assert.InRange(succeeded.GetHistogramSum(), double.Epsilon, 30); // seconds, not milliseconds or ticks
        var failed = TelemetryAssert.Point(duration, ("operation", "room.create"), ("outcome", "failure"));
        Assert.Equal(1, failed.GetHistogramCount());

        var errors = TelemetryAssert.Metric(exported, ZnDrawStorageDiagnostics.ErrorsInstrument);
        Assert.Equal("{error}", errors.Unit);
        Assert.Equal(MetricType.LongSum, errors.MetricType);
        var error = Assert.Single(errors.MetricPoints);
        Assert.Equal(
            new Dictionary<string, object?> { ["operation"] = "room.create", ["error.type"] = nameof(RoomAlreadyExistsException) },
            TelemetryAssert.Tags(error));
        Assert.Equal(1, error.GetSumLong());
    }

    [Fact]
    public async Task History_deliveries_and_sink_failures_are_counted()
    {
        var exported = new List<MetricSnapshot>();
        using var meter = Sdk.CreateMeterProviderBuilder()
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
        await using var storage = await RedisStorage.StartAsync(history: true);
        var rooms = storage.Services.GetRequiredService<RoomService>();
        var sink = Assert.IsType<ProgrammableSink>(storage.Services.GetRequiredService<IHistorySink>());

        await rooms.CreateAsync(RedisStorage.NewId("room"));
        await rooms.CreateAsync(RedisStorage.NewId("room"));
        sink.Fail = true;
        await rooms.CreateAsync(RedisStorage.NewId("room")); // the room is created; its history event is lost and counted
        Assert.True(meter.ForceFlush());

        var delivered = TelemetryAssert.Metric(exported, "zndraw.storage.history.delivered");
        Assert.Equal("{event}", delivered.Unit);
        Assert.Equal(MetricType.LongSum, delivered.MetricType);
        Assert.Equal(2, Assert.Single(delivered.MetricPoints).GetSumLong());
        var failures = TelemetryAssert.Metric(exported, "zndraw.storage.history.sink_failures");
        Assert.Equal("{failure}", failures.Unit);
        Assert.Equal(1, Assert.Single(failures.MetricPoints).GetSumLong());
        Assert.Equal(3, TelemetryAssert.Point(
            TelemetryAssert.Metric(exported, ZnDrawStorageDiagnostics.OperationDurationInstrument),
            ("operation", "room.create"),
            ("outcome", "success")).GetHistogramCount());
    }

    [Fact]
    public async Task Index_entries_fixed_by_a_reindex_are_counted_by_index_and_change()
    {
        var exported = new List<MetricSnapshot>();
        using var meter = Sdk.CreateMeterProviderBuilder()
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
        await using var storage = await RedisStorage.StartAsync();
        // Another writer (ZnDraw's Python server writes no index) created one room; a room in the index is gone.
        await storage.Database.StringSetAsync($"{storage.KeyPrefix}room:{RedisStorage.NewId("written-elsewhere")}:current_frame", 0);
        await storage.Database.SetAddAsync($"{storage.KeyPrefix}rooms:index", RedisStorage.NewId("deleted-elsewhere"));

        await storage.Services.GetRequiredService<IIndexMaintenance>().ReindexAsync();
        Assert.True(meter.ForceFlush());

        var reconciled = TelemetryAssert.Metric(exported, ZnDrawStorageDiagnostics.IndexReconciledInstrument);
        Assert.Equal("{entry}", reconciled.Unit);
        Assert.Equal(MetricType.LongSum, reconciled.MetricType);
        Assert.Equal(2, reconciled.MetricPoints.Count);
        Assert.Equal(1, TelemetryAssert.Point(reconciled, ("index", "rooms"), ("change", "added")).GetSumLong());
        Assert.Equal(1, TelemetryAssert.Point(reconciled, ("index", "rooms"), ("change", "removed")).GetSumLong());
    }

    [Fact]
    public async Task A_listing_that_skips_an_unreadable_room_counts_it()
    {
        var exported = new List<MetricSnapshot>();
        using var meter = Sdk.CreateMeterProviderBuilder()
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(exported)
            .Build();
        await using var storage = await RedisStorage.StartAsync();
        var rooms = storage.Services.GetRequiredService<RoomService>();
        var readable = RedisStorage.NewId("room");
        var broken = RedisStorage.NewId("room");
        await rooms.CreateAsync(readable);
        await rooms.CreateAsync(broken);
        // The frame list of a room is a sorted set; a string there makes the room unreadable.
        await storage.Database.StringSetAsync($"{storage.KeyPrefix}room:{broken}:trajectory:indices", "not a sorted set");

        var listed = await rooms.ListDetailsAsync();
        Assert.True(meter.ForceFlush());

        Assert.Equal(readable, Assert.Single(listed).Id);
        var unreadable = TelemetryAssert.Metric(exported, ZnDrawStorageDiagnostics.UnreadableInstrument);
        Assert.Equal("{entry}", unreadable.Unit);
        Assert.Equal(1, TelemetryAssert.Point(unreadable, ("aggregate", "room")).GetSumLong());
        Assert.Equal(1, TelemetryAssert.Point(
            TelemetryAssert.Metric(exported, ZnDrawStorageDiagnostics.OperationDurationInstrument),
            ("operation", "room.list_details"),
            ("outcome", "success")).GetHistogramCount());
    }

    [Fact]
    public void Instrumentation_rejects_a_null_builder()
    {
        Assert.Throws<ArgumentNullException>("builder", () => ((MeterProviderBuilder)null!).AddZnDrawStorageInstrumentation());
    }
}
