using StackExchange.Redis;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// A connection to the second test Redis, which emits keyspace notifications (<c>notify-keyspace-events K$hgx</c>). Its
/// address comes from <c>ZNDRAW_REDIS_NOTIFY</c>, set by <c>scripts/test.sh</c> (<c>svc_start_redis_notify</c>).
/// </summary>
/// <remarks>
/// A server of its own because <c>notify-keyspace-events</c> is server-wide: the tests of <see cref="RedisNotifyCollection"/>
/// run one after another and may change the setting, and each restores <see cref="ServerFlags"/> when it ends. The shared
/// test Redis keeps the default (no notifications) and is never reconfigured. A missing address fails every test that touches <see cref="Connection"/>.
/// </remarks>
public sealed class RedisNotifyFixture : IAsyncLifetime
{
    public const string EnvironmentVariable = "ZNDRAW_REDIS_NOTIFY";

    /// <summary>The flags the server is started with (scripts/services.sh) and restored to.</summary>
    public const string ServerFlags = "K$hgx";

    private ConnectionMultiplexer? _connection;

    public ConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException(
        $"The reconciliation tests need a Redis server with keyspace notifications, and {EnvironmentVariable} is not set. " +
        "Run ./scripts/test.sh, or source scripts/services.sh and call svc_init and svc_start_redis_notify " +
        $"(or start redis-server --notify-keyspace-events 'K$hgx' yourself and set {EnvironmentVariable}).");

    public IDatabase Database => Connection.GetDatabase();

    public IServer Server => Connection.GetServers()[0];

    public string Address { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        Address = Environment.GetEnvironmentVariable(EnvironmentVariable) ?? string.Empty;
        if (string.IsNullOrWhiteSpace(Address))
        {
            return; // Connection throws the explanation when a test needs it
        }

        var options = ConfigurationOptions.Parse(Address);
        options.AllowAdmin = true; // CONFIG GET/SET of notify-keyspace-events
        options.AbortOnConnectFail = true;
        _connection = await ConnectionMultiplexer.ConnectAsync(options);
        await RestoreAsync();
    }

    /// <summary>Puts <c>notify-keyspace-events</c> back to <see cref="ServerFlags"/>.</summary>
    public Task RestoreAsync() => Server.ConfigSetAsync("notify-keyspace-events", ServerFlags);

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }
}
