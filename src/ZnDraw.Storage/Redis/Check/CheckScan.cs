using System.Runtime.InteropServices;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Redis.Check;

/// <summary>
/// What the check's scan found, key by key: rooms (ZnDraw's rule: any key under <c>room:{id}:</c>), user and admin
/// keys, job hashes and extension worker sets, read by <see cref="ScannedKey"/> as the reindex reads them.
/// </summary>
internal sealed class CheckScan(KeySpace space)
{
    /// <summary>The rooms found, each with how many keys it has (what reading it costs the server, for the rate limit).</summary>
    public Dictionary<string, int> Rooms { get; } = new(StringComparer.Ordinal);

    public HashSet<string> UserNames { get; } = new(StringComparer.Ordinal);

    public HashSet<string> AdminNames { get; } = new(StringComparer.Ordinal);

    /// <summary>Job hashes: the key, the room (known from the key in the cluster-safe layout, else null) and the job id.</summary>
    public List<(string Key, string? Room, string Id)> Jobs { get; } = [];

    public List<WorkerSetKey> WorkerSets { get; } = [];

    public long KeysScanned { get; private set; }

    public void Classify(string key)
    {
        KeysScanned++;
        ScannedKey scanned = ScannedKey.Read(space, key);
        switch (scanned.Kind)
        {
            case ScannedKeyKind.Room:
                CollectionsMarshal.GetValueRefOrAddDefault(Rooms, scanned.RoomId!, out _)++;

                if (scanned.WorkerSet is { } roomWorkers)
                {
                    WorkerSets.Add(roomWorkers);
                }

                break;
            case ScannedKeyKind.User:
                UserNames.Add(scanned.Id!);
                break;
            case ScannedKeyKind.Admin:
                AdminNames.Add(scanned.Id!);
                break;
            case ScannedKeyKind.GlobalWorkerSet:
                WorkerSets.Add(scanned.WorkerSet!);
                break;
            case ScannedKeyKind.Job:
                Jobs.Add((key, scanned.RoomId, scanned.Id!));
                break;
        }
    }
}
