using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>The Redis keys of one room: <c>room:{room}:…</c>, as ZnDraw names them.</summary>
/// <remarks>
/// <para>
/// Mirrors <c>RoomKeys</c> of ZnDraw's <c>redis_keys.py</c> and adds the room keys that file lacks
/// (<see cref="Metadata"/>, <see cref="Users"/>, chat data and counter, per-user settings and extension data, the
/// job sets). ZnDraw's declared but never written <c>settings(username)</c> and <c>chat_message(id)</c> are left
/// out on purpose. The room id is validated once, here; methods taking another id validate that id.
/// </para>
/// <para>
/// In the <see cref="KeyLayout.ClusterSafe"/> layout the room id is a hash tag (<c>room:{r1}:current_frame</c>),
/// so every key of the room, including its job hashes and extension keys, is in one cluster slot.
/// </para>
/// </remarks>
// A readonly struct: builders are created per call on hot paths, so a struct saves a heap object. The "room:{id}:"
// prefix is UTF-8 bytes cached by the KeySpace, and each key is a RedisKey of that prefix plus its suffix: a key with a
// constant suffix allocates nothing, one with an id allocates the suffix string only (StackExchange.Redis writes the
// two parts to the wire, hashes and compares them like the concatenated key).
// default(RoomKeys) has no prefix and throws instead of building a key.
public readonly struct RoomKeys
{
    private readonly byte[]? _prefix;
    private readonly KeySpace? _space;

    /// <summary>Creates the key builder of room <paramref name="roomId"/> in the default (ZnDraw) key space.</summary>
    /// <param name="roomId">The room id: ZnDraw's rule <c>^[a-zA-Z0-9_\-\.]+$</c> (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="roomId"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is not a valid room id.</exception>
    public RoomKeys(string roomId)
        : this(roomId, KeySpace.Default)
    {
    }

    /// <summary>Creates the key builder of room <paramref name="roomId"/> in <paramref name="keySpace"/>.</summary>
    /// <param name="roomId">The room id (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is not a valid room id.</exception>
    public RoomKeys(string roomId, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        _prefix = keySpace.RoomPrefix(roomId);
        RoomId = roomId;
        _space = keySpace;
    }

    /// <summary>The room id.</summary>
    public string RoomId { get; }

    private byte[] Prefix => _prefix ?? ThrowUninitialized();

    private KeyLayout Layout => _space?.Layout ?? KeyLayout.ZnDraw;

    /// <summary><c>room:{room}:description</c> — string, free text; absent when there is none.</summary>
    /// <returns>The key.</returns>
    public RedisKey Description() => Key("description");

    /// <summary><c>room:{room}:locked</c> — string <c>"1"</c> (read-only room) or <c>"0"</c>.</summary>
    /// <returns>The key.</returns>
    public RedisKey Locked() => Key("locked");

    /// <summary><c>room:{room}:hidden</c> — string <c>"1"</c> or <c>"0"</c>.</summary>
    /// <returns>The key.</returns>
    public RedisKey Hidden() => Key("hidden");

    /// <summary><c>room:{room}:current_frame</c> — string, decimal frame index; its existence means "the room exists".</summary>
    /// <returns>The key.</returns>
    public RedisKey CurrentFrame() => Key("current_frame");

    /// <summary><c>room:{room}:presenter_lock</c> — string, the presenter's sid, with a TTL.</summary>
    /// <returns>The key.</returns>
    public RedisKey PresenterLock() => Key("presenter_lock");

    /// <summary><c>room:{room}:lock:{target}</c> — string, the holder's user name, with a TTL.</summary>
    /// <param name="target">The lock target, e.g. <c>trajectory:meta</c> (see <see cref="KeyValidation.ValidateLockTarget"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/> is empty or ends in <c>:metadata</c>.</exception>
    public RedisKey Lock(string target)
    {
        KeyValidation.ValidateLockTarget(target);
        return Key(string.Concat("lock:", target));
    }

    /// <summary><c>room:{room}:lock:{target}:metadata</c> — string, JSON about the lock holder.</summary>
    /// <param name="target">The lock target (see <see cref="KeyValidation.ValidateLockTarget"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="target"/> is empty or ends in <c>:metadata</c>.</exception>
    public RedisKey LockMetadata(string target)
    {
        KeyValidation.ValidateLockTarget(target);
        return Key(string.Concat("lock:", target, ":metadata"));
    }

    /// <summary><c>room:{room}:bookmarks</c> — hash, frame index → label.</summary>
    /// <returns>The key.</returns>
    public RedisKey Bookmarks() => Key("bookmarks");

    /// <summary><c>room:{room}:geometries</c> — hash, geometry name → JSON <c>{"type", "data"}</c>.</summary>
    /// <returns>The key.</returns>
    public RedisKey Geometries() => Key("geometries");

    /// <summary><c>room:{room}:figures</c> — hash, figure key → figure JSON.</summary>
    /// <returns>The key.</returns>
    public RedisKey Figures() => Key("figures");

    /// <summary><c>room:{room}:selections</c> — hash, geometry name → JSON array of indices.</summary>
    /// <returns>The key.</returns>
    public RedisKey Selections() => Key("selections");

    /// <summary><c>room:{room}:selection_groups</c> — hash, group name → JSON object geometry → indices.</summary>
    /// <returns>The key.</returns>
    public RedisKey SelectionGroups() => Key("selection_groups");

    /// <summary><c>room:{room}:active_selection_group</c> — string, a group name.</summary>
    /// <returns>The key.</returns>
    public RedisKey ActiveSelectionGroup() => Key("active_selection_group");

    /// <summary><c>room:{room}:trajectory:indices</c> — sorted set of <c>{source_room}:{physical_index}</c> members.</summary>
    /// <returns>The key.</returns>
    public RedisKey TrajectoryIndices() => Key("trajectory:indices");

    /// <summary><c>room:{room}:frame_selection:{group}</c> — string, JSON array of frame indices.</summary>
    /// <param name="group">The selection group; ZnDraw only uses <c>default</c>.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="group"/> is empty.</exception>
    public RedisKey FrameSelection(string group = "default")
    {
        KeyValidation.ValidateSegment(group);
        return Key(string.Concat("frame_selection:", group));
    }

    /// <summary><c>room:{room}:metadata</c> — hash of file metadata (string values).</summary>
    /// <returns>The key.</returns>
    public RedisKey Metadata() => Key("metadata");

    /// <summary><c>room:{room}:users</c> — set of user names that ever joined.</summary>
    /// <returns>The key.</returns>
    public RedisKey Users() => Key("users");

    /// <summary><c>room:{room}:chat:index</c> — sorted set, message id scored by creation time (epoch ms).</summary>
    /// <returns>The key.</returns>
    public RedisKey ChatIndex() => Key("chat:index");

    /// <summary><c>room:{room}:chat:data</c> — hash, message id → message JSON.</summary>
    /// <returns>The key.</returns>
    public RedisKey ChatData() => Key("chat:data");

    /// <summary><c>room:{room}:chat:counter</c> — string, the last message number (INCR).</summary>
    /// <returns>The key.</returns>
    public RedisKey ChatCounter() => Key("chat:counter");

    /// <summary><c>room:{room}:user:{user}:settings</c> — hash, settings section → JSON.</summary>
    /// <param name="userName">The user name (see <see cref="KeyValidation.ValidateUserName"/>).</param>
    /// <returns>The key.</returns>
    /// <remarks>The same key as <see cref="UserExtensionData"/> with category <c>settings</c>, as in ZnDraw.</remarks>
    /// <exception cref="ArgumentException"><paramref name="userName"/> is invalid.</exception>
    public RedisKey UserSettings(string userName)
    {
        KeyValidation.ValidateUserName(userName, Layout);
        return Key(string.Concat("user:", userName, ":settings"));
    }

    /// <summary><c>room:{room}:user:{user}:{category}</c> — hash, extension name → last submitted form data (JSON).</summary>
    /// <param name="userName">The user name (see <see cref="KeyValidation.ValidateUserName"/>).</param>
    /// <param name="category">The extension category (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public RedisKey UserExtensionData(string userName, string category)
    {
        KeyValidation.ValidateUserName(userName, Layout);
        KeyValidation.ValidateCategory(category, Layout);
        return Key(string.Concat("user:", userName, ":", category));
    }

    /// <summary><c>room:{room}:jobs:active</c> — set of queued or running job ids.</summary>
    /// <returns>The key.</returns>
    public RedisKey JobsActive() => Key("jobs:active");

    /// <summary><c>room:{room}:jobs:inactive</c> — set of completed or failed job ids.</summary>
    /// <returns>The key.</returns>
    public RedisKey JobsInactive() => Key("jobs:inactive");

    /// <summary><c>room:{room}:jobs:by_time</c> — sorted set, job id scored by creation time (epoch seconds).</summary>
    /// <returns>The key.</returns>
    public RedisKey JobsByTime() => Key("jobs:by_time");

    /// <summary><c>room:{room}:extension:{category}:{extension}:jobs</c> — set of the extension's job ids.</summary>
    /// <param name="category">The extension category (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <param name="extension">The extension name (see <see cref="KeyValidation.ValidateExtensionName"/>).</param>
    /// <returns>The key.</returns>
    /// <remarks>ZnDraw writes <c>extension</c> (singular) here, unlike <c>extensions</c> in the worker keys.</remarks>
    /// <exception cref="ArgumentException">An argument is invalid.</exception>
    public RedisKey ExtensionJobs(string category, string extension)
    {
        KeyValidation.ValidateCategory(category, Layout);
        KeyValidation.ValidateExtensionName(extension);
        return Key(string.Concat("extension:", category, ":", extension, ":jobs"));
    }

    /// <summary><see cref="ExtensionJobs"/> as text (one allocation), for a key name also sent as a script argument.</summary>
    internal string ExtensionJobsText(string category, string extension)
    {
        KeyValidation.ValidateCategory(category, Layout);
        KeyValidation.ValidateExtensionName(extension);
        _ = Prefix;
        return _space!.RoomKeyText(RoomId, "extension:", category, ":", extension, ":jobs");
    }

    /// <summary>
    /// <c>room:{room}:filesystems</c> — set of the room's filesystem names. Added by this library; ZnDraw lists them
    /// with <c>SCAN room:{room}:filesystems:*</c>.
    /// </summary>
    /// <returns>The key.</returns>
    /// <remarks>
    /// No ZnDraw key is exactly this: every ZnDraw key under it has a further segment (a filesystem name or a sid,
    /// never empty). A name such as <c>room:{room}:filesystems:index</c> would collide with a filesystem named
    /// <c>index</c>.
    /// </remarks>
    public RedisKey FilesystemsIndex() => Key("filesystems");

    /// <summary>
    /// <c>room:{room}:keys</c> — set of the room's keys whose names carry a further id (lock targets, frame-selection
    /// groups, per-user settings and extension data, extension and filesystem keys, job hashes). Added by this
    /// library so that deleting a room removes every key without <c>SCAN</c>.
    /// </summary>
    /// <returns>The key.</returns>
    /// <remarks>
    /// No ZnDraw key is exactly this: ZnDraw's room keys end in fixed words (<c>description</c>, <c>locked</c>, ...)
    /// or carry a further segment after <c>lock:</c>, <c>user:</c>, <c>extensions:</c>, <c>frame_selection:</c> and
    /// the like. The reindex operation rebuilds the set for keys an older ZnDraw server wrote.
    /// </remarks>
    public RedisKey KeyRegistry() => Key("keys");

    /// <summary>Describes the builder, e.g. <c>RoomKeys(room:r1:*)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() =>
        _prefix is null ? "RoomKeys(default)" : $"RoomKeys({System.Text.Encoding.UTF8.GetString(_prefix)}*)";

    /// <summary>The key <c>{prefix}room:{id}:{suffix}</c>, without concatenating.</summary>
    internal RedisKey Key(string suffix) => new RedisKey(suffix).Prepend(Prefix);

    private static byte[] ThrowUninitialized()
    {
        KeyValidation.ThrowUninitialized(nameof(RoomKeys));
        return [];
    }
}
