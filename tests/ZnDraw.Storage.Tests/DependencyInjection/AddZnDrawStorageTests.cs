using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.DependencyInjection;

[Collection(RedisCollection.Name)]
public sealed class AddZnDrawStorageTests(RedisFixture redis)
{
    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    private static IHost BuildHost(Action<IServiceCollection> configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        configure(builder.Services);
        return builder.Build();
    }

    [Fact]
    public async Task Options_bound_from_json_reach_the_key_space_and_the_connection()
    {
        var config = Json($$"""
            { "ZnDrawStorage": {
                "ConnectionString": "{{redis.Address}}",
                "KeyPrefix": "app1:",
                "Layout": "ClusterSafe",
                "Database": 2,
                "Locks": { "DefaultTtl": "00:00:30" },
                "Passwords": { "Hashing": "ZnDrawSha256", "Pbkdf2Iterations": 700000 },
                "Replication": { "WaitForReplicas": 1, "Timeout": "00:00:00.250" } } }
            """);
        var services = new ServiceCollection();
        services.AddZnDrawStorage(config.GetSection(ZnDrawStorageOptions.DefaultSectionName));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var options = provider.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(30), options.Locks.DefaultTtl);
        Assert.Equal(PasswordHashing.ZnDrawSha256, options.Passwords.Hashing);
        Assert.Equal(700_000, options.Passwords.Pbkdf2Iterations);
        Assert.Equal(1, options.Replication.WaitForReplicas);
        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Replication.Timeout);

        var keys = provider.GetRequiredService<KeySpace>();
        Assert.Equal("app1:room:{r1}:current_frame", (string?)keys.Room("r1").CurrentFrame());

        var context = provider.GetRequiredService<RedisStoreContext>();
        Assert.Equal(2, context.Database.Database);
        Assert.Equal(1, context.Replicas?.Replicas);
        Assert.Equal(TimeSpan.FromMilliseconds(250), context.Replicas?.Timeout);
        Assert.True((await context.Database.PingAsync()) >= TimeSpan.Zero);
    }

    [Fact]
    public async Task Every_public_repository_and_service_resolves_from_a_validated_container()
    {
        var config = Json($$"""{ "ZnDrawStorage": { "ConnectionString": "{{redis.Address}}" } }""");
        var services = new ServiceCollection().AddLogging();
        services.AddZnDrawStorage(config.GetSection("ZnDrawStorage"));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });

        var contracts = typeof(ZnDrawRedisStore).Assembly.GetExportedTypes()
            .Where(t => (t.IsInterface && t.Namespace == "ZnDraw.Storage.Contracts" && !t.IsGenericType)
                || (t.IsClass && !t.IsAbstract && t.Namespace == "ZnDraw.Storage.Services" && t.Name.EndsWith("Service", StringComparison.Ordinal)))
            .ToList();
        Assert.Contains(typeof(IRoomRepository), contracts);
        Assert.All(contracts, t => Assert.NotNull(provider.GetService(t)));
        Assert.Same(provider.GetRequiredService<IRoomRepository>(), provider.GetRequiredService<ZnDrawRedisStore>().Rooms);
    }

    [Theory]
    [InlineData("\"Database\": 999", "Database")]
    [InlineData("\"Layout\": \"ClusterSafe\", \"KeyPrefix\": \"{app}:\"", "KeyPrefix")]
    [InlineData("\"Locks\": { \"DefaultTtl\": \"00:00:00\" }", "Locks.DefaultTtl")]
    [InlineData("\"Locks\": { \"PresenterTtl\": \"00:10:00\" }", "Locks.PresenterTtl")]
    [InlineData("\"Passwords\": { \"Pbkdf2Iterations\": 1000 }", "Passwords.Pbkdf2Iterations")]
    [InlineData("\"Passwords\": { \"Hashing\": 7 }", "Passwords.Hashing")]
    [InlineData("\"Replication\": { \"WaitForReplicas\": 17 }", "Replication.WaitForReplicas")]
    [InlineData("\"Replication\": { \"WaitForReplicas\": 1, \"Timeout\": \"00:00:00\" }", "Replication.Timeout")]
    [InlineData("\"Replication\": { \"Timeout\": \"00:00:11\" }", "Replication.Timeout")]
    public async Task An_invalid_setting_fails_host_start_naming_the_setting(string setting, string name)
    {
        var config = Json($$"""{ "ConnectionString": "{{redis.Address}}", {{setting}} }""");
        using var host = BuildHost(s => s.AddZnDrawStorage(config));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(name, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_connection_information_fails_host_start()
    {
        using var host = BuildHost(s => s.AddZnDrawStorage(_ => { }));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("ConnectionString", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_registered_multiplexer_is_reused_and_not_disposed()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(redis.Connection);
        services.AddZnDrawStorage(_ => { });
        using (var host = BuildHost(s =>
        {
            foreach (var d in services)
            {
                s.Add(d);
            }
        }))
        {
            await host.StartAsync();
            Assert.Same(redis.Connection, host.Services.GetRequiredService<RedisStoreContext>().Multiplexer);
            await host.StopAsync();
        }

        Assert.True(redis.Connection.IsConnected);
        Assert.True(await redis.Database.PingAsync() >= TimeSpan.Zero);
    }

    [Fact]
    public async Task An_own_multiplexer_connects_at_start_and_is_disposed_with_the_container()
    {
        IConnectionMultiplexer multiplexer;
        using (var host = BuildHost(s => s.AddZnDrawStorage(o => o.ConnectionString = redis.Address)))
        {
            await host.StartAsync();
            var connection = host.Services.GetRequiredService<ZnDrawConnection>();
            multiplexer = connection.Multiplexer;
            Assert.True(multiplexer.IsConnected);
            await host.StopAsync();
        }

        Assert.False(multiplexer.IsConnected);
    }

    [Fact]
    public async Task Health_check_is_healthy_against_the_test_server_and_unhealthy_against_a_closed_port()
    {
        await using var healthy = new ServiceCollection().AddLogging()
            .AddZnDrawStorage(o => o.ConnectionString = redis.Address).AddRedisHealthCheck().Services
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        var report = await healthy.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, report.Status);

        await using var unhealthy = new ServiceCollection().AddLogging()
            .AddZnDrawStorage(o => o.ConnectionString = "127.0.0.1:1,connectTimeout=300,abortConnect=true").AddRedisHealthCheck(timeout: TimeSpan.FromMilliseconds(500)).Services
            .BuildServiceProvider();
        var bad = await unhealthy.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, bad.Status);
    }
}
