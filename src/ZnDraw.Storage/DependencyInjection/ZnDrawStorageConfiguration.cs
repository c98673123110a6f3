using Microsoft.Extensions.Configuration;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>Applies the connection string named in <c>ConnectionStrings</c> and records where the settings came from.</summary>
internal static class ZnDrawStorageConfiguration
{
    /// <summary>
    /// Runs after <paramref name="section"/> is bound: records the section's path for messages and, when
    /// <paramref name="connectionName"/> is given and <c>ConnectionStrings:name</c> exists in
    /// <paramref name="connectionStrings"/>, replaces <see cref="ZnDrawStorageOptions.ConnectionString"/> with it.
    /// </summary>
    public static void Describe(ZnDrawStorageOptions options, IConfiguration section, IConfiguration? connectionStrings, string? connectionName)
    {
        options.SettingsSection = section is IConfigurationSection named ? named.Path : string.Empty;
        if (connectionName is not null)
        {
            options.ConnectionStringName = connectionName;
            if (connectionStrings?.GetConnectionString(connectionName) is { } fromConnectionStrings)
            {
                options.ConnectionString = fromConnectionStrings;
                options.ConnectionStringOrigin = ($"ConnectionStrings:{connectionName}", fromConnectionStrings);
                return;
            }
        }

        string? bound = section[nameof(ZnDrawStorageOptions.ConnectionString)];
        if (bound is not null && string.Equals(bound, options.ConnectionString, StringComparison.Ordinal))
        {
            options.ConnectionStringOrigin = (options.Setting(nameof(ZnDrawStorageOptions.ConnectionString)), bound);
        }
    }
}
