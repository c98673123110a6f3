namespace ZnDraw.Storage;

/// <summary>
/// The feature sets of the library whose Redis permissions <see cref="ZnDrawRedisAcl"/> describes; combine them with
/// <c>|</c> for a host that uses several. See <c>docs/acl.md</c>.
/// </summary>
[Flags]
public enum ZnDrawAclFeatures
{
    /// <summary>No feature.</summary>
    None = 0,

    /// <summary>The repositories and services (and StackExchange.Redis's connection handshake): every host needs it.</summary>
    Core = 1,

    /// <summary>Durable history: the outbox stream appended by the repositories and read by the history dispatcher.</summary>
    DurableHistory = 2,

    /// <summary>
    /// The index reconciler's keyspace notifications (on by default on a single node): the subscription to the key-space
    /// (or key-event) channels of room, user and admin keys.
    /// </summary>
    KeyspaceNotifications = 4,

    /// <summary>
    /// The reindex (<c>IIndexMaintenance.ReindexAsync</c>) and the index reconciler's periodic pass (on by default),
    /// which scans the key space.
    /// </summary>
    Reindex = 8,

    /// <summary>A Redis Cluster (with the cluster-safe layout): the client's slot discovery and redirects.</summary>
    Cluster = 16,

    /// <summary>
    /// The operator tool's <c>check</c> (<c>StorageCheck</c>): the reindex's scan and the reads of every aggregate, plus
    /// the key count of each primary for its progress; includes <see cref="Reindex"/>.
    /// </summary>
    Check = 32,
}
