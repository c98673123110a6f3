using Microsoft.Extensions.Hosting;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>Connects the library's own multiplexer asynchronously when the host starts, so no request blocks on it.</summary>
internal sealed class ZnDrawStorageStartup(ZnDrawConnection connection) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => connection.ConnectAsync(cancellationToken).AsTask();

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
