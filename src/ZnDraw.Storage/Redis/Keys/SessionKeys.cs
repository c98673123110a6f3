using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

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
// Like UserKeys, each key is a RedisKey of the UTF-8 head "{prefix}sid:" (built once per prefix) and the rest: the sid
// itself for sid:{sid} (no allocation in the ZnDraw layout), "{sid}:role" for the role key.
public readonly struct SessionKeys
{
    private static readonly Head DefaultHead = new(string.Empty);

    private static readonly Head?[] PrefixCache = new Head?[PrefixHeads.Slots]; // see PrefixHeads

    private readonly Head? _head;
    private readonly string? _tail;

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
        _head = HeadOf(keySpace.Prefix);
        _tail = keySpace.IsClusterSafe ? string.Concat("{", sid, "}") : sid;
    }

    /// <summary>The session id.</summary>
    public string Sid { get; }

    private string Tail => _tail ?? KeyValidation.ThrowUninitialized(nameof(SessionKeys));

    /// <summary><c>sid:{sid}</c> — string, the user name of the session.</summary>
    /// <returns>The key.</returns>
    public RedisKey Username() => new RedisKey(Tail).Prepend(_head!.Bytes);

    /// <summary><c>sid:{sid}:role</c> — string, <c>guest</c>, <c>user</c> or <c>admin</c> (ZnDraw since 2025-11-04).</summary>
    /// <returns>The key.</returns>
    public RedisKey Role() => new RedisKey(string.Concat(Tail, ":role")).Prepend(_head!.Bytes);

    /// <summary>Describes the builder, e.g. <c>SessionKeys(sid:abc)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _tail is null ? "SessionKeys(default)" : $"SessionKeys({(string?)Username()})";

    private static Head HeadOf(string prefix) => PrefixHeads.Get(PrefixCache, DefaultHead, prefix, static p => new Head(p));

    // Immutable; never mutate the array (it is shared by every key built with it).
    private sealed class Head(string prefix) : IPrefixHead
    {
        public string Prefix { get; } = prefix;

        public byte[] Bytes { get; } = System.Text.Encoding.UTF8.GetBytes(prefix + "sid:");
    }
}
