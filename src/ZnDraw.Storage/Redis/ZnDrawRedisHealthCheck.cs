using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ZnDraw.Storage.Redis;

/// <summary>Healthy when Redis answers PING within the timeout.</summary>
internal sealed class ZnDrawRedisHealthCheck(ZnDrawConnection connection, TimeSpan timeout) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await connection.ConnectAsync(cancellationToken).ConfigureAwait(false);
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            var latency = await connection.Multiplexer.GetDatabase().PingAsync().WaitAsync(timeoutSource.Token).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"PING {latency.TotalMilliseconds:F1} ms");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"Redis did not answer PING within {timeout.TotalMilliseconds} ms.");
        }
#pragma warning disable CA1031 // A health check reports every failure instead of throwing.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis is unreachable.", ex);
        }
    }
}
