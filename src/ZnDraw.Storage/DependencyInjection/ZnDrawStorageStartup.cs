using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>
/// What the library does when the host starts: says once when the password policy is ZnDraw's salted SHA-256
/// (recommending PBKDF2 once no ZnDraw server shares the Redis), then connects the library's own multiplexer
/// asynchronously, so no request blocks on it.
/// </summary>
internal sealed class ZnDrawStorageStartup(ZnDrawConnection connection, IOptions<ZnDrawStorageOptions> options, ILogger passwordLogger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var value = options.Value;
        if (ZnDrawPasswordOptions.Resolve(value) == PasswordHashing.ZnDrawSha256)
        {
            UserServiceLog.ZnDrawSha256InUse(
                passwordLogger,
                value.Passwords?.Hashing == PasswordHashing.ZnDrawSha256
                    ? "Passwords:Hashing is ZnDrawSha256"
                    : "Passwords:Hashing is Automatic and the key layout is ZnDraw's own");
        }

        return connection.ConnectAsync(cancellationToken).AsTask();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
