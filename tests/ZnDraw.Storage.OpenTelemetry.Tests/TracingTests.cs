using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.OpenTelemetry.Tests;

/// <summary>
/// <see cref="ZnDrawStorageTracerProviderBuilderExtensions.AddZnDrawStorageInstrumentation"/> against a real Redis:
/// what an exporter receives for a successful and a failed operation, and for the background work. The tag keys are
/// written out (not taken from the library): they are API, dashboards depend on them, and a renamed key must fail here.
/// </summary>
public sealed class TracingTests
{
    private static readonly ActivitySource Host = new("ZnDraw.Storage.OpenTelemetry.Tests.Host");

    [Fact]
    public async Task A_created_room_is_one_internal_span_named_after_the_operation_on_redis()
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
        Assert.Equal(ActivityKind.Internal, span.Kind); // the Redis commands under it are the client spans
        Assert.Equal(ActivityStatusCode.Unset, span.Status);
        Assert.Equal(
            new Dictionary<string, object?> { ["zndraw.storage.operation"] = "room.create", ["db.system.name"] = "redis" },
            span.TagObjects.ToDictionary(t => t.Key, t => t.Value)); // no error.type, no outcome
        Assert.Empty(span.Events);
        Assert.True(span.Duration > TimeSpan.Zero);
    }

    [Fact]
    public async Task A_failed_operation_is_an_error_span_with_the_full_exception_type_and_not_its_message()
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
        Assert.Equal("ZnDraw.Storage.Services.RoomAlreadyExistsException", failed.StatusDescription);
        Assert.Contains(roomId, thrown.Message, StringComparison.Ordinal); // the message names the room...
        Assert.DoesNotContain(failed.Events, e => e.Name == "exception"); // ...and is exported nowhere
        Assert.Equal(
            new Dictionary<string, object?>
            {
                ["zndraw.storage.operation"] = "room.create",
                ["db.system.name"] = "redis",
                ["error.type"] = "ZnDraw.Storage.Services.RoomAlreadyExistsException",
            },
            failed.TagObjects.ToDictionary(t => t.Key, t => t.Value));
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
    public async Task A_background_reconciliation_pass_is_a_root_span_of_its_own()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(Host.Name)
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        await using var storage = await RedisStorage.StartAsync(reconcile: true);

        using (Host.StartActivity("host start")) // what started the host is not the parent of the passes
        {
            await storage.StartBackgroundAsync();
        }

        var pass = await WaitForAsync(tracer, spans, "index.reconcile");
        Assert.Equal(ActivityKind.Internal, pass.Kind);
        Assert.Equal(default, pass.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, pass.Status);
        Assert.Equal("redis", pass.GetTagItem("db.system.name"));
        Assert.Equal("index.reconcile", pass.GetTagItem("zndraw.storage.operation"));
    }

    [Fact]
    public async Task While_Redis_is_unreachable_the_reconciler_waits_without_opening_a_pass()
    {
        // A listener sees spans when they start (an exporter only when they end: a pass stuck in its wait would never
        // reach one), so a pass opened before the wait for Redis shows here.
        int started = 0;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ZnDrawStorageDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStarted = activity =>
            {
                if (activity.OperationName == "index.reconcile")
                {
                    Interlocked.Increment(ref started);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        var services = new ServiceCollection();
        services.AddZnDrawStorage(o =>
        {
            o.ConnectionString = $"127.0.0.1:{FreePort()},connectTimeout=200";
            o.AbortOnConnectFail = false;
            o.KeyPrefix = RedisStorage.NewId("unreachable") + ":";
            o.IndexReconciliation.Enabled = true;
            o.IndexReconciliation.UseKeyspaceNotifications = false;
        });
        await using ServiceProvider provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5)); // several connect attempts
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.Equal(0, Volatile.Read(ref started));
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        socket.Start();
        return ((System.Net.IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task A_history_batch_delivered_by_the_dispatcher_is_a_root_span_of_its_own()
    {
        var spans = new List<Activity>();
        using var tracer = Sdk.CreateTracerProviderBuilder()
            .AddSource(Host.Name)
            .AddZnDrawStorageInstrumentation()
            .AddInMemoryExporter(spans)
            .Build();
        await using var storage = await RedisStorage.StartAsync(history: true, durable: true);
        using (Host.StartActivity("host start"))
        {
            await storage.StartBackgroundAsync();
        }

        var rooms = storage.Services.GetRequiredService<RoomService>();

        using (Host.StartActivity("POST /rooms"))
        {
            await rooms.CreateAsync(RedisStorage.NewId("room")); // its event goes through the outbox
        }

        var batch = await WaitForAsync(tracer, spans, "history.deliver");
        Assert.Equal(ActivityKind.Internal, batch.Kind);
        Assert.Equal(default, batch.ParentSpanId);
        Assert.Equal(ActivityStatusCode.Unset, batch.Status);
        Assert.Equal("history.deliver", batch.GetTagItem("zndraw.storage.operation"));
        Assert.Null(batch.GetTagItem("db.system.name")); // the test's own sink: no backend is guessed
    }

    [Fact]
    public void Instrumentation_rejects_a_null_builder()
    {
        Assert.Throws<ArgumentNullException>("builder", () => ((TracerProviderBuilder)null!).AddZnDrawStorageInstrumentation());
    }

    /// <summary>The first exported span named <paramref name="name"/>, waiting up to ten seconds for background work.</summary>
    private static async Task<Activity> WaitForAsync(TracerProvider tracer, List<Activity> spans, string name)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            Assert.True(tracer.ForceFlush());
            for (int i = 0, count = spans.Count; i < count; i++) // the exporter appends from the background thread
            {
                if (spans[i].DisplayName == name)
                {
                    return spans[i];
                }
            }
        }

        throw new Xunit.Sdk.XunitException($"No span '{name}' within ten seconds ({spans.Count} other spans exported).");
    }
}
