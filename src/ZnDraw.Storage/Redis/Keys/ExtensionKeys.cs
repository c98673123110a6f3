using System.Diagnostics.CodeAnalysis;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

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
// A room-scoped key is the room's cached UTF-8 prefix (see RoomKeys) plus its text after the room
// ("extensions:{category}…"), which depends on neither the room nor the key space and is cached per (category,
// extension); a global key is cached whole in the same entry, for the key space last used with it. A hot extension's
// keys allocate nothing, and a cache hit skips the validation of the category and the name (only validated names
// enter the cache).
public readonly struct ExtensionKeys
{
    // Direct-mapped, like the KeySpace's room prefixes: a slot holds one entry; racing writers replace each other.
    // Only validated names enter.
    private const int SuffixSlots = 256;
    private const string IdleWorkersWord = "idle_workers";
    private const string ProgressingWorkersWord = "progressing_workers";
    private const string QueueWord = "queue";
    private static readonly Suffixes?[] SuffixCache = new Suffixes?[SuffixSlots];

    private readonly byte[]? _roomPrefix;
    private readonly Suffixes? _suffixes;
    private readonly KeySpace? _space;

    private ExtensionKeys(byte[]? roomPrefix, Suffixes suffixes, KeySpace space, string? roomId, string category, string extension)
    {
        _roomPrefix = roomPrefix;
        _suffixes = suffixes;
        _space = space;
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
    public RedisKey Schema() => _roomPrefix is { } prefix
        ? new RedisKey(_suffixes!.Schema).Prepend(prefix)
        : GlobalTexts().Schema;

    /// <summary><c>…:extensions:{category}:{extension}:idle_workers</c> — set of idle worker ids.</summary>
    public RedisKey IdleWorkers() => _roomPrefix is { } prefix
        ? new RedisKey(_suffixes!.IdleWorkers).Prepend(prefix)
        : GlobalTexts().IdleWorkers;

    /// <summary><c>…:extensions:{category}:{extension}:progressing_workers</c> — set of busy worker ids.</summary>
    public RedisKey ProgressingWorkers() => _roomPrefix is { } prefix
        ? new RedisKey(_suffixes!.ProgressingWorkers).Prepend(prefix)
        : GlobalTexts().ProgressingWorkers;

    /// <summary><c>…:extensions:{category}:{extension}:queue</c> — list of JSON tasks (RPUSH, LPOP).</summary>
    public RedisKey Queue() => _roomPrefix is { } prefix
        ? new RedisKey(_suffixes!.Queue).Prepend(prefix)
        : GlobalTexts().Queue;

    private KeySpace Space => _space ?? ThrowUninitialized();

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
        ArgumentNullException.ThrowIfNull(keySpace);
        byte[] prefix = keySpace.RoomPrefix(roomId);
        Suffixes suffixes = SuffixesOf(category, extension, keySpace.Layout);
        return new ExtensionKeys(prefix, suffixes, keySpace, roomId, category, extension);
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
        ArgumentNullException.ThrowIfNull(keySpace);
        Suffixes suffixes = SuffixesOf(category, extension, keySpace.Layout);
        return new ExtensionKeys(null, suffixes, keySpace, null, category, extension);
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
        KeySpace space = Space;
        KeyValidation.ValidateSessionId(sid, space.Layout);
        return _roomPrefix is { } prefix
            ? new RedisKey(string.Concat("extensions:", Category, ":", sid)).Prepend(prefix)
            : space.Build("global:extensions:", Category, ":", sid);
    }

    /// <summary>Describes the keys, e.g. <c>ExtensionKeys(room:r1:extensions:modifiers, Rotate)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => _space is null ? "ExtensionKeys(default)" : $"ExtensionKeys({Schema()}, {Extension})";

    private static KeySpace ThrowUninitialized()
    {
        KeyValidation.ThrowUninitialized(nameof(ExtensionKeys));
        return null!;
    }

    /// <summary>
    /// The schema hash and the worker reverse index of one scope: category <paramref name="category"/> of room
    /// <paramref name="roomId"/>, or the global category when <paramref name="roomId"/> is <see langword="null"/>.
    /// Every id is validated; one string per key.
    /// </summary>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    internal static (RedisKey Schema, RedisKey Reverse) ScopeKeys(string? roomId, string category, string sid, KeySpace keySpace)
    {
        ArgumentNullException.ThrowIfNull(keySpace);
        if (roomId is null)
        {
            string schema = BuildGlobalSchemaKey(category, keySpace);
            KeyValidation.ValidateSessionId(sid, keySpace.Layout);
            return (schema, string.Concat(schema, ":", sid));
        }

        byte[] prefix = keySpace.RoomPrefix(roomId);
        KeyValidation.ValidateCategory(category, keySpace.Layout);
        KeyValidation.ValidateSessionId(sid, keySpace.Layout);
        return (new RedisKey(string.Concat("extensions:", category)).Prepend(prefix), new RedisKey(string.Concat("extensions:", category, ":", sid)).Prepend(prefix));
    }

    /// <summary><see cref="Queue()"/> as text (one allocation), for a key name also sent as a script argument.</summary>
    internal string QueueText() => KeyText(QueueWord);

    /// <summary><see cref="IdleWorkers()"/> as text (one allocation), for a key name also sent as a script argument.</summary>
    internal string IdleWorkersText() => KeyText(IdleWorkersWord);

    /// <summary><see cref="ProgressingWorkers()"/> as text (one allocation), for a key name also sent as a script argument.</summary>
    internal string ProgressingWorkersText() => KeyText(ProgressingWorkersWord);

    /// <summary><see cref="Schema()"/> as text (one allocation), for a key name also sent as a script argument.</summary>
    internal string SchemaText() => _roomPrefix is not null
        ? Space.RoomKeyText(RoomId!, _suffixes!.Schema)
        : GlobalTexts().Schema;

    /// <summary><see cref="UserExtensions"/> as text (one allocation), for a key name also sent as a script argument.</summary>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    internal string UserExtensionsText(string sid)
    {
        KeySpace space = Space;
        KeyValidation.ValidateSessionId(sid, space.Layout);
        return _roomPrefix is not null
            ? space.RoomKeyText(RoomId!, _suffixes!.Schema, ":", sid)
            : space.Build("global:extensions:", Category, ":", sid);
    }

    /// <summary>
    /// The text every per-extension key of this category starts with (<see cref="Schema()"/> followed by <c>:</c>), in one
    /// allocation, for scripts that build the keys of the category's other extensions.
    /// </summary>
    internal string CategoryHeadText() => _roomPrefix is not null
        ? Space.RoomKeyText(RoomId!, "extensions:", Category, ":")
        : Space.Build("global:extensions:", Category, ":");

    /// <summary>
    /// The cached entry of (<paramref name="category"/>, <paramref name="extension"/>); on a miss both are validated
    /// (for <paramref name="layout"/>) before an entry is made. A hit needs no validation: an entry's names passed it,
    /// and the only rule that depends on the layout (no braces in a cluster-safe category) is checked again.
    /// </summary>
    /// <exception cref="ArgumentException">The category or the name is invalid.</exception>
    private static Suffixes SuffixesOf(string category, string extension, KeyLayout layout)
    {
        if (category is null || extension is null)
        {
            Validate(category, extension, layout); // throws ArgumentNullException
        }

        ref Suffixes? slot = ref SuffixCache[(uint)HashCode.Combine(category.GetHashCode(), extension.GetHashCode()) & (SuffixSlots - 1)];
        Suffixes? entry = Volatile.Read(ref slot);
        if (entry is not null
            && (layout != KeyLayout.ClusterSafe || !entry.CategoryHasBraces)
            && string.Equals(entry.Category, category, StringComparison.Ordinal)
            && string.Equals(entry.Extension, extension, StringComparison.Ordinal))
        {
            return entry;
        }

        Validate(category, extension, layout);
        var created = new Suffixes(category, extension);
        Volatile.Write(ref slot, created);
        return created;

        static void Validate([NotNull] string? category, [NotNull] string? extension, KeyLayout layout)
        {
            KeyValidation.ValidateCategory(category, layout, nameof(category));
            KeyValidation.ValidateExtensionName(extension, nameof(extension));
        }
    }

    private Suffixes.Global GlobalTexts() => (_suffixes ?? ThrowUninitializedSuffixes()).GlobalIn(_space!);

    private static Suffixes ThrowUninitializedSuffixes()
    {
        KeyValidation.ThrowUninitialized(nameof(ExtensionKeys));
        return null!;
    }

    private string KeyText(string word)
    {
        KeySpace space = Space;
        return _roomPrefix is not null
            ? space.RoomKeyText(RoomId!, "extensions:", Category, ":", Extension, ":", word)
            : GlobalTexts().Text(word);
    }

    // The text after "{prefix}room:{room}:" of one extension's keys, each made on first use. A field is written at most
    // once per racing thread, always with equal text, so readers see either null (and make it) or a finished string.
    private sealed class Suffixes(string category, string extension)
    {
        private string? _schema;
        private string? _idleWorkers;
        private string? _progressingWorkers;
        private string? _queue;
        private Global? _global;

        public string Category { get; } = category;

        public string Extension { get; } = extension;

        /// <summary>Whether the category has <c>{</c> or <c>}</c> (valid in the ZnDraw layout only).</summary>
        public bool CategoryHasBraces { get; } = category.AsSpan().IndexOfAny('{', '}') >= 0;

        public string Schema => _schema ??= string.Concat("extensions:", Category);

        public string IdleWorkers => _idleWorkers ??= Make(IdleWorkersWord);

        public string ProgressingWorkers => _progressingWorkers ??= Make(ProgressingWorkersWord);

        public string Queue => _queue ??= Make(QueueWord);

        private string Make(string word) => string.Concat(["extensions:", Category, ":", Extension, ":", word]);

        /// <summary>The whole global keys of this extension in <paramref name="space"/> (one space cached: the last used).</summary>
        public Global GlobalIn(KeySpace space)
        {
            Global? global = Volatile.Read(ref _global);
            if (global is null || !(ReferenceEquals(global.Space, space) || global.Space.Equals(space)))
            {
                global = new Global(space, Category, Extension);
                Volatile.Write(ref _global, global);
            }

            return global;
        }

        /// <summary>The global keys of one extension in one key space, each made on first use (like the suffixes).</summary>
        public sealed class Global(KeySpace space, string category, string extension)
        {
            private string? _schema;
            private string? _idleWorkers;
            private string? _progressingWorkers;
            private string? _queue;

            public KeySpace Space { get; } = space;

            public string Schema => _schema ??= Space.Build("global:extensions:", category, string.Empty);

            public string IdleWorkers => _idleWorkers ??= Make(IdleWorkersWord);

            public string ProgressingWorkers => _progressingWorkers ??= Make(ProgressingWorkersWord);

            public string Queue => _queue ??= Make(QueueWord);

            public string Text(string word) => word switch
            {
                IdleWorkersWord => IdleWorkers,
                ProgressingWorkersWord => ProgressingWorkers,
                QueueWord => Queue,
                _ => Make(word),
            };

            private string Make(string word) => Space.IsClusterSafe
                ? string.Concat([Space.Prefix, "global:extensions:{", category, "}:", extension, ":", word])
                : string.Concat([Space.Prefix, "global:extensions:", category, ":", extension, ":", word]);
        }
    }

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
