using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using ZnDraw.Storage;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.OpenTelemetry.Tests;

/// <summary>
/// A service provider with ZnDraw.Storage on the test Redis (address from <c>ZNDRAW_REDIS</c>, which
/// <c>scripts/test.sh</c> sets), under a key prefix of its own so tests never see each other's keys.
/// </summary>
internal sealed class RedisStorage : IAsyncDisposable
{
    public const string EnvironmentVariable = "ZNDRAW_REDIS";

    private readonly ConnectionMultiplexer _connection;
    private readonly List<IHostedService> _started = [];

    private RedisStorage(ConnectionMultiplexer connection, ServiceProvider services, string keyPrefix)
    {
        _connection = connection;
        Services = services;
        KeyPrefix = keyPrefix;
    }

    public ServiceProvider Services { get; }

    /// <summary>The prefix of every key this store writes (so a test can play another writer).</summary>
    public string KeyPrefix { get; }

    /// <summary>The test Redis, for writes another writer would make.</summary>
    public IDatabase Database => _connection.GetDatabase();

    /// <summary>
    /// Connects and registers the library as a host would; <paramref name="history"/> adds a history sink (direct mode,
    /// or durable through the outbox and the dispatcher: <paramref name="durable"/>), <paramref name="reconcile"/> the
    /// background index reconciler (without keyspace notifications). Background work runs after <see cref="StartBackgroundAsync"/>.
    /// </summary>
    public static async Task<RedisStorage> StartAsync(bool history = false, bool durable = false, bool reconcile = false)
    {
        var address = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new InvalidOperationException(
                $"These tests need a Redis server, and {EnvironmentVariable} is not set. Run ./scripts/test.sh, or start one " +
                $"(redis-server --port 6390 --save '') and set {EnvironmentVariable}=127.0.0.1:6390.");
        }

        var options = ConfigurationOptions.Parse(address);
        options.AbortOnConnectFail = true;
        var connection = await ConnectionMultiplexer.ConnectAsync(options);
        var keyPrefix = NewId("otel") + ":";
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(connection);
        var storage = services.AddZnDrawStorage(o =>
        {
            o.KeyPrefix = keyPrefix;
            o.IndexReconciliation.Enabled = reconcile;
            o.IndexReconciliation.UseKeyspaceNotifications = false;
        });
        if (history)
        {
            var stream = keyPrefix + "history";
            storage.AddHistorySink<ProgrammableSink>().AddHistory(o =>
            {
                o.Mode = durable ? HistoryMode.Durable : HistoryMode.Direct;
                o.StreamKey = stream;
            });
        }

        return new RedisStorage(connection, services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), keyPrefix);
    }

    public static string NewId(string kind) => string.Create(CultureInfo.InvariantCulture, $"{kind}-{Guid.NewGuid():N}");

    /// <summary>Starts the registered background services (index reconciler, history dispatcher) as a host would.</summary>
    public async Task StartBackgroundAsync()
    {
        foreach (var service in Services.GetServices<IHostedService>())
        {
            await service.StartAsync(CancellationToken.None);
            _started.Add(service);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _started)
        {
            await service.StopAsync(CancellationToken.None);
        }

        await Services.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>A history sink that stores nothing and fails while <see cref="Fail"/> is set.</summary>
internal sealed class ProgrammableSink : IHistorySink
{
    public volatile bool Fail;

    public ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken) =>
        Fail ? throw new InvalidOperationException("The test sink is told to fail.") : ValueTask.CompletedTask;
}
