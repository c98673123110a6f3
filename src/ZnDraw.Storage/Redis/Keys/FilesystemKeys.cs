using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>
/// The Redis keys of one filesystem provider (room-scoped <c>room:{room}:filesystems:{fs}…</c> or global
/// <c>global:filesystems:{fs}…</c>): its metadata hash and its worker key; plus static builders for the worker reverse
/// index.
/// </summary>
/// <remarks>
/// <para>
/// Mirrors <c>FilesystemKeys</c> of ZnDraw's <c>redis_keys.py</c> (2025-11-04). Filesystem names may contain
/// <c>:</c> but must not end in <c>:worker</c> (see <see cref="KeyValidation.ValidateFilesystemName"/>).
/// </para>
/// <para>
/// Hazard kept from ZnDraw's design: the worker reverse index <c>room:{room}:filesystems:{sid}</c> is in the same key
/// space as the metadata hashes, so a filesystem named like a worker's sid has the same key as that worker's index
/// (ZnDraw tells them apart by Redis type, a hash vs a set). Nothing can fix this while keeping ZnDraw's key names;
/// hosts should refuse filesystem names that look like sids. <see cref="Index"/> (a set of names) is this library's
/// and equals no ZnDraw key.
/// </para>
/// <para>
/// In the <see cref="KeyLayout.ClusterSafe"/> layout room-scoped keys carry the room id as hash tag; all global
/// filesystem keys (metadata, worker, reverse index, <see cref="GlobalKeys.GlobalFilesystemsIndex()"/>) carry the fixed
/// tag <c>{filesystems}</c> (<c>global:{filesystems}:{fs}</c>), so registering a global filesystem is one slot.
/// </para>
/// </remarks>
// A readonly struct for the same reason as RoomKeys: no heap object per call; default(FilesystemKeys) throws.
// The metadata key is built once, as one string (it is also sent as a script argument). A room's index is the room's
// cached UTF-8 prefix (see RoomKeys) plus "filesystems", so no scope string is built; the global scope is cached by
// the key space's GlobalKeys.
public readonly struct FilesystemKeys
{
    private readonly byte[]? _roomPrefix;
    private readonly KeySpace? _space;
    private readonly string? _metadata;

    private FilesystemKeys(byte[]? roomPrefix, KeySpace space, string metadata, string? roomId, string name)
    {
        _roomPrefix = roomPrefix;
        _space = space;
        _metadata = metadata;
        RoomId = roomId;
        Name = name;
    }

    /// <summary>The room id, or <see langword="null"/> for a global filesystem.</summary>
    public string? RoomId { get; }

    /// <summary>Whether this is a global (public) filesystem.</summary>
    public bool IsGlobal => RoomId is null;

    /// <summary>The filesystem name.</summary>
    public string Name { get; }

    /// <summary><c>room:{room}:filesystems:{fs}</c> (or <c>global:filesystems:{fs}</c>) — hash: <c>name</c>, <c>fsType</c>, <c>workerId</c>, <c>userName</c>, <c>public</c>.</summary>
    public RedisKey Metadata() => _metadata ?? KeyValidation.ThrowUninitialized(nameof(FilesystemKeys));

    /// <summary><c>…:filesystems:{fs}:worker</c> — string, the sid of the providing worker.</summary>
    public RedisKey Worker() => (_metadata ?? KeyValidation.ThrowUninitialized(nameof(FilesystemKeys))) + ":worker";

    /// <summary>
    /// <c>room:{room}:filesystems</c> (or <c>global:filesystems</c>) — set of the scope's filesystem names, added by this
    /// library: the same key as <see cref="RoomKeys.FilesystemsIndex()"/> or <see cref="GlobalKeys.GlobalFilesystemsIndex()"/>.
    /// </summary>
    public RedisKey Index() => Space is var space && _roomPrefix is { } prefix
        ? new RedisKey(RoomIndexWord).Prepend(prefix)
        : space.Global.GlobalFilesystemsScope;

    private const string RoomIndexWord = "filesystems";

    private KeySpace Space => _space ?? ThrowUninitialized();

    /// <summary>Creates the keys of filesystem <paramref name="filesystemName"/> in room <paramref name="roomId"/>, default key space.</summary>
    /// <param name="roomId">The room id (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="filesystemName">The filesystem name (see <see cref="KeyValidation.ValidateFilesystemName"/>).</param>
    /// <returns>The filesystem's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static FilesystemKeys ForFilesystem(string roomId, string filesystemName) =>
        ForFilesystem(roomId, filesystemName, KeySpace.Default);

    /// <summary>Creates the keys of filesystem <paramref name="filesystemName"/> in room <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The room id (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="filesystemName">The filesystem name (see <see cref="KeyValidation.ValidateFilesystemName"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The filesystem's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static FilesystemKeys ForFilesystem(string roomId, string filesystemName, KeySpace keySpace)
    {
        byte[] prefix = RoomPrefix(roomId, keySpace);
        KeyValidation.ValidateFilesystemName(filesystemName);
        return new FilesystemKeys(prefix, keySpace, keySpace.RoomKeyText(roomId, "filesystems:", filesystemName), roomId, filesystemName);
    }

    /// <summary>Creates the keys of global filesystem <paramref name="filesystemName"/>, default key space.</summary>
    /// <param name="filesystemName">The filesystem name (see <see cref="KeyValidation.ValidateFilesystemName"/>).</param>
    /// <returns>The filesystem's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="filesystemName"/> is invalid.</exception>
    public static FilesystemKeys ForGlobalFilesystem(string filesystemName) =>
        ForGlobalFilesystem(filesystemName, KeySpace.Default);

    /// <summary>Creates the keys of global filesystem <paramref name="filesystemName"/>.</summary>
    /// <param name="filesystemName">The filesystem name (see <see cref="KeyValidation.ValidateFilesystemName"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The filesystem's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="filesystemName"/> is invalid.</exception>
    public static FilesystemKeys ForGlobalFilesystem(string filesystemName, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateFilesystemName(filesystemName);
        return new FilesystemKeys(null, keySpace, string.Concat(keySpace.Global.GlobalFilesystemsScope, ":", filesystemName), null, filesystemName);
    }

    /// <summary><c>room:{room}:filesystems:{sid}</c> — set of the filesystem names a worker provides (reverse index), default key space.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey UserFilesystemsKey(string roomId, string sid) => UserFilesystemsKey(roomId, sid, KeySpace.Default);

    /// <summary><c>room:{room}:filesystems:{sid}</c> — set of the filesystem names a worker provides (reverse index).</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey UserFilesystemsKey(string roomId, string sid, KeySpace keySpace)
    {
        _ = RoomPrefix(roomId, keySpace);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        return keySpace.RoomKeyText(roomId, "filesystems:", sid);
    }

    /// <summary><c>global:filesystems:{sid}</c> — set of the global filesystem names a worker provides, default key space.</summary>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public static RedisKey GlobalUserFilesystemsKey(string sid) => GlobalUserFilesystemsKey(sid, KeySpace.Default);

    /// <summary><c>global:filesystems:{sid}</c> — set of the global filesystem names a worker provides.</summary>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public static RedisKey GlobalUserFilesystemsKey(string sid, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        return string.Concat(keySpace.Global.GlobalFilesystemsScope, ":", sid);
    }

    /// <summary>The worker reverse index in this filesystem's scope: <c>…:filesystems:{sid}</c>.</summary>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The key: <see cref="UserFilesystemsKey(string, string, KeySpace)"/> or <see cref="GlobalUserFilesystemsKey(string, KeySpace)"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public RedisKey UserFilesystems(string sid)
    {
        KeySpace space = Space;
        KeyValidation.ValidateSessionId(sid, space.Layout);
        return _roomPrefix is not null
            ? space.RoomKeyText(RoomId!, "filesystems:", sid)
            : string.Concat(space.Global.GlobalFilesystemsScope, ":", sid);
    }

    /// <summary>
    /// The text every metadata key of this scope starts with, before the filesystem name (<c>room:{room}:filesystems:</c>
    /// or <c>global:filesystems:</c>, with prefix and hash tag), in one allocation, for scripts that build such keys.
    /// </summary>
    internal string MetadataHeadText() => _roomPrefix is not null
        ? Space.RoomKeyText(RoomId!, "filesystems:")
        : Space.Global.GlobalFilesystemsScope + ":";

    /// <summary><see cref="MetadataHeadText()"/> of a scope: room <paramref name="roomId"/>, or global when it is <see langword="null"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    internal static string MetadataHeadText(string? roomId, KeySpace keySpace)
    {
        if (roomId is null)
        {
            ArgumentNullException.ThrowIfNull(keySpace);
            return keySpace.Global.GlobalFilesystemsScope + ":";
        }

        _ = RoomPrefix(roomId, keySpace);
        return keySpace.RoomKeyText(roomId, "filesystems:");
    }

    /// <summary>Describes the keys, e.g. <c>FilesystemKeys(room:r1:filesystems:local)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _metadata is null ? "FilesystemKeys(default)" : $"FilesystemKeys({_metadata})";

    // Validates the room id (the KeySpace caches the prefix of a valid one).
    private static byte[] RoomPrefix(string roomId, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        return keySpace.RoomPrefix(roomId);
    }

    private static KeySpace ThrowUninitialized()
    {
        KeyValidation.ThrowUninitialized(nameof(FilesystemKeys));
        return null!;
    }
}
