using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage;

#pragma warning disable IDE0130 // Extensions of IHostApplicationBuilder live in the hosting namespace, as .NET Aspire's do.
namespace Microsoft.Extensions.Hosting;
#pragma warning restore IDE0130

/// <summary>Registers ZnDraw.Storage on a host application builder, the way .NET Aspire's client integrations do.</summary>
public static class ZnDrawStorageHostApplicationBuilderExtensions
{
    /// <summary>
    /// Registers ZnDraw.Storage with the Redis connection string <c>ConnectionStrings:<paramref name="connectionName"/></c>
    /// and the other options from the <c>ZnDrawStorage</c> section of the host's configuration, validated when the host
    /// starts.
    /// </summary>
    /// <param name="builder">The host application builder (e.g. <c>WebApplication.CreateBuilder(args)</c>).</param>
    /// <param name="connectionName">The name of the connection string, e.g. <c>redis</c> for <c>ConnectionStrings:redis</c>.</param>
    /// <param name="configure">Runs after the configuration is read, e.g. <c>o =&gt; o.KeyPrefix = "app1:"</c>.</param>
    /// <returns>A builder that satellite packages extend (e.g. <c>.AddSqlHistory(...)</c>, <c>.AddRedisHealthCheck()</c>).</returns>
    /// <remarks>
    /// <para>
    /// Precedence, as in Aspire's <c>AddRedisClient</c>: the <c>ZnDrawStorage</c> section is bound first;
    /// <c>ConnectionStrings:<paramref name="connectionName"/></c>, when present, replaces its <c>ConnectionString</c>;
    /// <paramref name="configure"/> runs last. When neither holds a connection string (and no
    /// <see cref="StackExchange.Redis.IConnectionMultiplexer"/> is registered), host start fails with an
    /// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming both settings.
    /// </para>
    /// <para>
    /// <see cref="ZnDrawStorageOptions.AbortOnConnectFail"/> keeps the library's default (<see langword="true"/>: fail
    /// fast) unlike Aspire's Redis client; set <c>ZnDrawStorage:AbortOnConnectFail</c> to <see langword="false"/> for a
    /// host that must start before Redis (see <c>docs/configuration.md</c>).
    /// </para>
    /// </remarks>
    public static IZnDrawStorageBuilder AddZnDrawStorage(this IHostApplicationBuilder builder, string connectionName, Action<ZnDrawStorageOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        return ZnDrawStorageServiceCollectionExtensions.AddZnDrawStorageWithConnectionName(
            builder.Services,
            builder.Configuration.GetSection(ZnDrawStorageOptions.DefaultSectionName),
            builder.Configuration,
            connectionName,
            configure);
    }
}
