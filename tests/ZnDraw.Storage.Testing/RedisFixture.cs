using System.Globalization;
using StackExchange.Redis;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// One connection to the test Redis for every integration test. The address comes from
/// <c>ZNDRAW_REDIS</c>, which <c>scripts/test.sh</c> sets after starting a throwaway server.
/// A missing address fails every test that touches <see cref="Connection"/> with the explanation (integration tests
/// are never silently skipped), while the tests of the same collection that need no server still run.
/// </summary>
public sealed class RedisFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "ZNDRAW_REDIS";

    private ConnectionMultiplexer? _connection;

    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException(
        $"Integration tests need a Redis server, and {EnvironmentVariable} is not set. " +
        "Run ./scripts/test.sh (it installs and starts a throwaway Redis and PostgreSQL), or start one yourself " +
        $"(redis-server --port 6390 --save '') and set {EnvironmentVariable}=127.0.0.1:6390.");

    public IDatabase Database => Connection.GetDatabase();

    public string Address { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Address = Environment.GetEnvironmentVariable(EnvironmentVariable) ?? string.Empty;
        if (string.IsNullOrWhiteSpace(Address))
        {
            return; // Connection throws the explanation when a test needs it
        }

        var options = ConfigurationOptions.Parse(Address);
        options.AllowAdmin = true; // INFO commandstats, CONFIG RESETSTAT for round-trip counting
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    /// <summary>A fresh id for one test, valid as a ZnDraw room id and as any other key segment.</summary>
    public static string NewId(string kind = "t") =>
        string.Create(CultureInfo.InvariantCulture, $"{kind}-{Guid.NewGuid():N}");
}
