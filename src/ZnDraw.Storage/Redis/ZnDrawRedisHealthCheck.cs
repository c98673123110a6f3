using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Healthy when Redis answers PING within the timeout; unhealthy at once while the multiplexer is not connected (a host
/// started without Redis, or an outage), naming the endpoints (never the password).
/// </summary>
internal sealed class ZnDrawRedisHealthCheck(ZnDrawConnection connection, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            var multiplexer = connection.Multiplexer;
            if (!multiplexer.IsConnected)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, $"Not connected to Redis at {connection.EndPoints}; reconnecting.");
            }

            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            var latency = await multiplexer.GetDatabase().PingAsync().WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:F1} ms");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis at {connection.EndPoints} did not answer PING within {timeout.TotalMilliseconds} ms.");
        }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis at {connection.EndPoints} is unreachable.", ex);
        }
    }
}
