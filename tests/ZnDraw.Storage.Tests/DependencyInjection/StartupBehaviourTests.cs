using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.DependencyInjection;

/// <summary>
/// What a host sees at start: a connection string without endpoints is refused by validation naming the setting; an
/// unreachable Redis fails start naming the endpoint and the setting (fail-fast, the default); with
/// <c>AbortOnConnectFail = false</c> the host starts without Redis, logs one warning, is unhealthy, and recovers by
/// itself when a redis-server (a child process of the test, on a free port) comes up. No message carries the password.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class StartupBehaviourTests(RedisFixture redis)
{
    private const string Password = "pw-StartupBehaviourTests-9c1e";
    private const int StartedWithoutRedis = 3700;
    private const int Restored = 3702;

    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static HostApplicationBuilder NewBuilder(string json, FakeLoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Json(json));
        if (logs is not null)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
        }

        return builder;
    }

    [Theory]
    [InlineData("127.0.0.1:notaport", "names no Redis endpoint (entry 1 of 1 is neither host:port")]
    [InlineData(",,,", "names no Redis endpoint (the value holds no entries)")]
    [InlineData("", "required")] // configuration reads "" as absent
    [InlineData("   ", "is empty")]
    [InlineData("password=" + Password, "names no Redis endpoint")]
    [InlineData("127.0.0.1:6379,localhost:notaport,password=" + Password, "entry 2 of 3 is neither host:port")]
    [InlineData("127.0.0.1:70000,password=" + Password, "is not a valid StackExchange.Redis configuration string")]
    [InlineData("127.0.0.1:6379,connectTimeout=soon,password=" + Password, "is not a valid StackExchange.Redis configuration string")]
    public async Task A_connection_string_without_usable_endpoints_fails_validation_naming_the_setting(string value, string problem)
    {
        using var host = NewBuilder($$"""{ "ZnDrawStorage": { "ConnectionString": "{{value}}" } }""")
            .Also(b => b.Services.AddZnDrawStorage(b.Configuration.GetSection("ZnDrawStorage")))
            .Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ZnDrawStorage:ConnectionString: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_connection_string_from_ConnectionStrings_is_named_as_such()
    {
        using var host = NewBuilder("""{ "ConnectionStrings": { "redis": "127.0.0.1:notaport" } }""")
            .Also(b => b.AddZnDrawStorage("redis"))
            .Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:redis: names no Redis endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_string_set_in_code_is_named_as_the_property()
    {
        using var host = NewBuilder("{}").Also(b => b.Services.AddZnDrawStorage(o => o.ConnectionString = ",")).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ZnDrawStorageOptions.ConnectionString: names no Redis endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_RedisConfiguration_without_endpoints_fails_validation()
    {
        using var host = NewBuilder("{}").Also(b => b.Services.AddZnDrawStorage(o => o.RedisConfiguration = new ConfigurationOptions())).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ZnDrawStorageOptions.RedisConfiguration: names no Redis endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_connection_string_names_both_places_it_may_come_from()
    {
        using var host = NewBuilder("""{ "ZnDrawStorage": { "KeyPrefix": "app:" } }""").Also(b => b.AddZnDrawStorage("redis")).Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("ConnectionStrings:redis or ZnDrawStorage:ConnectionString: required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectionStrings_wins_over_the_section_and_configure_runs_last()
    {
        string prefix = RedisFixture.NewId("cs") + ":";
        using var host = NewBuilder($$"""
            { "ConnectionStrings": { "redis": "{{redis.Address}}" },
              "ZnDrawStorage": { "ConnectionString": "127.0.0.1:1", "KeyPrefix": "from-section:", "Database": 3,
                                 "IndexReconciliation": { "Enabled": false } } }
            """)
            .Also(b => b.AddZnDrawStorage("redis", o => o.KeyPrefix = prefix))
            .Build();
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
        Assert.Equal(redis.Address, options.ConnectionString);
        Assert.Equal(prefix, options.KeyPrefix);
        Assert.Equal(3, options.Database);
        Assert.True(options.AbortOnConnectFail);
        var rooms = host.Services.GetRequiredService<IRoomRepository>();
        Assert.False(await rooms.ExistsAsync(RedisFixture.NewId("room")));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_section_connection_string_is_used_when_ConnectionStrings_lacks_the_name()
    {
        using var host = NewBuilder($$"""{ "ZnDrawStorage": { "ConnectionString": "{{redis.Address}}", "IndexReconciliation": { "Enabled": false } } }""")
            .Also(b => b.AddZnDrawStorage("redis"))
            .Build();
        await host.StartAsync();

        Assert.Equal(redis.Address, host.Services.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value.ConnectionString);
        Assert.False(await host.Services.GetRequiredService<IRoomRepository>().ExistsAsync(RedisFixture.NewId("room")));
        await host.StopAsync();
    }

    [Fact]
    public async Task An_unreachable_Redis_fails_host_start_naming_the_endpoint_and_the_setting()
    {
        int port = OwnRedisServer.FreePort();
        using var host = NewBuilder($$"""{ "ZnDrawStorage": { "ConnectionString": "127.0.0.1:{{port}},connectTimeout=500,password={{Password}}" } }""")
            .Also(b => b.Services.AddZnDrawStorage(b.Configuration.GetSection("ZnDrawStorage")))
            .Build();
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"start failed after {clock.Elapsed}");
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ZnDrawStorage:ConnectionString", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ZnDrawStorage:AbortOnConnectFail", ex.Message, StringComparison.Ordinal);
        Assert.IsType<RedisConnectionException>(ex.InnerException);
        Assert.DoesNotContain(Password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_abortConnect_in_the_connection_string_wins_over_the_option()
    {
        int port = OwnRedisServer.FreePort();
        using var host = NewBuilder($$"""{ "ConnectionStrings": { "redis": "127.0.0.1:{{port}},connectTimeout=300,abortConnect=true" }, "ZnDrawStorage": { "AbortOnConnectFail": false } }""")
            .Also(b => b.AddZnDrawStorage("redis"))
            .Build();

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

        Assert.Contains("set abortConnect=false in ConnectionStrings:redis", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_AbortOnConnectFail_the_host_starts_without_Redis_warns_once_and_recovers_when_it_comes()
    {
        int port = OwnRedisServer.FreePort();
        using var logs = new FakeLoggerProvider();
        var sink = new ZnDraw.Storage.Tests.Services.Rooms.CollectingSink();
        using var host = NewBuilder(
                $$"""
                { "ConnectionStrings": { "redis": "127.0.0.1:{{port}},connectTimeout=1000,password={{Password}}" },
                  "ZnDrawStorage": { "AbortOnConnectFail": false, "KeyPrefix": "{{RedisFixture.NewId("down")}}:",
                                     "IndexReconciliation": { "Interval": "00:00:01", "UseKeyspaceNotifications": false } } }
                """,
                logs)
            .Also(b =>
            {
                // Durable history over the library's own connection: its dispatcher waits for Redis too.
                b.AddZnDrawStorage("redis").AddRedisHealthCheck(timeout: TimeSpan.FromSeconds(1))
                    .AddHistory(o => o.Mode = HistoryMode.Durable);
                b.Services.AddSingleton<IHistorySink>(sink);
            })
            .Build();

        var clock = Stopwatch.StartNew();
        await host.StartAsync();
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"start took {clock.Elapsed}");

        var health = host.Services.GetRequiredService<HealthCheckService>();
        HealthReport down = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Assert.Contains($"127.0.0.1:{port}", down.Entries["zndraw-redis"].Description, StringComparison.Ordinal);
        var rooms = host.Services.GetRequiredService<IRoomRepository>();
        await Assert.ThrowsAsync<StorageUnavailableException>(() => rooms.ExistsAsync("r1").AsTask());

        // Let the reconciler (every second) and StackExchange.Redis' reconnects run against the closed port for a while.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var early = logs.Collector.GetSnapshot().Where(LibraryWarning).ToList();
        Assert.True(early.Count == 1, string.Join(Environment.NewLine, early.Select(w => $"{w.Id} {w.Category}: {w.Message} {w.Exception?.Message}")));
        FakeLogRecord warning = early[0];
        Assert.Equal(StartedWithoutRedis, warning.Id.Id);
        Assert.Contains($"127.0.0.1:{port}", warning.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings:redis", warning.Message, StringComparison.Ordinal);

        await using var server = await OwnRedisServer.StartAsync(port, Password);
        var bound = Stopwatch.StartNew();
        HealthReport report = await health.CheckHealthAsync();
        while (report.Status != HealthStatus.Healthy)
        {
            Assert.True(bound.Elapsed < TimeSpan.FromSeconds(30), $"still {report.Status} 30 s after Redis came: {report.Entries["zndraw-redis"].Description}");
            await Task.Delay(200);
            report = await health.CheckHealthAsync();
        }

        await host.Services.GetRequiredService<ZnDraw.Storage.Services.RoomService>().CreateAsync("r1");
        Assert.True(await rooms.ExistsAsync("r1"));
        var delivered = Stopwatch.StartNew();
        while (sink.Events.Count == 0)
        {
            Assert.True(delivered.Elapsed < TimeSpan.FromSeconds(10), "the durable history event did not reach the sink within 10 s");
            await Task.Delay(50);
        }

        Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested);
        await host.StopAsync();

        var records = logs.Collector.GetSnapshot();
        var warnings = records.Where(LibraryWarning).ToList();
        Assert.True(warnings.Count == 1, string.Join(Environment.NewLine, warnings.Select(w => $"{w.Id} {w.Category}: {w.Message} {w.Exception?.Message}")));
        Assert.Contains(records, r => r.Id.Id == Restored);
        Assert.All(records, r => Assert.DoesNotContain(Password, r.Message + r.Exception, StringComparison.Ordinal));
    }

    /// <summary>A warning or worse of the library (the health check service logs each unhealthy report itself).</summary>
    private static bool LibraryWarning(FakeLogRecord record) =>
        record.Level >= LogLevel.Warning && record.Category?.StartsWith("ZnDraw.Storage", StringComparison.Ordinal) == true;
}

/// <summary>Small helpers that keep the host set-up of these tests on one line.</summary>
internal static class HostBuilderTestExtensions
{
    public static HostApplicationBuilder Also(this HostApplicationBuilder builder, Action<HostApplicationBuilder> configure)
    {
        configure(builder);
        return builder;
    }
}
