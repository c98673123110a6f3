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
/// the instruments an exporter receives, with their units and tags. Names and tag keys are written out (not taken
/// from the library): they are API, and a renamed one must fail here.
/// </summary>
public sealed class MetricsTests
{
    [Fact]
    public async Task Operations_are_timed_in_seconds_with_the_backend_and_failures_marked_by_error_type()
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

        var duration = TelemetryAssert.Metric(exported, "zndraw.storage.operation.duration");
        Assert.Equal("s", duration.Unit);
        Assert.Equal(MetricType.Histogram, duration.MetricType);
        Assert.Equal(2, duration.MetricPoints.Count);
        var succeeded = TelemetryAssert.Point(duration, ("zndraw.storage.operation", "room.create"), ("db.system.name", "redis"));
        Assert.Equal(1, succeeded.GetHistogramCount());
        Assert.InRange(succeeded.GetHistogramSum(), double.Epsilon, 30); // seconds, not milliseconds or ticks
        var failed = TelemetryAssert.Point(
            duration,
            ("zndraw.storage.operation", "room.create"),
            ("db.system.name", "redis"),
            ("error.type", "ZnDraw.Storage.Services.RoomAlreadyExistsException"));
        Assert.Equal(1, failed.GetHistogramCount());

        var errors = TelemetryAssert.Metric(exported, "zndraw.storage.operation.errors");
        Assert.Equal("{error}", errors.Unit);
        Assert.Equal(MetricType.LongSum, errors.MetricType);
        var error = Assert.Single(errors.MetricPoints);
        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["zndraw.storage.operation"] = "room.create",
                ["db.system.name"] = "redis",
                ["error.type"] = "ZnDraw.Storage.Services.RoomAlreadyExistsException",
            },
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
        Assert.Equal(ZnDrawStorageDiagnostics.HistoryDeliveredInstrument, delivered.Name);
        Assert.Equal("{event}", delivered.Unit);
        Assert.Equal(MetricType.LongSum, delivered.MetricType);
        Assert.Equal(2, Assert.Single(delivered.MetricPoints).GetSumLong());
        var failures = TelemetryAssert.Metric(exported, "zndraw.storage.history.sink_failures");
        Assert.Equal(ZnDrawStorageDiagnostics.HistorySinkFailuresInstrument, failures.Name);
        Assert.Equal("{failure}", failures.Unit);
        Assert.Equal(1, Assert.Single(failures.MetricPoints).GetSumLong());
        Assert.Equal(3, TelemetryAssert.Point(
            TelemetryAssert.Metric(exported, "zndraw.storage.operation.duration"),
            ("zndraw.storage.operation", "room.create"),
            ("db.system.name", "redis")).GetHistogramCount());
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

        var reconciled = TelemetryAssert.Metric(exported, "zndraw.storage.index.reconciled");
        Assert.Equal("{entry}", reconciled.Unit);
        Assert.Equal(MetricType.LongSum, reconciled.MetricType);
        Assert.Equal(2, reconciled.MetricPoints.Count);
        Assert.Equal(1, TelemetryAssert.Point(reconciled, ("zndraw.storage.index", "rooms"), ("zndraw.storage.change", "added")).GetSumLong());
        Assert.Equal(1, TelemetryAssert.Point(reconciled, ("zndraw.storage.index", "rooms"), ("zndraw.storage.change", "removed")).GetSumLong());
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
        var unreadable = TelemetryAssert.Metric(exported, "zndraw.storage.unreadable");
        Assert.Equal("{entry}", unreadable.Unit);
        Assert.Equal(1, TelemetryAssert.Point(unreadable, ("zndraw.storage.aggregate", "room")).GetSumLong());
        Assert.Equal(1, TelemetryAssert.Point(
            TelemetryAssert.Metric(exported, "zndraw.storage.operation.duration"),
            ("zndraw.storage.operation", "room.list_details"),
            ("db.system.name", "redis")).GetHistogramCount());
    }

    [Fact]
    public void The_public_instrument_names_are_the_documented_ones()
    {
        Assert.Equal("zndraw.storage.operation.duration", ZnDrawStorageDiagnostics.OperationDurationInstrument);
        Assert.Equal("zndraw.storage.operation.errors", ZnDrawStorageDiagnostics.ErrorsInstrument);
        Assert.Equal("zndraw.storage.index.reconciled", ZnDrawStorageDiagnostics.IndexReconciledInstrument);
        Assert.Equal("zndraw.storage.unreadable", ZnDrawStorageDiagnostics.UnreadableInstrument);
        Assert.Equal("zndraw.storage.history.delivered", ZnDrawStorageDiagnostics.HistoryDeliveredInstrument);
        Assert.Equal("zndraw.storage.history.sink_failures", ZnDrawStorageDiagnostics.HistorySinkFailuresInstrument);
        Assert.Equal("zndraw.storage.history.outbox_failures", ZnDrawStorageDiagnostics.HistoryOutboxFailuresInstrument);
        Assert.Equal("zndraw.storage.history.poison_entries", ZnDrawStorageDiagnostics.HistoryPoisonEntriesInstrument);
        Assert.Equal("zndraw.storage.history.reclaimed", ZnDrawStorageDiagnostics.HistoryReclaimedInstrument);
    }

    [Fact]
    public void Instrumentation_rejects_a_null_builder()
    {
        Assert.Throws<ArgumentNullException>("builder", () => ((MeterProviderBuilder)null!).AddZnDrawStorageInstrumentation());
    }
}
