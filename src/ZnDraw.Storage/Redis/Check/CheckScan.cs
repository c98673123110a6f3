using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Redis.Check;

/// <summary>
/// What the check's scan found, key by key: rooms (ZnDraw's rule: any key under <c>room:{id}:</c>), user and admin
/// keys, job hashes and extension worker sets. The same reading of key names as the reindex
/// (<see cref="IndexMaintenance.TryReadIndexEntry"/>); a key is only taken when the key space builds exactly that key
/// back from the ids read.
/// </summary>
internal sealed class CheckScan(KeySpace space)
{
    private const string RoomHead = "room:";
    private const string UserHead = "user:";
    private const string AdminHead = "admin:user:";
    private const string JobHead = "job:";
    private const string GlobalExtensionsHead = "global:extensions:";
    private const string ExtensionsHead = "extensions:";
    private const string IdleWorkersTail = ":idle_workers";
    private const string ProgressingWorkersTail = ":progressing_workers";

    public HashSet<string> Rooms { get; } = new(StringComparer.Ordinal);

    public HashSet<string> UserNames { get; } = new(StringComparer.Ordinal);

    public HashSet<string> AdminNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Job hashes: the key, the room (known from the key in the cluster-safe layout, else null) and the job id.</summary>
    public List<(string Key, string? Room, string Id)> Jobs { get; } = [];

    public List<WorkerSetTarget> WorkerSets { get; } = [];

    public long KeysScanned { get; private set; }

    public void Classify(string key)
    {
        KeysScanned++;
        if (!key.StartsWith(space.Prefix, StringComparison.Ordinal))
        {
            return;
        }

        ReadOnlySpan<char> rest = key.AsSpan(space.Prefix.Length);
        if (rest.StartsWith(RoomHead, StringComparison.Ordinal))
        {
            if (TrySplitRoom(rest[RoomHead.Length..], out string roomId, out ReadOnlySpan<char> suffix) && KeyValidation.IsValidRoomId(roomId))
            {
                Rooms.Add(roomId);
                if (suffix.StartsWith(ExtensionsHead, StringComparison.Ordinal))
                {
                    TryAddWorkerSet(key, roomId, suffix[ExtensionsHead.Length..]);
                }
            }
        }
        else if (rest.StartsWith(AdminHead, StringComparison.Ordinal) || rest.StartsWith(UserHead, StringComparison.Ordinal))
        {
            if (IndexMaintenance.TryReadIndexEntry(space, key, out IndexEntry entry))
            {
                (entry.Kind == IndexKind.Admin ? AdminNames : UserNames).Add(entry.Id);
            }
        }
        else if (rest.StartsWith(GlobalExtensionsHead, StringComparison.Ordinal))
        {
            TryAddWorkerSet(key, roomId: null, rest[GlobalExtensionsHead.Length..]);
        }
        else if (rest.StartsWith(JobHead, StringComparison.Ordinal))
        {
            ReadOnlySpan<char> body = rest[JobHead.Length..];
            if (space.Layout == KeyLayout.ClusterSafe)
            {
                if (SplitTagged(body, out string roomId, out ReadOnlySpan<char> jobId) && !jobId.IsEmpty && KeyValidation.IsValidRoomId(roomId))
                {
                    Jobs.Add((key, roomId, jobId.ToString()));
                }
            }
            else if (!body.IsEmpty && !body.Contains(':'))
            {
                Jobs.Add((key, null, body.ToString()));
            }
        }
    }

    /// <summary>Rooms known only from their job hashes (cluster-safe) are rooms too, as the reindex counts them.</summary>
    public void AttachJobRooms()
    {
    }

    private bool TrySplitRoom(ReadOnlySpan<char> afterHead, out string roomId, out ReadOnlySpan<char> suffix)
    {
        if (space.Layout == KeyLayout.ClusterSafe)
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

    private void TryAddWorkerSet(string key, string? roomId, ReadOnlySpan<char> afterExtensions)
    {
        bool idle = afterExtensions.EndsWith(IdleWorkersTail, StringComparison.Ordinal);
        if (!idle && !afterExtensions.EndsWith(ProgressingWorkersTail, StringComparison.Ordinal))
        {
            return;
        }

        ReadOnlySpan<char> body = afterExtensions[..^(idle ? IdleWorkersTail.Length : ProgressingWorkersTail.Length)];
        string category;
        ReadOnlySpan<char> extension;
        if (roomId is null && space.Layout == KeyLayout.ClusterSafe)
        {
            if (!SplitTagged(body, out category, out extension))
            {
                return;
            }
        }
        else
        {
            int colon = body.IndexOf(':');
            if (colon <= 0)
            {
                return;
            }

            category = body[..colon].ToString();
            extension = body[(colon + 1)..];
        }

        if (extension.IsEmpty)
        {
            return;
        }

        try
        {
            ExtensionKeys keys = roomId is null
                ? ExtensionKeys.ForGlobalExtension(category, extension.ToString(), space)
                : ExtensionKeys.ForExtension(roomId, category, extension.ToString(), space);
            if (string.Equals(idle ? keys.IdleWorkersText() : keys.ProgressingWorkersText(), key, StringComparison.Ordinal))
            {
                WorkerSets.Add(new WorkerSetTarget(key, keys));
            }
        }
        catch (ArgumentException)
        {
            // not a name this library accepts: not followed
        }
    }
}
