using StackExchange.Redis;

namespace ZnDraw.Storage.Keys;

/// <summary>The Redis keys of one user: <c>user:{user}</c> and <c>admin:user:{user}</c>.</summary>
/// <remarks>
/// <para>
/// Mirrors <c>UserKeys</c> of ZnDraw's <c>redis_keys.py</c>. The user name is validated once, here (see
/// <see cref="KeyValidation.ValidateUserName"/>): names may contain <c>:</c>, <c>*</c>, inner spaces and non-ASCII
/// letters, as in ZnDraw. Both keys end with the name, so every name gives distinct keys.
/// </para>
/// <para>In the <see cref="KeyLayout.ClusterSafe"/> layout the name is a hash tag (<c>user:{bob}</c>, <c>admin:user:{bob}</c>): one slot.</para>
/// </remarks>
// A readonly struct for the same reason as RoomKeys: no heap object per call; default(UserKeys) throws.
public readonly struct UserKeys
{
    private readonly string? _prefix;
    private readonly string? _userSegment;

    /// <summary>Creates the key builder of user <paramref name="userName"/> in the default (ZnDraw) key space.</summary>
    /// <param name="userName">The user name (see <see cref="KeyValidation.ValidateUserName"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="userName"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="userName"/> is invalid.</exception>
    public UserKeys(string userName)
        : this(userName, KeySpace.Default)
    {
    }

    /// <summary>Creates the key builder of user <paramref name="userName"/> in <paramref name="keySpace"/>.</summary>
    /// <param name="userName">The user name (see <see cref="KeyValidation.ValidateUserName"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="userName"/> is invalid.</exception>
    public UserKeys(string userName, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateUserName(userName, keySpace.Layout);
        UserName = userName;
        _prefix = keySpace.Prefix;

        // "user:{name}" without the space prefix, shared by both keys; with no prefix HashKey() allocates nothing.
        _userSegment = keySpace.IsClusterSafe ? string.Concat("user:{", userName, "}") : "user:" + userName;
    }

    /// <summary>The user name.</summary>
    public string UserName { get; }

    private string Segment => _userSegment ?? KeyValidation.ThrowUninitialized(nameof(UserKeys));

    /// <summary><c>user:{user}</c> — hash of the user's fields (<c>userName</c>, <c>createdAt</c>, <c>passwordHash</c>, <c>currentRoom</c>, ...); its existence means "the user exists".</summary>
    /// <returns>The key.</returns>
    public RedisKey HashKey() => _prefix + Segment;

    /// <summary><c>admin:user:{user}</c> — string <c>"1"</c> when the user is an admin.</summary>
    /// <returns>The key.</returns>
    public RedisKey AdminKey() => string.Concat(_prefix, "admin:", Segment);

    /// <summary>Describes the builder, e.g. <c>UserKeys(user:bob)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _userSegment is null ? "UserKeys(default)" : $"UserKeys({_prefix}{_userSegment})";
}
