using StackExchange.Redis;

namespace ZnDraw.Storage.Keys;

/// <summary>
/// The Redis keys of one extension (room-scoped <c>room:{room}:extensions:{category}…</c> or global
/// <c>global:extensions:{category}…</c>): its category's schema hash, its idle and progressing worker sets and its task
/// queue; plus static builders for the schema hash and the worker reverse index.
/// </summary>
/// <remarks>
/// <para>
/// Mirrors <c>ExtensionKeys</c> of ZnDraw's <c>redis_keys.py</c> (2025-11-04). One key space holds four families
/// under <c>…:extensions:{category}</c>: the schema hash (no further segment), the worker reverse index
/// (<c>:{sid}</c>) and the per-extension keys (<c>:{extension}:idle_workers</c>, <c>:progressing_workers</c>,
/// <c>:queue</c>). They never collide because categories contain no <c>:</c>, sids contain none (except the Celery
/// form, whose excluded task ids rule out the only overlap), and extension names, which may contain <c>:</c>, are
/// always followed by one fixed word. See <see cref="KeyValidation"/>.
/// </para>
/// <para>
/// In the <see cref="KeyLayout.ClusterSafe"/> layout room-scoped keys carry the room id as hash tag (one slot per
/// room) and global keys the category (<c>global:extensions:{modifiers}:Rotate:queue</c>; one slot per category).
/// </para>
/// </remarks>
// A readonly struct for the same reason as RoomKeys: no heap object per call; default(ExtensionKeys) throws.
// The schema key and the "…:{category}:{extension}:" prefix are computed once; each property is one concatenation.
public readonly struct ExtensionKeys
{
    private readonly string? _schema;
    private readonly string? _extensionBase;
    private readonly KeyLayout _layout;

    private ExtensionKeys(string schema, string? roomId, string category, string extension, KeyLayout layout)
    {
        _schema = schema;
        _extensionBase = string.Concat(schema, ":", extension, ":");
        _layout = layout;
        RoomId = roomId;
        Category = category;
        Extension = extension;
    }

    /// <summary>The room id, or <see langword="null"/> for a global extension.</summary>
    public string? RoomId { get; }

    /// <summary>Whether this is a global (public) extension.</summary>
    public bool IsGlobal => RoomId is null;

    /// <summary>The extension category.</summary>
    public string Category { get; }

    /// <summary>The extension name.</summary>
    public string Extension { get; }

    /// <summary><c>room:{room}:extensions:{category}</c> (or <c>global:extensions:{category}</c>) — hash, extension name → JSON schema.</summary>
    public RedisKey Schema => SchemaString;

    /// <summary><c>…:extensions:{category}:{extension}:idle_workers</c> — set of idle worker ids.</summary>
    public RedisKey IdleWorkers => ExtensionBase + "idle_workers";

    /// <summary><c>…:extensions:{category}:{extension}:progressing_workers</c> — set of busy worker ids.</summary>
    public RedisKey ProgressingWorkers => ExtensionBase + "progressing_workers";

    /// <summary><c>…:extensions:{category}:{extension}:queue</c> — list of JSON tasks (RPUSH, LPOP).</summary>
    public RedisKey Queue => ExtensionBase + "queue";

    private string SchemaString => _schema ?? KeyValidation.ThrowUninitialized(nameof(ExtensionKeys));

    private string ExtensionBase => _extensionBase ?? KeyValidation.ThrowUninitialized(nameof(ExtensionKeys));

    /// <summary>Creates the keys of extension <paramref name="extension"/> of <paramref name="category"/> in room <paramref name="roomId"/>, default key space.</summary>
    /// <param name="roomId">The room id (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="category">The category, e.g. <c>modifiers</c> (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <param name="extension">The extension name (see <see cref="KeyValidation.ValidateExtensionName"/>).</param>
    /// <returns>The extension's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static ExtensionKeys ForExtension(string roomId, string category, string extension) =>
        ForExtension(roomId, category, extension, KeySpace.Default);

    /// <summary>Creates the keys of extension <paramref name="extension"/> of <paramref name="category"/> in room <paramref name="roomId"/>.</summary>
    /// <param name="roomId">The room id (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <param name="category">The category (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <param name="extension">The extension name (see <see cref="KeyValidation.ValidateExtensionName"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The extension's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static ExtensionKeys ForExtension(string roomId, string category, string extension, KeySpace keySpace)
    {
        var schema = BuildSchemaKey(roomId, category, keySpace);
        KeyValidation.ValidateExtensionName(extension);
        return new ExtensionKeys(schema, roomId, category, extension, keySpace.Layout);
    }

    /// <summary>Creates the keys of global extension <paramref name="extension"/> of <paramref name="category"/>, default key space.</summary>
    /// <param name="category">The category (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <param name="extension">The extension name (see <see cref="KeyValidation.ValidateExtensionName"/>).</param>
    /// <returns>The extension's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static ExtensionKeys ForGlobalExtension(string category, string extension) =>
        ForGlobalExtension(category, extension, KeySpace.Default);

    /// <summary>Creates the keys of global extension <paramref name="extension"/> of <paramref name="category"/>.</summary>
    /// <param name="category">The category (see <see cref="KeyValidation.ValidateCategory"/>).</param>
    /// <param name="extension">The extension name (see <see cref="KeyValidation.ValidateExtensionName"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The extension's keys.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static ExtensionKeys ForGlobalExtension(string category, string extension, KeySpace keySpace)
    {
        var schema = BuildGlobalSchemaKey(category, keySpace);
        KeyValidation.ValidateExtensionName(extension);
        return new ExtensionKeys(schema, null, category, extension, keySpace.Layout);
    }

    /// <summary><c>room:{room}:extensions:{category}</c> — the schema hash of a room's category, default key space.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="category">The category.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey SchemaKey(string roomId, string category) => BuildSchemaKey(roomId, category, KeySpace.Default);

    /// <summary><c>room:{room}:extensions:{category}</c> — the schema hash of a room's category.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="category">The category.</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey SchemaKey(string roomId, string category, KeySpace keySpace) => BuildSchemaKey(roomId, category, keySpace);

    /// <summary><c>room:{room}:extensions:{category}:{sid}</c> — set of the extension names a worker serves (reverse index), default key space.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="category">The category.</param>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey UserExtensionsKey(string roomId, string category, string sid) =>
        UserExtensionsKey(roomId, category, sid, KeySpace.Default);

    /// <summary><c>room:{room}:extensions:{category}:{sid}</c> — set of the extension names a worker serves (reverse index).</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="category">The category.</param>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey UserExtensionsKey(string roomId, string category, string sid, KeySpace keySpace)
    {
        var schema = BuildSchemaKey(roomId, category, keySpace);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        return string.Concat(schema, ":", sid);
    }

    /// <summary><c>global:extensions:{category}</c> — the schema hash of a global category, default key space.</summary>
    /// <param name="category">The category.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="category"/> is invalid.</exception>
    public static RedisKey GlobalSchemaKey(string category) => BuildGlobalSchemaKey(category, KeySpace.Default);

    /// <summary><c>global:extensions:{category}</c> — the schema hash of a global category.</summary>
    /// <param name="category">The category.</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="category"/> is invalid.</exception>
    public static RedisKey GlobalSchemaKey(string category, KeySpace keySpace) => BuildGlobalSchemaKey(category, keySpace);

    /// <summary><c>global:extensions:{category}:{sid}</c> — set of the global extension names a worker serves, default key space.</summary>
    /// <param name="category">The category.</param>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey GlobalUserExtensionsKey(string category, string sid) =>
        GlobalUserExtensionsKey(category, sid, KeySpace.Default);

    /// <summary><c>global:extensions:{category}:{sid}</c> — set of the global extension names a worker serves.</summary>
    /// <param name="category">The category.</param>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <param name="keySpace">The key space (prefix and layout).</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public static RedisKey GlobalUserExtensionsKey(string category, string sid, KeySpace keySpace)
    {
        var schema = BuildGlobalSchemaKey(category, keySpace);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        return string.Concat(schema, ":", sid);
    }

    /// <summary>The worker reverse index in this extension's scope: <c>…:extensions:{category}:{sid}</c>.</summary>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The key: <see cref="UserExtensionsKey(string, string, string, KeySpace)"/> or <see cref="GlobalUserExtensionsKey(string, string, KeySpace)"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public RedisKey UserExtensions(string sid)
    {
        var schema = SchemaString;
        KeyValidation.ValidateSessionId(sid, _layout);
        return string.Concat(schema, ":", sid);
    }

    /// <summary>Describes the keys, e.g. <c>ExtensionKeys(room:r1:extensions:modifiers, Rotate)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _schema is null ? "ExtensionKeys(default)" : $"ExtensionKeys({_schema}, {Extension})";

    private static string BuildSchemaKey(string roomId, string category, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateRoomId(roomId);
        KeyValidation.ValidateCategory(category, keySpace.Layout);
        return keySpace.Build("room:", roomId, ":extensions:", category);
    }

    private static string BuildGlobalSchemaKey(string category, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        KeyValidation.ValidateCategory(category, keySpace.Layout);
        return keySpace.Build("global:extensions:", category, string.Empty);
    }
}
