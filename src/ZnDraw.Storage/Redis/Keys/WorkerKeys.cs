using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>The Redis keys this library keeps for one worker (a Socket.IO sid or a Celery worker id). ZnDraw writes none of them.</summary>
/// <remarks>
/// <para>
/// <see cref="Registrations"/> is <c>zndraw-storage:worker:{sid}:registrations</c>. No ZnDraw key starts with
/// <c>zndraw-storage:</c>, and the sid rule (<see cref="KeyValidation.ValidateSessionId"/>) applies, so the key is
/// distinct from every ZnDraw key and from every other worker's.
/// </para>
/// <para>
/// In the <see cref="KeyLayout.ClusterSafe"/> layout the sid is a hash tag, so the set shares a slot with
/// <c>sid:{sid}</c>. It can never share a slot with the room or global extension keys it records: writing it in the
/// same transaction as a registration is cross-slot on a cluster.
/// </para>
/// </remarks>
// A readonly struct for the same reason as RoomKeys: no heap object per call; default(WorkerKeys) throws.
public readonly struct WorkerKeys
{
    private readonly string? _registrations;

    /// <summary>Creates the key builder of worker <paramref name="sid"/> in the default (ZnDraw) key space.</summary>
    /// <param name="sid">The worker id: a sid or <c>celery:{taskId}</c> (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="sid"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public WorkerKeys(string sid)
        : this(sid, KeySpace.Default)
    {
    }

    /// <summary>Creates the key builder of worker <paramref name="sid"/> in <paramref name="keySpace"/>.</summary>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public WorkerKeys(string sid, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        Sid = sid;
        _registrations = keySpace.Build("zndraw-storage:worker:", sid, ":registrations");
    }

    /// <summary>The worker id.</summary>
    public string Sid { get; }

    /// <summary>
    /// <c>zndraw-storage:worker:{sid}:registrations</c> — set recording every (scope, category) the worker registered
    /// extensions or filesystems in, so that disconnect cleanup finds them all.
    /// </summary>
    /// <returns>The key.</returns>
    public RedisKey Registrations() => _registrations ?? KeyValidation.ThrowUninitialized(nameof(WorkerKeys));

    /// <summary>Describes the builder, e.g. <c>WorkerKeys(zndraw-storage:worker:abc:registrations)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _registrations is null ? "WorkerKeys(default)" : $"WorkerKeys({_registrations})";
}
