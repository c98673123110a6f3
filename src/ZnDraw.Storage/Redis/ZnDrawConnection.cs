using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// The multiplexer the library uses: the host's registered <see cref="IConnectionMultiplexer"/> (reused, never
/// disposed here), or one created from the options on first use (or at host start) and disposed with the container.
/// </summary>
internal sealed class ZnDrawConnection : IAsyncDisposable, IDisposable
{
    private const string ConnectOperation = "connecting to Redis";

    private readonly IConnectionMultiplexer? _hostProvided;
    private readonly ZnDrawStorageOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _owned;

    public ZnDrawConnection(IServiceProvider services, IOptions<ZnDrawStorageOptions> options)
    {
        _hostProvided = services.GetService<IConnectionMultiplexer>();
        _options = options.Value;
    }

    /// <summary>
    /// The multiplexer. Connecting happens at host start (<see cref="ConnectAsync"/>); without a host, the first use
    /// connects synchronously.
    /// </summary>
    /// <exception cref="StorageUnavailableException">The first connection could not be made.</exception>
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
                return _owned ??= ConnectionMultiplexer.Connect(CreateConfiguration());
            }
            catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
            {
                throw RedisErrors.Map(ex, default(RedisKey), ConnectOperation);
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Connects (once) without blocking a thread; a no-op for a host-provided multiplexer.</summary>
    /// <exception cref="StorageUnavailableException">The connection could not be made.</exception>
    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        if (_hostProvided is not null || Volatile.Read(ref _owned) is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _owned ??= await ConnectionMultiplexer.ConnectAsync(CreateConfiguration()).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, default(RedisKey), ConnectOperation);
        }
        finally
        {
            _gate.Release();
        }
    }

    private ConfigurationOptions CreateConfiguration() =>
        _options.RedisConfiguration?.Clone()
        ?? ConfigurationOptions.Parse(_options.ConnectionString
            ?? throw new InvalidOperationException("ZnDrawStorageOptions has neither ConnectionString nor RedisConfiguration, and no IConnectionMultiplexer is registered."));

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }

    public void Dispose()
    {
        _owned?.Dispose();
        _gate.Dispose();
    }
}
