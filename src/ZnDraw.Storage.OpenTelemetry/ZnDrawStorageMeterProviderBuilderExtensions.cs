using ZnDraw.Storage.Diagnostics;

#pragma warning disable IDE0130 // OpenTelemetry's own extensions live in its namespace, so hosts need no extra using.
namespace OpenTelemetry.Metrics;
#pragma warning restore IDE0130

/// <summary>Adds ZnDraw.Storage's instruments to an OpenTelemetry meter provider.</summary>
public static class ZnDrawStorageMeterProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <c>ZnDraw.Storage</c> meter: operation durations and errors, index reconciliation, unreadable
    /// entries skipped by listings, and history delivery counters.
    /// </summary>
    /// <param name="builder">The meter provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>Without this call (or <c>AddMeter("ZnDraw.Storage")</c>) the library measures nothing.</remarks>
    public static MeterProviderBuilder AddZnDrawStorageInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ZnDrawStorageDiagnostics.Name);
    }
}
