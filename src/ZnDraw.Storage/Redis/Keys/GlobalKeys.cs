using StackExchange.Redis;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>The keys of a key space that belong to no room, user or session: the default room and the index sets.</summary>
/// <remarks>
/// <para>
/// <see cref="DefaultRoom"/> is ZnDraw's. <see cref="RoomsIndex"/>, <see cref="UsersIndex"/> and
/// <see cref="AdminsIndex"/> are the names ZnDraw itself adopted for its index sets (December 2025).
/// <see cref="GlobalFilesystemsIndex"/> and <see cref="HistoryOutbox"/> are this library's; see each member for why
/// they cannot equal a ZnDraw key.
/// </para>
/// <para>
/// Three keys that ZnDraw reads but never writes (<c>presenter:{room}</c>, <c>lock:trajectory:meta:{room}:metadata</c>,
/// <c>userName:{worker}:sid</c>) have no builder: reading them always yields nothing, and writing them would create
/// data ZnDraw's writers never produce. The live keys are <see cref="RoomKeys.PresenterLock"/> and
/// <see cref="RoomKeys.LockMetadata"/>.
/// </para>
/// <para>
/// In the <see cref="KeyLayout.ClusterSafe"/> layout only <see cref="GlobalFilesystemsIndex"/> carries a hash tag
/// (<c>global:{filesystems}</c>, the slot of every global filesystem key). The other index sets cannot share a slot
/// with the keys they index: on a cluster those writes are separate steps. The history outbox is sharded in that
/// layout (<c>{stream}:{tag}</c>, one stream per hash slot in use), so each event shares the slot of its state change.
/// </para>
/// <para>All keys are computed once; the methods return them without allocating.</para>
/// </remarks>
public sealed class GlobalKeys
{
    private readonly RedisKey _defaultRoom;
    private readonly RedisKey _roomsIndex;
    private readonly RedisKey _usersIndex;
    private readonly RedisKey _adminsIndex;
    private readonly RedisKey _historyOutbox;

    /// <summary>Creates the global keys of the default (ZnDraw) key space; <see cref="KeySpace.Default"/>.<see cref="KeySpace.Global"/> is the shared instance.</summary>
    public GlobalKeys()
        : this(KeySpace.Default)
    {
    }

    /// <summary>Creates the global keys of <paramref name="keySpace"/>; <see cref="KeySpace.Global"/> is the shared instance.</summary>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <exception cref="ArgumentNullException"><paramref name="keySpace"/> is null.</exception>
    public GlobalKeys(KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        var prefix = keySpace.Prefix;
        _defaultRoom = prefix + "default_room";
        _roomsIndex = prefix + "rooms:index";
        _usersIndex = prefix + "users:index";
        _adminsIndex = prefix + "admins:index";
        _historyOutbox = prefix + "zndraw-storage:history";
        GlobalFilesystemsScope = keySpace.IsClusterSafe ? prefix + "global:{filesystems}" : prefix + "global:filesystems";
    }

    /// <summary><c>global:filesystems</c> (or <c>global:{filesystems}</c>): the index set, and the head of every global filesystem key.</summary>
    internal string GlobalFilesystemsScope { get; }

    /// <summary><c>default_room</c> — string, the room id new clients land in.</summary>
    /// <returns>The key.</returns>
    public RedisKey DefaultRoom() => _defaultRoom;

    /// <summary><c>rooms:index</c> — set of every room id, kept with room create, copy and delete.</summary>
    /// <returns>The key.</returns>
    public RedisKey RoomsIndex() => _roomsIndex;

    /// <summary><c>users:index</c> — set of every user name.</summary>
    /// <returns>The key.</returns>
    public RedisKey UsersIndex() => _usersIndex;

    /// <summary><c>admins:index</c> — set of every admin user name.</summary>
    /// <returns>The key.</returns>
    public RedisKey AdminsIndex() => _adminsIndex;

    /// <summary><c>global:filesystems</c> — set of every global filesystem name. Added by this library.</summary>
    /// <returns>The key.</returns>
    /// <remarks>
    /// ZnDraw's global filesystem keys all have a further segment (<c>global:filesystems:{fs}</c>,
    /// <c>…:{fs}:worker</c>, <c>…:{sid}</c>, none empty), so none is exactly this key.
    /// </remarks>
    public RedisKey GlobalFilesystemsIndex() => GlobalFilesystemsScope;

    /// <summary><c>zndraw-storage:history</c> — stream of history events (transactional outbox). Added by this library.</summary>
    /// <returns>The key.</returns>
    /// <remarks>No ZnDraw key starts with <c>zndraw-storage:</c>.</remarks>
    public RedisKey HistoryOutbox() => _historyOutbox;

    /// <summary>Describes the keys, e.g. <c>GlobalKeys(prefix="")</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => $"GlobalKeys({_defaultRoom}, {_roomsIndex}, ...)";
}
