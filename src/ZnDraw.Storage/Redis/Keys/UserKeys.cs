using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

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
// Each key is a RedisKey of two parts, the UTF-8 head ("{prefix}user:" or "{prefix}admin:user:", built once per prefix)
// and the name itself, so the ZnDraw layout allocates nothing per key (StackExchange.Redis writes the two parts to the
// wire, hashes and compares them like the concatenated key). In the cluster-safe layout the second part is "{name}",
// one string shared by both keys.
public readonly struct UserKeys
{
    private static readonly Heads DefaultHeads = new(string.Empty);

    private static readonly Heads?[] PrefixCache = new Heads?[PrefixHeads.Slots]; // see PrefixHeads

    private readonly Heads? _heads;
    private readonly string? _tail;

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
        _heads = HeadsOf(keySpace.Prefix);
        _tail = keySpace.IsClusterSafe ? string.Concat("{", userName, "}") : userName;
    }

    /// <summary>The user name.</summary>
    public string UserName { get; }

    private string Tail => _tail ?? KeyValidation.ThrowUninitialized(nameof(UserKeys));

    /// <summary><c>user:{user}</c> — hash of the user's fields (<c>userName</c>, <c>createdAt</c>, <c>passwordHash</c>, <c>currentRoom</c>, ...); its existence means "the user exists".</summary>
    /// <returns>The key.</returns>
    public RedisKey HashKey() => new RedisKey(Tail).Prepend(_heads!.Hash);

    /// <summary><c>admin:user:{user}</c> — string <c>"1"</c> when the user is an admin.</summary>
    /// <returns>The key.</returns>
    public RedisKey AdminKey() => new RedisKey(Tail).Prepend(_heads!.Admin);

    /// <summary>Describes the builder, e.g. <c>UserKeys(user:bob)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _tail is null ? "UserKeys(default)" : $"UserKeys({(string?)HashKey()})";

    private static Heads HeadsOf(string prefix) => PrefixHeads.Get(PrefixCache, DefaultHeads, prefix, static p => new Heads(p));

    // Immutable; never mutate the arrays (they are shared by every key built with them).
    private sealed class Heads(string prefix) : IPrefixHead
    {
        public string Prefix { get; } = prefix;

        public byte[] Hash { get; } = System.Text.Encoding.UTF8.GetBytes(prefix + "user:");

        public byte[] Admin { get; } = System.Text.Encoding.UTF8.GetBytes(prefix + "admin:user:");
    }
}
