using StackExchange.Redis;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// A connection to the throwaway Redis Cluster that <c>scripts/test.sh</c> starts, for the tests that
/// back the cluster-safe layout's claims. The seed nodes come from <c>ZNDRAW_REDIS_CLUSTER</c>
/// (<c>host:port,host:port,...</c>); a missing address fails every test that touches <see cref="Connection"/> with
/// instructions (the kit's server fixtures all fail on use, not on start).
/// </summary>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "ZNDRAW_REDIS_CLUSTER";

    private ConnectionMultiplexer? _connection;

    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException(
        $"Cluster tests need a Redis Cluster, and {EnvironmentVariable} is not set. Run ./scripts/test.sh " +
        "(it starts a throwaway 3-node cluster), or create one and set " +
        $"{EnvironmentVariable}=127.0.0.1:7000,127.0.0.1:7001,127.0.0.1:7002.");

    public IDatabase Database => Connection.GetDatabase();

    public async Task InitializeAsync()
    {
        var address = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(address))
        {
            return; // Connection throws the explanation when a test needs it
        }

        var options = ConfigurationOptions.Parse(address);
        options.AllowAdmin = true; // CLUSTER KEYSLOT
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = 5000;
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
        if (_connection.GetServers().All(s => s.ServerType != ServerType.Cluster))
        {
            throw new InvalidOperationException($"{EnvironmentVariable}={address} is not a Redis Cluster.");
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    /// <summary>The slot the cluster itself computes for <paramref name="key"/> (<c>CLUSTER KEYSLOT</c>).</summary>
    public async Task<int> KeySlotAsync(RedisKey key)
    {
        var server = Connection.GetServers().First(s => s.IsConnected);
        var result = await server.ExecuteAsync("CLUSTER", "KEYSLOT", (string)key!);
        return (int)result;
    }
}
