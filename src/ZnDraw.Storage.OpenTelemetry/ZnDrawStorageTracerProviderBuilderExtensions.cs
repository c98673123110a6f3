using ZnDraw.Storage.Diagnostics;

#pragma warning disable IDE0130 // OpenTelemetry's own extensions live in its namespace, so hosts need no extra using.
namespace OpenTelemetry.Trace;
#pragma warning restore IDE0130

/// <summary>Adds ZnDraw.Storage's spans to an OpenTelemetry tracer provider.</summary>
public static class ZnDrawStorageTracerProviderBuilderExtensions
{
    /// <summary>
    /// Subscribes to the <c>ZnDraw.Storage</c> activity source: one <c>Internal</c> span per service operation (e.g.
    /// <c>room.create</c>) and per unit of background work, tagged <c>db.system.name</c> and, on failure,
    /// <c>error.type</c> with an error status.
    /// </summary>
    /// <param name="builder">The tracer provider builder.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>Without this call (or <c>AddSource("ZnDraw.Storage")</c>) the library starts no activity at all.</remarks>
    public static TracerProviderBuilder AddZnDrawStorageInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ZnDrawStorageDiagnostics.Name);
    }
}
