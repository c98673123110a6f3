using System.CommandLine;
using Microsoft.Extensions.Configuration;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>SQL database kinds the tool can open.</summary>
internal enum SqlProviderKind
{
    None,
    Sqlite,
    PostgreSql,
}

/// <summary>
/// Builds the configuration of one run: the settings file (--settings), then environment variables, then the flags;
/// a later source wins. The keys are the library's (<c>ConnectionStrings:redis</c>, the <c>ZnDrawStorage</c> section,
/// bound by <c>AddZnDrawStorage("redis")</c>) plus the tool's own <c>ZnDrawStorageTool</c> section and
/// <c>ConnectionStrings:sql</c> for what the library takes in code (the SQL provider and connection).
/// </summary>
internal static class ToolConfiguration
{
    public const string RedisConnectionName = "redis";
    public const string SqlConnectionName = "sql";
    public const string ToolSection = "ZnDrawStorageTool";
    public const string SqlProviderKey = ToolSection + ":SqlProvider";
    public const string SqlStorageKey = ToolSection + ":SqlStorage";

    public static ConfigurationManager Build(ParseResult parse)
    {
        var configuration = new ConfigurationManager();
        if (parse.GetValue(GlobalOptions.Settings) is { } file)
        {
            if (!file.Exists)
            {
                throw new ToolException(ExitCodes.Usage, $"settings file not found: {file.FullName}");
            }

            try
            {
                configuration.AddJsonFile(file.FullName, optional: false, reloadOnChange: false);
            }
            catch (InvalidDataException ex)
            {
                throw new ToolException(ExitCodes.Usage, $"settings file {file.FullName} is not valid JSON: {ex.InnerException?.Message ?? ex.Message}", ex);
            }
        }

        configuration.AddEnvironmentVariables();

        var flags = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Put(flags, $"ConnectionStrings:{RedisConnectionName}", parse.GetValue(GlobalOptions.Redis));
        Put(flags, "ZnDrawStorage:KeyPrefix", parse.GetValue(GlobalOptions.Prefix));
        Put(flags, "ZnDrawStorage:Layout", parse.GetValue(GlobalOptions.Layout) switch
        {
            null => null,
            "cluster-safe" => nameof(KeyLayout.ClusterSafe),
            _ => nameof(KeyLayout.ZnDraw),
        });
        Put(flags, "ZnDrawStorage:Database", parse.GetValue(GlobalOptions.Database)?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Put(flags, SqlProviderKey, parse.GetValue(GlobalOptions.SqlProvider));
        Put(flags, $"ConnectionStrings:{SqlConnectionName}", parse.GetValue(GlobalOptions.Sql));
        Put(flags, SqlStorageKey, parse.GetValue(GlobalOptions.SqlStorage));
        configuration.AddInMemoryCollection(flags);
        return configuration;
    }

    /// <summary>The SQL provider configured (<see cref="SqlProviderKey"/>), or <see cref="SqlProviderKind.None"/>.</summary>
    public static SqlProviderKind SqlProvider(IConfiguration configuration) =>
        configuration[SqlProviderKey]?.Trim().ToUpperInvariant() switch
        {
            null or "" => SqlProviderKind.None,
            "SQLITE" => SqlProviderKind.Sqlite,
            "POSTGRESQL" or "POSTGRES" or "NPGSQL" => SqlProviderKind.PostgreSql,
            var other => throw new ToolException(ExitCodes.Usage, $"{SqlProviderKey}: '{other}' is not a SQL provider; expected sqlite or postgresql."),
        };

    /// <summary>The groups a hybrid deployment keeps in SQL (<see cref="SqlStorageKey"/>); none by default.</summary>
    public static SqlStorageGroups SqlStorage(IConfiguration configuration) =>
        configuration[SqlStorageKey]?.Trim().ToUpperInvariant() switch
        {
            null or "" or "NONE" => SqlStorageGroups.None,
            "USERS" => SqlStorageGroups.Users,
            "ROOMS" => SqlStorageGroups.Rooms,
            "ALL" => SqlStorageGroups.All,
            var other => throw new ToolException(ExitCodes.Usage, $"{SqlStorageKey}: '{other}' is not a storage group; expected none, users, rooms or all."),
        };

    private static void Put(Dictionary<string, string?> flags, string key, string? value)
    {
        if (value is not null)
        {
            flags[key] = value;
        }
    }
}
