using Microsoft.Extensions.Configuration;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>
/// Binds <see cref="ZnDrawStorageOptions"/> from configuration, trim- and AOT-safe: every call below is intercepted by
/// the configuration-binding source generator (<c>EnableConfigurationBindingGenerator</c>).
/// </summary>
/// <remarks>
/// <see cref="ZnDrawStorageOptions"/> is not handed to the generator whole because of
/// <see cref="ZnDrawStorageOptions.RedisConfiguration"/> (a StackExchange.Redis object, documented as not bindable): the
/// generator would emit binding code for its members, and under StackExchange.Redis 3.x some of them are obsolete as
/// errors (CS0619), which breaks the build. <c>[ConfigurationIgnore]</c>, which would skip it, arrives with .NET 11.
/// So the top-level values are read one by one and each nested options object is bound whole. A test holds
/// <see cref="BoundProperties"/> and <see cref="UnboundProperties"/> to the public properties of the class, so a
/// property added later cannot be silently left unbound.
/// </remarks>
internal static class ZnDrawStorageOptionsBinding
{
    /// <summary>The properties of <see cref="ZnDrawStorageOptions"/> that <see cref="Bind"/> reads.</summary>
    internal static readonly string[] BoundProperties =
    [
        nameof(ZnDrawStorageOptions.ConnectionString),
        nameof(ZnDrawStorageOptions.AbortOnConnectFail),
        nameof(ZnDrawStorageOptions.KeyPrefix),
        nameof(ZnDrawStorageOptions.Layout),
        nameof(ZnDrawStorageOptions.Database),
        nameof(ZnDrawStorageOptions.Locks),
        nameof(ZnDrawStorageOptions.Limits),
        nameof(ZnDrawStorageOptions.Passwords),
        nameof(ZnDrawStorageOptions.IndexReconciliation),
        nameof(ZnDrawStorageOptions.Replication),
        nameof(ZnDrawStorageOptions.Tls),
    ];

    /// <summary>The properties of <see cref="ZnDrawStorageOptions"/> that are set in code only.</summary>
    internal static readonly string[] UnboundProperties = [nameof(ZnDrawStorageOptions.RedisConfiguration)];

    /// <summary>Sets on <paramref name="options"/> every value <paramref name="configuration"/> holds; leaves the rest.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be converted (e.g. <c>Database: "x"</c>), as the binder says.</exception>
    public static void Bind(IConfiguration configuration, ZnDrawStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(options);
        if (configuration[nameof(ZnDrawStorageOptions.ConnectionString)] is { } connectionString)
        {
            options.ConnectionString = connectionString;
        }

        if (configuration[nameof(ZnDrawStorageOptions.KeyPrefix)] is { } keyPrefix)
        {
            options.KeyPrefix = keyPrefix;
        }

        options.AbortOnConnectFail = configuration.GetValue(nameof(ZnDrawStorageOptions.AbortOnConnectFail), options.AbortOnConnectFail);
        options.Layout = configuration.GetValue(nameof(ZnDrawStorageOptions.Layout), options.Layout);
        options.Database = configuration.GetValue(nameof(ZnDrawStorageOptions.Database), options.Database);
        configuration.GetSection(nameof(ZnDrawStorageOptions.Locks)).Bind(options.Locks);
        configuration.GetSection(nameof(ZnDrawStorageOptions.Limits)).Bind(options.Limits);
        configuration.GetSection(nameof(ZnDrawStorageOptions.Passwords)).Bind(options.Passwords);
        configuration.GetSection(nameof(ZnDrawStorageOptions.IndexReconciliation)).Bind(options.IndexReconciliation);
        configuration.GetSection(nameof(ZnDrawStorageOptions.Replication)).Bind(options.Replication);
        configuration.GetSection(nameof(ZnDrawStorageOptions.Tls)).Bind(options.Tls);
    }
}
