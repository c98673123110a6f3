using System.Reflection;

namespace ZnDraw.Storage.Tests.Infrastructure;

/// <summary>
/// The repository's root folder, for tests that read sources and docs (layer rules, the configuration schema and its
/// table): the nearest ancestor of the test binaries that holds the solution file, or, for binaries built elsewhere
/// (the dependency-floors pass builds into a temporary artifacts folder), the folder the test project recorded at build.
/// </summary>
internal static class RepositoryRoot
{
    private static readonly Lazy<string> Root = new(Find);

    /// <summary>The root's full path.</summary>
    public static string Path => Root.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (IsRoot(dir.FullName))
            {
                return dir.FullName;
            }
        }

        string? recorded = typeof(RepositoryRoot).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        return recorded is not null && IsRoot(recorded)
            ? recorded
            : throw new InvalidOperationException("The repository root (ZnDraw.Storage.sln) is neither above the test binaries nor where the build recorded it.");
    }

    private static bool IsRoot(string folder) => File.Exists(System.IO.Path.Combine(folder, "ZnDraw.Storage.sln"));
}
