using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>Checks <see cref="ZnDrawStorageOptions"/> at host start; each failure names the setting.</summary>
internal sealed class ZnDrawStorageOptionsValidator(IServiceProviderIsService? isService = null) : IValidateOptions<ZnDrawStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, ZnDrawStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var hostMultiplexer = isService?.IsService(typeof(IConnectionMultiplexer)) == true;
        if (options.RedisConfiguration is { } configuration)
        {
            if (configuration.EndPoints.Count == 0 && !hostMultiplexer)
            {
                failures.Add("ZnDrawStorageOptions.RedisConfiguration: names no Redis endpoint (EndPoints is empty); add one, e.g. EndPoints = { \"127.0.0.1:6379\" }.");
            }
        }
        else if (options.ConnectionString is { } connectionString && (!hostMultiplexer || !string.IsNullOrWhiteSpace(connectionString)))
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                failures.Add($"{options.ConnectionStringSetting()}: is empty; expected host:port, e.g. 127.0.0.1:6379, optionally followed by ,key=value options.");
            }
            else if (RedisConnectionString.Problem(connectionString) is { } problem)
            {
                failures.Add($"{options.ConnectionStringSetting()}: {problem}.");
            }
        }
        else if (!hostMultiplexer)
        {
            failures.Add($"{options.ConnectionStringSettings()}: required (a StackExchange.Redis configuration string such as 127.0.0.1:6379; or set ZnDrawStorageOptions.RedisConfiguration in code, or register an IConnectionMultiplexer).");
        }

        if (!Enum.IsDefined(options.Layout))
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Layout))}: '{options.Layout}' is not a KeyLayout.");
        }
        else
        {
            try
            {
                KeyValidation.ValidatePrefix(options.KeyPrefix, options.Layout, nameof(ZnDrawStorageOptions.KeyPrefix));
            }
            catch (ArgumentException ex)
            {
                failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.KeyPrefix))}: {ex.Message}");
            }
        }

        if (options.Database is < -1 or > 255)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Database))}: {options.Database} is outside -1..255.");
        }

        if (options.Locks is null)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Locks))}: required.");
        }
        else
        {
            CheckTtl(failures, options.Setting("Locks:DefaultTtl"), options.Locks.DefaultTtl);
            CheckTtl(failures, options.Setting("Locks:PresenterTtl"), options.Locks.PresenterTtl);
        }

        if (options.Limits is null)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Limits))}: required.");
        }
        else
        {
            foreach (var (limitName, value) in options.Limits.All())
            {
                if (value is < 1 or > ZnDrawLimitOptions.MaxLimit)
                {
                    failures.Add($"{options.Setting("Limits:" + limitName)}: {value} is outside 1..{ZnDrawLimitOptions.MaxLimit}.");
                }
            }
        }

        if (options.Passwords is null)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Passwords))}: required.");
        }
        else
        {
            if (!Enum.IsDefined(options.Passwords.Hashing))
            {
                failures.Add($"{options.Setting("Passwords:Hashing")}: '{options.Passwords.Hashing}' is not a PasswordHashing.");
            }

            if (options.Passwords.Pbkdf2Iterations is < ZnDrawPasswordOptions.MinPbkdf2Iterations or > ZnDrawPasswordOptions.MaxPbkdf2Iterations)
            {
                failures.Add($"{options.Setting("Passwords:Pbkdf2Iterations")}: {options.Passwords.Pbkdf2Iterations} is outside {ZnDrawPasswordOptions.MinPbkdf2Iterations}..{ZnDrawPasswordOptions.MaxPbkdf2Iterations}.");
            }
        }

        CheckReconciliation(failures, options);
        CheckReplication(failures, options);
        CheckTls(failures, options, hostMultiplexer);

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckReconciliation(List<string> failures, ZnDrawStorageOptions options)
    {
        ZnDrawIndexReconciliationOptions? reconciliation = options.IndexReconciliation;
        if (reconciliation is null)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.IndexReconciliation))}: required.");
            return;
        }

        if (reconciliation.Interval < ZnDrawIndexReconciliationOptions.MinInterval || reconciliation.Interval > ZnDrawIndexReconciliationOptions.MaxInterval)
        {
            failures.Add($"{options.Setting("IndexReconciliation:Interval")}: {reconciliation.Interval} is outside {ZnDrawIndexReconciliationOptions.MinInterval}..{ZnDrawIndexReconciliationOptions.MaxInterval}.");
        }

        if (reconciliation.PageSize is < ZnDrawIndexReconciliationOptions.MinPageSize or > ZnDrawIndexReconciliationOptions.MaxPageSize)
        {
            failures.Add($"{options.Setting("IndexReconciliation:PageSize")}: {reconciliation.PageSize} is outside {ZnDrawIndexReconciliationOptions.MinPageSize}..{ZnDrawIndexReconciliationOptions.MaxPageSize}.");
        }

        if (reconciliation.PauseBetweenPages < TimeSpan.Zero || reconciliation.PauseBetweenPages > ZnDrawIndexReconciliationOptions.MaxPauseBetweenPages)
        {
            failures.Add($"{options.Setting("IndexReconciliation:PauseBetweenPages")}: {reconciliation.PauseBetweenPages} is outside 0..{ZnDrawIndexReconciliationOptions.MaxPauseBetweenPages}.");
        }
    }

    private static void CheckReplication(List<string> failures, ZnDrawStorageOptions options)
    {
        ZnDrawReplicationOptions? replication = options.Replication;
        if (replication is null)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Replication))}: required.");
            return;
        }

        if (replication.WaitForReplicas is < 0 or > ZnDrawReplicationOptions.MaxWaitForReplicas)
        {
            failures.Add($"{options.Setting("Replication:WaitForReplicas")}: {replication.WaitForReplicas} is outside 0..{ZnDrawReplicationOptions.MaxWaitForReplicas}.");
        }

        if (replication.Timeout < ZnDrawReplicationOptions.MinTimeout || replication.Timeout > ZnDrawReplicationOptions.MaxTimeout)
        {
            failures.Add($"{options.Setting("Replication:Timeout")}: {replication.Timeout} is outside {ZnDrawReplicationOptions.MinTimeout}..{ZnDrawReplicationOptions.MaxTimeout}.");
        }
    }

    private static void CheckTls(List<string> failures, ZnDrawStorageOptions options, bool hostMultiplexer)
    {
        ZnDrawTlsOptions? tls = options.Tls;
        if (tls is null)
        {
            failures.Add($"{options.Setting(nameof(ZnDrawStorageOptions.Tls))}: required.");
            return;
        }

        if (!tls.Enabled)
        {
            if (tls.AnySet)
            {
                failures.Add($"{options.Setting("Tls:Enabled")}: is false while other Tls settings are set; set it to true to use TLS, or remove them.");
            }

            return;
        }

        if (hostMultiplexer)
        {
            failures.Add($"{options.Setting("Tls:Enabled")}: applies to the library's own connection, but the host registered an IConnectionMultiplexer (configure TLS on it instead).");
            return;
        }

        if (tls.HostName is { } host && string.IsNullOrWhiteSpace(host))
        {
            failures.Add($"{options.Setting("Tls:HostName")}: is empty; set the host name the server certificate is issued for, or remove it.");
        }

        if (tls.ClientCertificatePath is null && (tls.ClientKeyPath is not null || tls.ClientCertificatePassword is not null))
        {
            failures.Add($"{options.Setting("Tls:ClientCertificatePath")}: required when {(tls.ClientKeyPath is not null ? "Tls:ClientKeyPath" : "Tls:ClientCertificatePassword")} is set.");
            return;
        }

        try
        {
            _ = RedisTls.Create(options);
        }
        catch (ArgumentException ex)
        {
            failures.Add(ex.Message);
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
