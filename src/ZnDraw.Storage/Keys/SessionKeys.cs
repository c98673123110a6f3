using StackExchange.Redis;

namespace ZnDraw.Storage.Keys;

/// <summary>The Redis keys of one Socket.IO session: <c>sid:{sid}</c> and <c>sid:{sid}:role</c>.</summary>
/// <remarks>
/// <para>
/// Mirrors <c>SessionKeys</c> of ZnDraw's <c>redis_keys.py</c>. The sid is validated once, here (see
/// <see cref="KeyValidation.ValidateSessionId"/>): no <c>:</c> except in the Celery form <c>celery:{taskId}</c>, so
/// <c>sid:{x}:role</c> can never be <c>sid:{sid}</c> of another sid.
/// </para>
/// <para>In the <see cref="KeyLayout.ClusterSafe"/> layout the sid is a hash tag (<c>sid:{abc}</c>, <c>sid:{abc}:role</c>): one slot.</para>
/// </remarks>
// A readonly struct for the same reason as RoomKeys: no heap object per call; default(SessionKeys) throws.
public readonly struct SessionKeys
{
    private readonly string? _username;

    /// <summary>Creates the key builder of session <paramref name="sid"/> in the default (ZnDraw) key space.</summary>
    /// <param name="sid">The Socket.IO session id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="sid"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public SessionKeys(string sid)
        : this(sid, KeySpace.Default)
    {
    }

    /// <summary>Creates the key builder of session <paramref name="sid"/> in <paramref name="keySpace"/>.</summary>
    /// <param name="sid">The Socket.IO session id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public SessionKeys(string sid, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        Sid = sid;
        _username = keySpace.Build("sid:", sid, string.Empty);
    }

    /// <summary>The session id.</summary>
    public string Sid { get; }

    private string UsernameKey => _username ?? KeyValidation.ThrowUninitialized(nameof(SessionKeys));

    /// <summary><c>sid:{sid}</c> — string, the user name of the session.</summary>
    /// <returns>The key.</returns>
    public RedisKey Username() => UsernameKey;

    /// <summary><c>sid:{sid}:role</c> — string, <c>guest</c>, <c>user</c> or <c>admin</c> (ZnDraw since 2025-11-04).</summary>
    /// <returns>The key.</returns>
    public RedisKey Role() => UsernameKey + ":role";

    /// <summary>Describes the builder, e.g. <c>SessionKeys(sid:abc)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _username is null ? "SessionKeys(default)" : $"SessionKeys({_username})";
}
