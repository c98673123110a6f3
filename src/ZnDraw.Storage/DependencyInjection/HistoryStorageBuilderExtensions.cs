using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace, as Microsoft's do.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers history recording on an <see cref="IZnDrawStorageBuilder"/>.</summary>
public static class HistoryStorageBuilderExtensions
{
    /// <summary>
    /// Registers history recording (the recorder the services use and, for durable mode, the
    /// dispatcher as an <see cref="IHostedService"/>) and configures <see cref="HistoryOptions"/>,
    /// validated at start. History stays off until a sink is registered (<see cref="AddHistorySink{TSink}"/>
    /// or a sink package such as <c>AddSqlHistory</c>). Safe to call more than once.
    /// </summary>
    /// <param name="builder">The storage builder.</param>
    /// <param name="configure">Sets the mode and the dispatcher options, or <see langword="null"/> for the defaults.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IZnDrawStorageBuilder AddHistory(this IZnDrawStorageBuilder builder, Action<HistoryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var options = services.AddOptions<HistoryOptions>().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HistoryOptions>, HistoryOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<HistoryRecorder>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, HistoryDispatcher>());
        return builder;
    }

    /// <summary>Registers <typeparamref name="TSink"/> as the history sink (replacing any other) and history recording.</summary>
    /// <typeparam name="TSink">The sink; a singleton, so it must be thread-safe and must not capture scoped services.</typeparam>
    /// <param name="builder">The storage builder.</param>
    /// <returns>The same builder, for chaining.</returns>
    public static IZnDrawStorageBuilder AddHistorySink<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] TSink>(this IZnDrawStorageBuilder builder)
        where TSink : class, IHistorySink
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddHistory();
        builder.Services.Replace(ServiceDescriptor.Singleton<IHistorySink, TSink>());
        return builder;
    }
}
