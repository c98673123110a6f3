using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.OpenTelemetry.Tests;

/// <summary>
/// The control: the same operations under providers that lack <c>AddZnDrawStorageInstrumentation()</c> export nothing
/// of the library, so the other tests' spans and metrics come from that call and nowhere else.
/// </summary>
public sealed class WithoutInstrumentationTests
{
    private static readonly ActivitySource HostSource = new("ZnDraw.Storage.OpenTelemetry.Tests.Control");
    private static readonly Meter HostMeter = new("ZnDraw.Storage.OpenTelemetry.Tests.Control");
    private static readonly Counter<long> HostRequests = HostMeter.CreateCounter<long>("control.requests");

    [Fact]
    public async Task Providers_without_the_instrumentation_receive_nothing_from_the_library()
    {
        var spans = new List<Activity>();
        var exported = new List<MetricSnapshot>();
        using var tracer = Sdk.CreateTracerProviderBuilder().AddSource(HostSource.Name).AddInMemoryExporter(spans).Build();
        using var meter = Sdk.CreateMeterProviderBuilder().AddMeter(HostMeter.Name).AddInMemoryExporter(exported).Build();
        await using var storage = await RedisStorage.StartAsync();
        var rooms = storage.Services.GetRequiredService<RoomService>();
        var roomId = RedisStorage.NewId("room");

        using (HostSource.StartActivity("host work"))
        {
            HostRequests.Add(1);
            await rooms.CreateAsync(roomId);
            await Assert.ThrowsAsync<RoomAlreadyExistsException>(() => rooms.CreateAsync(roomId).AsTask());
        }

        Assert.True(tracer.ForceFlush());
        Assert.True(meter.ForceFlush());

        // The providers work (the host's own telemetry arrives) but carry nothing of ZnDraw.Storage.
        Assert.Equal("host work", Assert.Single(spans).DisplayName);
        Assert.Equal("control.requests", Assert.Single(exported).Name);
    }
}
