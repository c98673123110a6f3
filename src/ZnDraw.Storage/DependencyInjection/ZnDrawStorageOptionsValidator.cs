using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>Checks <see cref="ZnDrawStorageOptions"/> at host start; each failure names the setting.</summary>
internal sealed class ZnDrawStorageOptionsValidator(IServiceProviderIsService? isService = null) : IValidateOptions<ZnDrawStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, ZnDrawStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var hostMultiplexer = isService?.IsService(typeof(IConnectionMultiplexer)) == true;
        if (!hostMultiplexer && options.RedisConfiguration is null && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.ConnectionString)}: required (or set {nameof(ZnDrawStorageOptions.RedisConfiguration)}, or register an IConnectionMultiplexer).");
        }
        else if (options.RedisConfiguration is null && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            try
            {
                _ = ConfigurationOptions.Parse(options.ConnectionString);
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{nameof(ZnDrawStorageOptions.ConnectionString)}: not a valid StackExchange.Redis configuration string ({ex.Message}).");
            }
        }

        if (!Enum.IsDefined(options.Layout))
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.Layout)}: '{options.Layout}' is not a KeyLayout.");
        }
        else
        {
            try
            {
                KeyValidation.ValidatePrefix(options.KeyPrefix, options.Layout, nameof(ZnDrawStorageOptions.KeyPrefix));
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{nameof(ZnDrawStorageOptions.KeyPrefix)}: {ex.Message}");
            }
        }

        if (options.Database is < -1 or > 255)
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.Database)}: {options.Database} is outside -1..255.");
        }

        if (options.Locks is null)
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.Locks)}: required.");
        }
        else
        {
            CheckTtl(failures, "Locks.DefaultTtl", options.Locks.DefaultTtl);
            CheckTtl(failures, "Locks.PresenterTtl", options.Locks.PresenterTtl);
        }

        if (options.Limits is null)
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.Limits)}: required.");
        }
        else
        {
            foreach (var (limitName, value) in options.Limits.All())
            {
                if (value is < 1 or > ZnDrawLimitOptions.MaxLimit)
                {
                    failures.Add($"Limits.{limitName}: {value} is outside 1..{ZnDrawLimitOptions.MaxLimit}.");
                }
            }
        }

        if (options.Passwords is null)
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.Passwords)}: required.");
        }
        else
        {
            if (!Enum.IsDefined(options.Passwords.Hashing))
            {
                failures.Add($"Passwords.Hashing: '{options.Passwords.Hashing}' is not a PasswordHashing.");
            }

            if (options.Passwords.Pbkdf2Iterations is < ZnDrawPasswordOptions.MinPbkdf2Iterations or > ZnDrawPasswordOptions.MaxPbkdf2Iterations)
            {
                failures.Add($"Passwords.Pbkdf2Iterations: {options.Passwords.Pbkdf2Iterations} is outside {ZnDrawPasswordOptions.MinPbkdf2Iterations}..{ZnDrawPasswordOptions.MaxPbkdf2Iterations}.");
            }
        }

        CheckReconciliation(failures, options.IndexReconciliation);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckReconciliation(List<string> failures, ZnDrawIndexReconciliationOptions? reconciliation)
    {
        if (reconciliation is null)
        {
            failures.Add($"{nameof(ZnDrawStorageOptions.IndexReconciliation)}: required.");
            return;
        }

        if (reconciliation.Interval < ZnDrawIndexReconciliationOptions.MinInterval || reconciliation.Interval > ZnDrawIndexReconciliationOptions.MaxInterval)
        {
            failures.Add($"IndexReconciliation.Interval: {reconciliation.Interval} is outside {ZnDrawIndexReconciliationOptions.MinInterval}..{ZnDrawIndexReconciliationOptions.MaxInterval}.");
        }

        if (reconciliation.PageSize is < ZnDrawIndexReconciliationOptions.MinPageSize or > ZnDrawIndexReconciliationOptions.MaxPageSize)
        {
            failures.Add($"IndexReconciliation.PageSize: {reconciliation.PageSize} is outside {ZnDrawIndexReconciliationOptions.MinPageSize}..{ZnDrawIndexReconciliationOptions.MaxPageSize}.");
        }

        if (reconciliation.PauseBetweenPages < TimeSpan.Zero || reconciliation.PauseBetweenPages > ZnDrawIndexReconciliationOptions.MaxPauseBetweenPages)
        {
            failures.Add($"IndexReconciliation.PauseBetweenPages: {reconciliation.PauseBetweenPages} is outside 0..{ZnDrawIndexReconciliationOptions.MaxPauseBetweenPages}.");
        }
    }

    private static void CheckTtl(List<string> failures, string name, TimeSpan ttl)
    {
        if (ttl <= TimeSpan.Zero || ttl > LockLimits.MaxTimeToLive)
        {
            failures.Add($"{name}: {ttl} must be more than 0 and at most {LockLimits.MaxTimeToLive.TotalSeconds} s.");
        }
    }
}
