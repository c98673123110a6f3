using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.DependencyInjection;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Services;
using ZnDraw.Storage;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace, as Microsoft's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers ZnDraw.Storage in a service collection.</summary>
public static class ZnDrawStorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the key space, repositories and services of ZnDraw.Storage, configured by <paramref name="configure"/>
    /// and validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options, e.g. <c>o =&gt; o.ConnectionString = "127.0.0.1:6379"</c>.</param>
    /// <returns>A builder that satellite packages extend (e.g. <c>.AddSqlHistory(...)</c>).</returns>
    /// <remarks>
    /// An <see cref="StackExchange.Redis.IConnectionMultiplexer"/> that the host registered is reused (and never
    /// disposed by the library); otherwise one is created from the options, connected when the host starts, and
    /// disposed with the container.
    /// </remarks>
    public static IZnDrawStorageBuilder AddZnDrawStorage(this IServiceCollection services, Action<ZnDrawStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ZnDrawStorageOptions>().Configure(configure);
        return AddCore(services);
    }

    /// <summary>
    /// Registers ZnDraw.Storage with options bound from <paramref name="configuration"/> (e.g.
    /// <c>configuration.GetSection("ZnDrawStorage")</c>), validated when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="ZnDrawStorageOptions"/>' properties.</param>
    /// <returns>A builder that satellite packages extend.</returns>
    /// <remarks>Validation and connection errors name settings by their configuration path (e.g. <c>ZnDrawStorage:ConnectionString</c>).</remarks>
    public static IZnDrawStorageBuilder AddZnDrawStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        BindOptions(services, configuration)
            .Configure(o => ZnDrawStorageConfiguration.Describe(o, configuration, connectionStrings: null, connectionName: null));
        return AddCore(services);
    }

    /// <summary>
    /// Registers ZnDraw.Storage with options bound from <paramref name="configuration"/> and the Redis connection string
    /// from <c>ConnectionStrings:<paramref name="connectionName"/></c> of <paramref name="connectionStrings"/> (.NET
    /// Aspire's convention), validated when the host starts. <see cref="ZnDrawStorageHostApplicationBuilderExtensions.AddZnDrawStorage"/>
    /// calls it with the host's configuration.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The section holding <see cref="ZnDrawStorageOptions"/>' properties (<c>ZnDrawStorage</c>).</param>
    /// <param name="connectionStrings">The configuration holding the <c>ConnectionStrings</c> section (the root).</param>
    /// <param name="connectionName">The name of the connection string, e.g. <c>redis</c>.</param>
    /// <param name="configure">Runs after both are read, e.g. to set options that configuration cannot hold.</param>
    /// <returns>A builder that satellite packages extend.</returns>
    internal static IZnDrawStorageBuilder AddZnDrawStorageWithConnectionName(
        IServiceCollection services,
        IConfiguration configuration,
        IConfiguration connectionStrings,
        string connectionName,
        Action<ZnDrawStorageOptions>? configure)
    {
        var options = BindOptions(services, configuration)
            .Configure(o => ZnDrawStorageConfiguration.Describe(o, configuration, connectionStrings, connectionName));
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddCore(services);
    }

    /// <summary>
    /// Adds a health check that is healthy when Redis answers PING within <paramref name="timeout"/>.
    /// </summary>
    /// <param name="builder">The ZnDraw.Storage builder.</param>
    /// <param name="name">The check's name. Default <c>zndraw-redis</c>.</param>
    /// <param name="timeout">How long PING may take. Default 2 s; must be positive.</param>
    /// <param name="failureStatus">The status reported on failure. Default <see cref="HealthStatus.Unhealthy"/>.</param>
    /// <param name="tags">Tags for filtering checks.</param>
    /// <returns>The builder.</returns>
    public static IZnDrawStorageBuilder AddRedisHealthCheck(
        this IZnDrawStorageBuilder builder,
        string name = "zndraw-redis",
        TimeSpan? timeout = null,
        HealthStatus? failureStatus = null,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var wait = timeout ?? TimeSpan.FromSeconds(2);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(wait, TimeSpan.Zero, nameof(timeout));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            name,
            sp => new ZnDrawRedisHealthCheck(sp.GetRequiredService<ZnDrawConnection>(), wait),
            failureStatus,
            tags));
        return builder;
    }

    /// <summary>
    /// What <c>OptionsBuilder.Bind</c> does (values, and a reload when the configuration changes), through the
    /// source-generated binder: <see cref="ZnDrawStorageOptionsBinding"/> says why not <c>Bind(configuration)</c> itself.
    /// </summary>
    private static OptionsBuilder<ZnDrawStorageOptions> BindOptions(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IOptionsChangeTokenSource<ZnDrawStorageOptions>>(
            new ConfigurationChangeTokenSource<ZnDrawStorageOptions>(Options.Options.DefaultName, configuration));
        return services.AddOptions<ZnDrawStorageOptions>().Configure(o => ZnDrawStorageOptionsBinding.Bind(configuration, o));
    }

    private static ZnDrawStorageBuilder AddCore(IServiceCollection services)
    {
        services.AddOptions<ZnDrawStorageOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZnDrawStorageOptions>, ZnDrawStorageOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ZnDrawConnection>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ZnDrawStorageStartup>(sp => new ZnDrawStorageStartup(
            sp.GetRequiredService<ZnDrawConnection>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>(),
            (ILogger?)sp.GetService<ILogger<UserService>>() ?? NullLogger.Instance)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AclStartCheck>(sp => new AclStartCheck(sp))); // after the connect: docs/acl.md
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value.CreateKeySpace());
        services.TryAddSingleton(sp => new RedisStoreContext(
            sp.GetRequiredService<ZnDrawConnection>().Multiplexer,
            sp.GetRequiredService<KeySpace>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value.Database,
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value.Limits,
            sp.GetService<Microsoft.Extensions.Logging.ILoggerFactory>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value.Replication));
        // History costs nothing until a sink is registered (AddHistorySink, AddSqlHistory): the recorder is then Off.
        services.AddOptions<HistoryOptions>();
        services.TryAddSingleton<IHistoryOutbox>(sp => new RedisHistoryOutbox(
            sp.GetRequiredService<RedisStoreContext>().Database,
            new HistoryOutbox(sp.GetRequiredService<IOptions<HistoryOptions>>().Value.StreamKey),
            sp.GetRequiredService<KeySpace>().Layout));
        services.TryAddSingleton<HistoryRecorder>();
        ZnDrawStorageRegistrations.AddRepositoriesAndServices(services);
        // After ZnDrawStorageStartup, so the first reconcile finds the connection made; it never delays host start.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, IndexReconciler>(sp => new IndexReconciler(
            sp.GetRequiredService<ZnDrawConnection>(),
            () => sp.GetRequiredService<RedisStoreContext>(),
            sp.GetRequiredService<IOptions<ZnDrawStorageOptions>>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<IndexReconciler>>())));
        return new ZnDrawStorageBuilder(services);
    }

    private sealed class ZnDrawStorageBuilder(IServiceCollection services) : IZnDrawStorageBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
