using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.OpenTelemetry.Tests;

/// <summary>
/// <see cref="ZnDrawStorageTracerProviderBuilderExtensions.AddZnDrawStorageInstrumentation"/> against a real Redis:
/// what an exporter receives for a successful and a failed operation.
/// </summary>
public sealed class TracingTests
{
    private static readonly ActivitySource Host = new("ZnDraw.Storage.OpenTelemetry.Tests.Host");

    [Fact]
    public async Task A_created_room_is_one_client_span_named_after_the_operation()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        await using var storage = await RedisStorage.StartAsync();
        var rooms = storage.Services.GetRequiredService<RoomService>();

        await rooms.CreateAsync(RedisStorage.NewId("room"), "made by the telemetry test");
        Assert.True(tracer.ForceFlush());

        var span = Assert.Single(spans);
        Assert.Equal("room.create", span.DisplayName);
        Assert.Equal(ZnDrawStorageDiagnostics.Name, span.Source.Name);
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal("success", span.GetTagItem("outcome"));
        Assert.Null(span.GetTagItem("error.type"));
        Assert.True(span.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_failed_operation_is_an_error_span_with_the_exception_type()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        await using var storage = await RedisStorage.StartAsync();
        var rooms = storage.Services.GetRequiredService<RoomService>();
        var roomId = RedisStorage.NewId("room");
        await rooms.CreateAsync(roomId);

        var thrown = await Assert.ThrowsAsync<RoomAlreadyExistsException>(() => rooms.CreateAsync(roomId).AsTask());
        Assert.True(tracer.ForceFlush());

        Assert.Equal(2, spans.Count);
        var failed = spans[1];
        Assert.Equal("room.create", failed.DisplayName);
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
        Assert.Equal(thrown.Message, failed.StatusDescription);
        Assert.Equal(nameof(RoomAlreadyExistsException), failed.GetTagItem("error.type"));
        Assert.Equal("failure", failed.GetTagItem("outcome"));
        Assert.Equal(ActivityStatusCode.Unset, spans[0].Status);
    }

    [Fact]
    public async Task A_storage_span_is_a_child_of_the_hosts_span()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(Host.Name)
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        await using var storage = await RedisStorage.StartAsync();
        var rooms = storage.Services.GetRequiredService<RoomService>();

        ActivitySpanId parentId;
        using (var request = Host.StartActivity("POST /rooms", ActivityKind.Server))
        {
            Assert.NotNull(request);
            parentId = request.SpanId;
            await rooms.CreateAsync(RedisStorage.NewId("room"));
            Assert.Null(await rooms.GetAsync(RedisStorage.NewId("missing")));
        }

        Assert.True(tracer.ForceFlush());
        var storageSpans = spans.Where(s => s.Source.Name == ZnDrawStorageDiagnostics.Name).ToList();
        Assert.Equal(["room.create", "room.get"], storageSpans.Select(s => s.DisplayName));
        Assert.All(storageSpans, s => Assert.Equal(parentId, s.ParentSpanId));
        Assert.Single(spans, s => s.DisplayName == "POST /rooms");
    }

    [Fact]
    public void Instrumentation_rejects_a_null_builder()
    {
        Assert.Throws<ArgumentNullException>("builder", () => ((TracerProviderBuilder)null!).AddZnDrawStorageInstrumentation());
    }
}
