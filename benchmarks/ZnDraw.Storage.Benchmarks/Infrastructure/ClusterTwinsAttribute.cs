namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// The paired comparison measures this twin class a second time on the Redis Cluster (cluster-safe layout, raw twins
/// with hash-tagged keys; rows "(cluster)"), with the same targets as on one server: in the full run always, in the
/// quick (CI) run only when <see cref="Quick"/> (a small representative subset). The class builds its key names with
/// <see cref="RedisBenchmark.Room(string)"/> and uses database 0 only.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ClusterTwinsAttribute : Attribute
{
    /// <summary>Whether the quick run measures the class on the cluster too.</summary>
    public bool Quick { get; init; }
}
