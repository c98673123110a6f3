using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>
/// Where keys live in Redis: an optional prefix, prepended verbatim to every key, and a <see cref="KeyLayout"/>.
/// Also the factory for every key builder of that space.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Default"/> (no prefix, <see cref="KeyLayout.ZnDraw"/>) yields exactly ZnDraw's keys; use it when a
/// ZnDraw server shares the database. A prefix lets several applications share one Redis database; ZnDraw itself
/// never uses one, so a prefixed space is invisible to a ZnDraw server.
/// </para>
/// <para>
/// The prefix is not separated from the key: end it with <c>:</c> (e.g. <c>app1:</c>). Two prefixed spaces are
/// disjoint when neither prefix starts with the other; a prefix should also not start with one of ZnDraw's key
/// words (<c>room:</c>, <c>user:</c>, <c>sid:</c>, ...), or its keys could be read as unprefixed ZnDraw keys (prefix
/// <c>room:r1:lock:</c> plus <c>user:bob</c> is the lock key of target <c>user:bob</c> in room <c>r1</c>).
/// </para>
/// <para>Immutable and thread-safe; create one per application and reuse it.</para>
/// <para>
/// One rule for every key builder (<see cref="RoomKeys"/>, <see cref="ExtensionKeys"/>, <see cref="FilesystemKeys"/>,
/// ...): a key is a method (<c>CurrentFrame()</c>, <c>Queue()</c>, <c>Lock(target)</c>), with or without arguments,
/// as in ZnDraw's <c>redis_keys.py</c>; a property holds only what the builder was made from (<c>RoomId</c>,
/// <c>Category</c>, <c>Name</c>, <see cref="Global"/>). A caller never has to remember which keys take parentheses.
/// </para>
/// </remarks>
public sealed class KeySpace : IEquatable<KeySpace>
{
    /// <summary>Creates a key space.</summary>
    /// <param name="prefix">Text prepended to every key; <see langword="null"/> or empty for none. At most
    /// <see cref="KeyValidation.MaxIdLength"/> characters; no <c>{</c> or <c>}</c> in the cluster-safe layout.</param>
    /// <param name="layout">The key layout; <see cref="KeyLayout.ZnDraw"/> by default.</param>
    /// <exception cref="ArgumentException">The prefix is invalid.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layout"/> is not a defined value.</exception>
    public KeySpace(string? prefix = null, KeyLayout layout = KeyLayout.ZnDraw)
    {
        KeyValidation.ValidateLayout(layout, nameof(layout));
        KeyValidation.ValidatePrefix(prefix, layout, nameof(prefix));
        Prefix = prefix ?? string.Empty;
        Layout = layout;
        Global = new GlobalKeys(this);
    }

    // Direct-mapped cache of UTF-8 room prefixes ("{Prefix}room:{id}:"), so that a hot room's keys are a RedisKey of
    // that byte[] plus a constant suffix: no string per key. A slot holds one immutable entry; racing writers just
    // replace each other. Only validated ids enter the cache, so a hit needs no validation.
    private const int RoomPrefixSlots = 256;
    private readonly RoomPrefixEntry?[] _roomPrefixes = new RoomPrefixEntry?[RoomPrefixSlots];

    /// <summary>No prefix, <see cref="KeyLayout.ZnDraw"/>: byte-identical to ZnDraw's keys.</summary>
    public static KeySpace Default { get; } = new();

    /// <summary>The text prepended to every key; empty for none.</summary>
    public string Prefix { get; }

    /// <summary>The key layout.</summary>
    public KeyLayout Layout { get; }

    /// <summary>The keys of this space that belong to no room, user or session (<c>default_room</c>, index sets, ...).</summary>
    public GlobalKeys Global { get; }

    internal bool IsClusterSafe => Layout == KeyLayout.ClusterSafe;

    /// <summary>The keys of one room.</summary>
    /// <param name="roomId">The room id (see <see cref="KeyValidation.ValidateRoomId"/>).</param>
    /// <returns>The room's key builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    public RoomKeys Room(string roomId) => new(roomId, this);

    /// <summary>The keys of one user.</summary>
    /// <param name="userName">The user name (see <see cref="KeyValidation.ValidateUserName"/>).</param>
    /// <returns>The user's key builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="userName"/> is invalid.</exception>
    public UserKeys User(string userName) => new(userName, this);

    /// <summary>The keys of one Socket.IO session.</summary>
    /// <param name="sid">The session id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The session's key builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public SessionKeys Session(string sid) => new(sid, this);

    /// <summary>The keys this library keeps for one worker (a sid or a Celery worker id).</summary>
    /// <param name="sid">The worker id (see <see cref="KeyValidation.ValidateSessionId"/>).</param>
    /// <returns>The worker's key builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="sid"/> is invalid.</exception>
    public WorkerKeys Worker(string sid) => new(sid, this);

    /// <summary>The keys of one job of a room.</summary>
    /// <param name="roomId">The room the job belongs to.</param>
    /// <param name="jobId">The job id.</param>
    /// <returns>The job's key builder.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public JobKeys Job(string roomId, string jobId) => new(roomId, jobId, this);

    /// <summary>The keys of one room-scoped extension.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="category">The extension category.</param>
    /// <param name="extension">The extension name.</param>
    /// <returns>The extension's key builder.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public ExtensionKeys Extension(string roomId, string category, string extension) =>
        ExtensionKeys.ForExtension(roomId, category, extension, this);

    /// <summary>The keys of one global (public) extension.</summary>
    /// <param name="category">The extension category.</param>
    /// <param name="extension">The extension name.</param>
    /// <returns>The extension's key builder.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public ExtensionKeys GlobalExtension(string category, string extension) =>
        ExtensionKeys.ForGlobalExtension(category, extension, this);

    /// <summary>The keys of one room-scoped filesystem.</summary>
    /// <param name="roomId">The room id.</param>
    /// <param name="filesystemName">The filesystem name.</param>
    /// <returns>The filesystem's key builder.</returns>
    /// <exception cref="ArgumentException">An id is invalid.</exception>
    public FilesystemKeys Filesystem(string roomId, string filesystemName) =>
        FilesystemKeys.ForFilesystem(roomId, filesystemName, this);

    /// <summary>The keys of one global (public) filesystem.</summary>
    /// <param name="filesystemName">The filesystem name.</param>
    /// <returns>The filesystem's key builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="filesystemName"/> is invalid.</exception>
    public FilesystemKeys GlobalFilesystem(string filesystemName) =>
        FilesystemKeys.ForGlobalFilesystem(filesystemName, this);

    /// <inheritdoc />
    public bool Equals(KeySpace? other) =>
        other is not null && Layout == other.Layout && string.Equals(Prefix, other.Prefix, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as KeySpace);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Prefix), Layout);

    /// <summary>Describes the space, e.g. <c>KeySpace(Prefix="app1:", Layout=ClusterSafe)</c>.</summary>
    /// <returns>A description for logs and debuggers.</returns>
    public override string ToString() => $"KeySpace(Prefix=\"{Prefix}\", Layout={Layout})";

    /// <summary>
    /// The UTF-8 bytes of <c>{Prefix}room:{id}:</c> (with the id as hash tag in the cluster-safe layout), validating
    /// <paramref name="roomId"/>; cached per room id, so a repeated room allocates nothing. Never mutate the array.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="roomId"/> is invalid.</exception>
    internal byte[] RoomPrefix(string roomId, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(roomId))] string paramName = "")
    {
        ArgumentNullException.ThrowIfNull(roomId, paramName);
        ref RoomPrefixEntry? slot = ref _roomPrefixes[(uint)roomId.GetHashCode() & (RoomPrefixSlots - 1)];
        RoomPrefixEntry? entry = Volatile.Read(ref slot);
        if (entry is not null && string.Equals(entry.RoomId, roomId, StringComparison.Ordinal))
        {
            return entry.Prefix;
        }

        KeyValidation.ValidateRoomId(roomId, paramName);
        var created = new RoomPrefixEntry(roomId, System.Text.Encoding.UTF8.GetBytes(Build("room:", roomId, ":")));
        Volatile.Write(ref slot, created);
        return created.Prefix;
    }

    /// <summary>
    /// The text <c>{Prefix}room:{id}:{parts…}</c> (id as hash tag in the cluster-safe layout) as one allocation, for a
    /// key name that is also sent as a value. <paramref name="roomId"/> must already be validated.
    /// </summary>
    internal string RoomKeyText(string roomId, params ReadOnlySpan<string> parts)
    {
        bool tag = IsClusterSafe;
        int length = Prefix.Length + "room:".Length + roomId.Length + (tag ? 3 : 1);
        foreach (string part in parts)
        {
            length += part.Length;
        }

        Span<char> buffer = length <= 256 ? stackalloc char[length] : new char[length];
        int at = 0;
        Append(buffer, ref at, Prefix);
        Append(buffer, ref at, tag ? "room:{" : "room:");
        Append(buffer, ref at, roomId);
        Append(buffer, ref at, tag ? "}:" : ":");
        foreach (string part in parts)
        {
            Append(buffer, ref at, part);
        }

        return new string(buffer);

        static void Append(Span<char> buffer, ref int at, string text)
        {
            text.CopyTo(buffer[at..]);
            at += text.Length;
        }
    }

    /// <summary>
    /// Builds <c>{Prefix}{head}{id}{tail}</c>, with <paramref name="id"/> in a hash tag in the cluster-safe layout,
    /// as one allocation.
    /// </summary>
    internal string Build(string head, string id, string tail) => IsClusterSafe
        ? string.Concat(Prefix, head, "{", id, "}", tail)
        : string.Concat(Prefix, head, id, tail);

    /// <summary>Builds <c>{Prefix}{head}{id}{tail}{last}</c> like <see cref="Build(string, string, string)"/>.</summary>
    internal string Build(string head, string id, string tail, string last) => IsClusterSafe
        ? string.Concat(Prefix, head, "{", id, "}", tail, last)
        : string.Concat(Prefix, head, id, tail, last);

    private sealed class RoomPrefixEntry(string roomId, byte[] prefix)
    {
        public string RoomId { get; } = roomId;

        public byte[] Prefix { get; } = prefix;
    }

    /// <summary>The keys of <paramref name="extension"/> (room-scoped or global) in this key space.</summary>
    /// <exception cref="ArgumentException">An id is invalid, or the scope and room id do not match.</exception>
    public ExtensionKeys Extension(ExtensionId extension) => extension.Scope switch
    {
        ExtensionScope.Room => Extension(extension.RoomId ?? throw new ArgumentException("A room-scoped extension needs a room id.", nameof(extension)), extension.Category, extension.Name),
        ExtensionScope.Global => extension.RoomId is null
            ? GlobalExtension(extension.Category, extension.Name)
            : throw new ArgumentException("A global extension has no room id.", nameof(extension)),
        _ => throw new ArgumentOutOfRangeException(nameof(extension), extension.Scope, "Unknown extension scope."),
    };
}
