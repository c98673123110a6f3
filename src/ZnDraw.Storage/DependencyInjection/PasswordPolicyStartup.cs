using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>
/// Resolves the password policy when the host starts and, when it is ZnDraw's salted SHA-256, logs one warning that
/// recommends PBKDF2 once no ZnDraw server shares the Redis.
/// </summary>
internal sealed class PasswordPolicyStartup(IOptions<ZnDrawStorageOptions> options, ILogger logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var value = options.Value;
        if (ZnDrawPasswordOptions.Resolve(value) == PasswordHashing.ZnDrawSha256)
        {
            UserServiceLog.ZnDrawSha256InUse(
                logger,
                value.Passwords?.Hashing == PasswordHashing.ZnDrawSha256
                    ? "Passwords:Hashing is ZnDrawSha256"
                    : "Passwords:Hashing is Automatic and the key layout is ZnDraw's own");
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
