using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// The multiplexer the library uses: the host's registered <see cref="IConnectionMultiplexer"/> (reused, never
/// disposed here), or one created from the options on first use (or at host start) and disposed with the container.
/// </summary>
/// <remarks>
/// With <see cref="ConfigurationOptions.AbortOnConnectFail"/> (the default, <see cref="ZnDrawStorageOptions.AbortOnConnectFail"/>)
/// a first connection that fails throws <see cref="StorageUnavailableException"/> naming the endpoints and the setting.
/// Without it the multiplexer is kept unconnected, one warning is logged, and StackExchange.Redis reconnects in the
/// background; an outage of an own multiplexer is logged once (warning) and its end once (information).
/// </remarks>
internal sealed partial class ZnDrawConnection : IAsyncDisposable, IDisposable
{
    private const string ConnectOperation = "connecting to Redis";
    private static readonly TimeSpan ConnectedPoll = TimeSpan.FromMilliseconds(250);

    private readonly IConnectionMultiplexer? _hostProvided;
    private readonly ZnDrawStorageOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _owned;
    private RedisTls? _tls;
    private string _endpoints = string.Empty;
    private int _down; // 1 from a reported failure (or a start without Redis) until the next restore

    public ZnDrawConnection(IServiceProvider services, IOptions<ZnDrawStorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        _hostProvided = services.GetService<IConnectionMultiplexer>();
        _options = options.Value;
        _logger = (ILogger?)services.GetService<ILogger<ZnDrawConnection>>() ?? NullLogger.Instance;
    }

    /// <summary>
    /// The multiplexer. Connecting happens at host start (<see cref="ConnectAsync"/>); without a host, the first use
    /// connects synchronously.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The first connection could not be made (fail-fast mode).</exception>
    public IConnectionMultiplexer Multiplexer
    {
        get
        {
            if (_hostProvided is not null)
            {
                return _hostProvided;
            }

            if (Volatile.Read(ref _owned) is { } owned)
            {
                return owned;
            }

            _gate.Wait();
            try
            {
                if (_owned is null)
                {
                    ConfigurationOptions configuration = CreateConfiguration();
                    try
                    {
                        Adopt(ConnectionMultiplexer.Connect(configuration), configuration);
                    }
                    catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
                    {
                        throw ConnectFailure(ex, configuration);
                    }
                }

                return _owned!;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>The endpoints the library connects to, as <c>host:port</c> (never the password).</summary>
    public string EndPoints =>
        _hostProvided is not null ? RedisConnectionString.DescribeEndPoints(_hostProvided.GetEndPoints())
        : _endpoints.Length > 0 ? _endpoints
        : Describe();

    /// <summary>Connects (once) without blocking a thread; a no-op for a host-provided multiplexer.</summary>
    /// <remarks>
    /// In fail-fast mode this throws when Redis cannot be reached within the connect timeout; otherwise it returns
    /// after at most the connect timeout with a multiplexer that keeps reconnecting.
    /// </remarks>
    /// <exception cref="StorageUnavailableException">The connection could not be made (fail-fast mode).</exception>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        if (_hostProvided is not null || Volatile.Read(ref _owned) is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_owned is not null)
            {
                return;
            }

            ConfigurationOptions configuration = CreateConfiguration();
            Task<ConnectionMultiplexer> connecting = ConnectionMultiplexer.ConnectAsync(configuration);
            ConnectionMultiplexer multiplexer;
            try
            {
                multiplexer = await connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The connect goes on without us: dispose what it makes, observe what it throws.
                _ = connecting.ContinueWith(
                    static t =>
                    {
                        if (t.IsCompletedSuccessfully)
                        {
                            t.Result.Dispose();
                        }
                        else
                        {
                            _ = t.Exception;
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
                throw;
            }
            catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
            {
                throw ConnectFailure(ex, configuration);
            }

            Adopt(multiplexer, configuration);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Waits, without logging, until the multiplexer is connected: for background work (index reconciliation, the history
    /// dispatcher) that has nothing to do while Redis is down. Returns at once when it is connected.
    /// </summary>
    /// <exception cref="StorageUnavailableException">Fail-fast mode and the first connection could not be made.</exception>
    public async Task WaitUntilConnectedAsync(CancellationToken cancellationToken)
    {
        await ConnectAsync(cancellationToken).ConfigureAwait(false);
        IConnectionMultiplexer multiplexer = Multiplexer;
        while (!multiplexer.IsConnected)
        {
            await Task.Delay(ConnectedPoll, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Adopt(ConnectionMultiplexer multiplexer, ConfigurationOptions configuration)
    {
        _endpoints = RedisConnectionString.DescribeEndPoints(configuration);
        multiplexer.ConnectionFailed += OnConnectionFailed;
        multiplexer.ConnectionRestored += OnConnectionRestored;
        if (!multiplexer.IsConnected && Interlocked.Exchange(ref _down, 1) == 0)
        {
            LogStartedWithoutRedis(_logger, _endpoints, SourceSetting());
        }

        Volatile.Write(ref _owned, multiplexer);
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.FailureType != ConnectionFailureType.ConnectionDisposed && Interlocked.Exchange(ref _down, 1) == 0)
        {
            LogConnectionLost(_logger, RedisConnectionString.Describe(e.EndPoint), e.FailureType);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (Interlocked.Exchange(ref _down, 0) == 1)
        {
            LogConnectionRestored(_logger, RedisConnectionString.Describe(e.EndPoint));
        }
    }

    /// <summary>The library's exception for a first connection that failed: endpoints, setting and the way out; no password.</summary>
    private Exception ConnectFailure(Exception exception, ConfigurationOptions configuration)
    {
        if (!RedisErrors.IsUnavailable(exception))
        {
            return RedisErrors.Map(exception, default(RedisKey), ConnectOperation);
        }

        if (_tls?.LastFailure is { } tlsFailure)
        {
            return new StorageUnavailableException(
                ConnectOperation,
                null,
                $"the TLS handshake with {RedisConnectionString.DescribeEndPoints(configuration)} (from {SourceSetting()}) failed: {tlsFailure}",
                exception);
        }

        string kind = exception is RedisConnectionException connection ? connection.FailureType.ToString() : exception.GetType().Name;
        string escape = _options.RedisConfiguration is not null
            ? "set ZnDrawStorageOptions.RedisConfiguration.AbortOnConnectFail to false"
            : RedisConnectionString.NamesAbortConnect(_options.ConnectionString ?? string.Empty)
                ? $"set abortConnect=false in {SourceSetting()}"
                : $"set {_options.SettingName(nameof(ZnDrawStorageOptions.AbortOnConnectFail))} to false";
        return new StorageUnavailableException(
            ConnectOperation,
            null,
            $"could not connect to {RedisConnectionString.DescribeEndPoints(configuration)} (from {SourceSetting()}; connect timeout {configuration.ConnectTimeout} ms): {kind}; "
                + $"check that Redis runs there, or {escape} to start without it and keep reconnecting",
            exception);
    }

    private string SourceSetting() =>
        _options.RedisConfiguration is not null ? "ZnDrawStorageOptions.RedisConfiguration" : _options.ConnectionStringSetting();

    private string Describe()
    {
        try
        {
            return RedisConnectionString.DescribeEndPoints(CreateConfiguration());
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return "(not configured)";
        }
    }

    private ConfigurationOptions CreateConfiguration()
    {
        ConfigurationOptions configuration = _options.RedisConfiguration?.Clone()
            ?? RedisConnectionString.Parse(
                _options.ConnectionString
                    ?? throw new InvalidOperationException("ZnDrawStorageOptions has neither ConnectionString nor RedisConfiguration, and no IConnectionMultiplexer is registered."),
                _options.AbortOnConnectFail);
        if (_options.Tls is { Enabled: true } tls)
        {
            _tls ??= RedisTls.Create(_options);
            _tls!.Apply(configuration, tls);
        }

        return configuration;
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is { } owned)
        {
            Detach(owned);
            await owned.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    public void Dispose()
    {
        if (_owned is { } owned)
        {
            Detach(owned);
            owned.Dispose();
        }

        _gate.Dispose();
    }

    private void Detach(ConnectionMultiplexer multiplexer)
    {
        multiplexer.ConnectionFailed -= OnConnectionFailed;
        multiplexer.ConnectionRestored -= OnConnectionRestored;
    }

    [LoggerMessage(EventId = ZnDrawEventIds.ConnectionStartedWithoutRedis, Level = LogLevel.Warning, Message = "Could not connect to Redis at {EndPoints} ({Setting}); starting without it (AbortOnConnectFail is false). StackExchange.Redis keeps reconnecting; until then calls throw StorageUnavailableException and the Redis health check is unhealthy.")]
    private static partial void LogStartedWithoutRedis(ILogger logger, string endPoints, string setting);

    [LoggerMessage(EventId = ZnDrawEventIds.ConnectionLost, Level = LogLevel.Warning, Message = "Lost the connection to Redis at {EndPoint} ({FailureType}); StackExchange.Redis keeps reconnecting.")]
    private static partial void LogConnectionLost(ILogger logger, string endPoint, ConnectionFailureType failureType);

    [LoggerMessage(EventId = ZnDrawEventIds.ConnectionRestored, Level = LogLevel.Information, Message = "Connected to Redis at {EndPoint}.")]
    private static partial void LogConnectionRestored(ILogger logger, string endPoint);
}
