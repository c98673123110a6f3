using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using ZnDraw.Storage.Redis;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// The TLS test Redis (<c>ZNDRAW_REDIS_TLS</c>, <c>svc_start_redis_tls</c>) reached through the library's own TLS
/// connection (<see cref="ZnDrawStorageOptions.Tls"/> with the throwaway CA of <c>ZNDRAW_TLS_DIR</c>), so every store
/// made by <see cref="Stores"/> runs its calls over TLS.
/// </summary>
public sealed class RedisTlsFixture : IAsyncLifetime
{
    /// <summary>The TLS endpoint, <c>127.0.0.1:port</c>.</summary>
    public const string EnvironmentVariable = "ZNDRAW_REDIS_TLS";

    /// <summary>The folder of the throwaway CA and certificates (<c>svc_make_test_ca</c>).</summary>
    public const string DirectoryVariable = "ZNDRAW_TLS_DIR";

    private ServiceProvider? _provider;
    private IConnectionMultiplexer? _connection;

    /// <summary>The library's TLS multiplexer.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw Missing();

    /// <summary>The TLS endpoint.</summary>
    public string Address { get; private set; } = string.Empty;

    /// <summary>The certificate folder.</summary>
    public string Directory { get; private set; } = string.Empty;

    /// <summary>A file of the certificate folder, e.g. <c>ca.crt</c>.</summary>
    public string File(string name) => Path.Combine(Directory.Length > 0 ? Directory : throw Missing(), name);

    /// <summary>Stores with a fresh prefix each, on the TLS connection.</summary>
    public IStoreFactory Stores => new TlsStoreFactory(this);

    public async Task InitializeAsync()
    {
        Address = Environment.GetEnvironmentVariable(EnvironmentVariable) ?? string.Empty;
        Directory = Environment.GetEnvironmentVariable(DirectoryVariable) ?? string.Empty;
        if (string.IsNullOrWhiteSpace(Address) || string.IsNullOrWhiteSpace(Directory))
        {
            return; // Connection throws the explanation when a test needs it
        }

        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddZnDrawStorage(o =>
        {
            o.ConnectionString = Address;
            o.Tls.Enabled = true;
            o.Tls.CaCertificatePath = File("ca.crt");
            o.IndexReconciliation.Enabled = false;
        });
        _provider = services.BuildServiceProvider();
        _ = _provider.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value; // validation
        var connection = _provider.GetRequiredService<ZnDrawConnection>();
        await connection.ConnectAsync(CancellationToken.None);
        _connection = connection.Multiplexer;
    }

    public async Task DisposeAsync()
    {
        if (_provider is not null)
        {
            await _provider.DisposeAsync();
        }
    }

    private static InvalidOperationException Missing() => new(
        $"TLS tests need a Redis with TLS and its test CA, and {EnvironmentVariable} or {DirectoryVariable} is not set. " +
        "Run ./scripts/test.sh (svc_start_redis_tls in scripts/services.sh makes a throwaway CA and starts one).");

    private sealed class TlsStoreFactory(RedisTlsFixture fixture) : IStoreFactory
    {
        public string Name => "redis-tls";

        public StoreCapabilities Capabilities { get; } = new(SharesKeySpaceWithOtherTests: false, ListingsAtomicWithWrites: true);

        public Task<TestStore> CreateAsync(FakeTimeProvider? time = null, Action<ZnDrawStorageOptions>? configure = null)
        {
            time ??= new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
            var services = new ServiceCollection();
            services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
            services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
            services.AddSingleton(fixture.Connection);
            services.AddSingleton<TimeProvider>(time);
            services.AddZnDrawStorage(o =>
            {
                o.KeyPrefix = string.Create(CultureInfo.InvariantCulture, $"t{Guid.NewGuid():N}:");
                o.IndexReconciliation.Enabled = false;
                configure?.Invoke(o);
            });
            var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
            return Task.FromResult(new TestStore(provider, time, Name));
        }

        public override string ToString() => Name;
    }
}
