using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Keys;

/// <summary>What a key name found by a scan (or named by a keyspace notification) is, read by <see cref="ScannedKey.Read"/>.</summary>
internal enum ScannedKeyKind
{
    /// <summary>Outside the key space's prefix, or a key none of the readers follows.</summary>
    Other,

    /// <summary>Under <c>room:</c>, <c>user:</c> or <c>admin:user:</c>, but with an id the library refuses or cannot build back.</summary>
    Refused,

    /// <summary>A key of a room (ZnDraw's rule: any key under <c>room:{id}:</c>); a room's worker sets also carry <see cref="ScannedKey.WorkerSet"/>.</summary>
    Room,

    /// <summary>A user hash, <c>user:{name}</c>.</summary>
    User,

    /// <summary>An admin flag, <c>admin:user:{name}</c>.</summary>
    Admin,

    /// <summary>A job hash, <c>job:{id}</c> (<c>job:{room}:{id}</c> in the cluster-safe layout).</summary>
    Job,

    /// <summary>A global extension's idle or progressing worker set (<see cref="ScannedKey.WorkerSet"/>).</summary>
    GlobalWorkerSet,
}

/// <summary>An extension's idle or progressing worker set found by name: its key, its scope and the key builder that builds it.</summary>
/// <param name="Key">The key.</param>
/// <param name="RoomId">The room of a room-scoped extension; <see langword="null"/> for a global one.</param>
/// <param name="Category">The extension's category.</param>
/// <param name="Keys">The extension's keys (they build <paramref name="Key"/> exactly).</param>
internal sealed record WorkerSetKey(string Key, string? RoomId, string Category, ExtensionKeys Keys);

/// <summary>
/// One key name read the way the library's key builders write it, in either layout: the one reading of key names shared
/// by the reindex, the index reconciler and the check. A name is only taken for what it looks like when the key space
/// builds exactly that name back from the ids read (users, worker sets) or the id passes the library's rule (rooms, jobs).
/// </summary>
internal readonly ref struct ScannedKey
{
    private const string RoomHead = "room:";
    private const string UserHead = "user:";
    private const string AdminHead = "admin:user:";
    private const string JobHead = "job:";
    private const string GlobalExtensionsHead = "global:extensions:";
    private const string ExtensionsHead = "extensions:";
    private const string IdleWorkersTail = ":idle_workers";
    private const string ProgressingWorkersTail = ":progressing_workers";

    private ScannedKey(ScannedKeyKind kind, string? roomId = null, string? id = null, ReadOnlySpan<char> roomSuffix = default, WorkerSetKey? workerSet = null)
    {
        Kind = kind;
        RoomId = roomId;
        Id = id;
        RoomSuffix = roomSuffix;
        WorkerSet = workerSet;
    }

    /// <summary>What the key is.</summary>
    public ScannedKeyKind Kind { get; }

    /// <summary>The room of a <see cref="ScannedKeyKind.Room"/> key, and of a <see cref="ScannedKeyKind.Job"/> hash in the cluster-safe layout (else <see langword="null"/>).</summary>
    public string? RoomId { get; }

    /// <summary>The user name of a <see cref="ScannedKeyKind.User"/> or <see cref="ScannedKeyKind.Admin"/> key; the job id of a <see cref="ScannedKeyKind.Job"/> hash.</summary>
    public string? Id { get; }

    /// <summary>The text after <c>room:{id}:</c> of a <see cref="ScannedKeyKind.Room"/> key (<c>current_frame</c>, <c>frames</c>, …).</summary>
    public ReadOnlySpan<char> RoomSuffix { get; }

    /// <summary>The worker set a <see cref="ScannedKeyKind.GlobalWorkerSet"/> or a room key names, else <see langword="null"/>.</summary>
    public WorkerSetKey? WorkerSet { get; }

    /// <summary>Reads <paramref name="key"/> as a key of <paramref name="space"/>.</summary>
    public static ScannedKey Read(KeySpace space, string key)
    {
        if (!key.StartsWith(space.Prefix, StringComparison.Ordinal))
        {
            return default;
        }

        ReadOnlySpan<char> rest = key.AsSpan(space.Prefix.Length);
        if (rest.StartsWith(RoomHead, StringComparison.Ordinal))
        {
            if (!TrySplitRoom(space.Layout, rest[RoomHead.Length..], out string roomId, out ReadOnlySpan<char> suffix) || !KeyValidation.IsValidRoomId(roomId))
            {
                return new ScannedKey(ScannedKeyKind.Refused);
            }

            WorkerSetKey? workerSet = suffix.StartsWith(ExtensionsHead, StringComparison.Ordinal)
                ? TryReadWorkerSet(space, key, roomId, suffix[ExtensionsHead.Length..])
                : null;
            return new ScannedKey(ScannedKeyKind.Room, roomId, roomSuffix: suffix, workerSet: workerSet);
        }

        if (rest.StartsWith(AdminHead, StringComparison.Ordinal))
        {
            return TryUserName(space, key, rest[AdminHead.Length..], admin: true, out string admin)
                ? new ScannedKey(ScannedKeyKind.Admin, id: admin)
                : new ScannedKey(ScannedKeyKind.Refused);
        }

        if (rest.StartsWith(UserHead, StringComparison.Ordinal))
        {
            return TryUserName(space, key, rest[UserHead.Length..], admin: false, out string user)
                ? new ScannedKey(ScannedKeyKind.User, id: user)
                : new ScannedKey(ScannedKeyKind.Refused);
        }

        if (rest.StartsWith(GlobalExtensionsHead, StringComparison.Ordinal))
        {
            return TryReadWorkerSet(space, key, roomId: null, rest[GlobalExtensionsHead.Length..]) is { } global
                ? new ScannedKey(ScannedKeyKind.GlobalWorkerSet, workerSet: global)
                : default;
        }

        if (rest.StartsWith(JobHead, StringComparison.Ordinal))
        {
            ReadOnlySpan<char> body = rest[JobHead.Length..];
            if (space.Layout == KeyLayout.ClusterSafe)
            {
                // job:{room}:{job}
                if (SplitTagged(body, out string roomId, out ReadOnlySpan<char> jobId) && !jobId.IsEmpty && KeyValidation.IsValidRoomId(roomId))
                {
                    return new ScannedKey(ScannedKeyKind.Job, roomId, jobId.ToString());
                }
            }
            else if (!body.IsEmpty && !body.Contains(':'))
            {
                return new ScannedKey(ScannedKeyKind.Job, id: body.ToString());
            }
        }

        return default;
    }

    /// <summary>Splits the text after <c>room:</c> into the room id and the suffix after it, as the layout writes them.</summary>
    private static bool TrySplitRoom(KeyLayout layout, ReadOnlySpan<char> afterHead, out string roomId, out ReadOnlySpan<char> suffix)
    {
        if (layout == KeyLayout.ClusterSafe)
        {
            return SplitTagged(afterHead, out roomId, out suffix);
        }

        roomId = string.Empty;
        suffix = default;
        int colon = afterHead.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        roomId = afterHead[..colon].ToString();
        suffix = afterHead[(colon + 1)..];
        return true;
    }

    /// <summary>Splits <c>{id}:rest</c> (cluster-safe) into the id and the rest after the colon.</summary>
    private static bool SplitTagged(ReadOnlySpan<char> text, out string id, out ReadOnlySpan<char> rest)
    {
        id = string.Empty;
        rest = default;
        int close = text.IndexOf('}');
        if (text.IsEmpty || text[0] != '{' || close < 2 || close + 1 >= text.Length || text[close + 1] != ':')
        {
            return false;
        }

        id = text[1..close].ToString();
        rest = text[(close + 2)..];
        return true;
    }

    /// <summary>
    /// Reads the user name of <c>user:{name}</c> (or <c>admin:user:{name}</c>): <see langword="true"/> only when the
    /// key space builds exactly <paramref name="key"/> from it.
    /// </summary>
    private static bool TryUserName(KeySpace space, string key, ReadOnlySpan<char> afterHead, bool admin, out string name)
    {
        if (space.Layout == KeyLayout.ClusterSafe)
        {
            if (afterHead.Length < 3 || afterHead[0] != '{' || afterHead[^1] != '}')
            {
                name = string.Empty;
                return false;
            }

            name = afterHead[1..^1].ToString();
        }
        else
        {
            name = afterHead.ToString();
        }

        try
        {
            UserKeys keys = space.User(name);
            return string.Equals(admin ? keys.AdminKey().ToString() : keys.HashKey().ToString(), key, StringComparison.Ordinal);
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads <paramref name="key"/> as an extension's idle or progressing worker set: <paramref name="afterExtensions"/>
    /// is <c>{category}:{extension}:idle_workers</c> (the category tagged in the cluster-safe global form), and the key
    /// space must build exactly <paramref name="key"/> from its parts.
    /// </summary>
    private static WorkerSetKey? TryReadWorkerSet(KeySpace space, string key, string? roomId, ReadOnlySpan<char> afterExtensions)
    {
        bool idle = afterExtensions.EndsWith(IdleWorkersTail, StringComparison.Ordinal);
        if (!idle && !afterExtensions.EndsWith(ProgressingWorkersTail, StringComparison.Ordinal))
        {
            return null;
        }

        ReadOnlySpan<char> body = afterExtensions[..^(idle ? IdleWorkersTail.Length : ProgressingWorkersTail.Length)];
        string category;
        ReadOnlySpan<char> extension;
        if (roomId is null && space.Layout == KeyLayout.ClusterSafe)
        {
            if (!SplitTagged(body, out category, out extension))
            {
                return null;
            }
        }
        else
        {
            int colon = body.IndexOf(':');
            if (colon <= 0)
            {
                return null;
            }

            category = body[..colon].ToString();
            extension = body[(colon + 1)..];
        }

        if (extension.IsEmpty)
        {
            return null;
        }

        try
        {
            ExtensionKeys keys = roomId is null
                ? ExtensionKeys.ForGlobalExtension(category, extension.ToString(), space)
                : ExtensionKeys.ForExtension(roomId, category, extension.ToString(), space);
            return string.Equals(idle ? keys.IdleWorkersText() : keys.ProgressingWorkersText(), key, StringComparison.Ordinal)
                ? new WorkerSetKey(key, roomId, category, keys)
                : null;
        }
        catch (ArgumentException)
        {
            return null; // not a name this library accepts: not followed
        }
    }
}
