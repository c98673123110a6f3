using Microsoft.Extensions.DependencyInjection;

namespace ZnDraw.Storage.DependencyInjection;

/// <summary>The repositories and services <c>AddZnDrawStorage</c> registers (all singletons: they hold no per-request state).</summary>
internal static class ZnDrawStorageRegistrations
{
    public static void AddRepositoriesAndServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
    }
}
