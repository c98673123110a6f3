using System.Collections.Frozen;
using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>
/// The room keys whose names carry no further id: the room delete names them directly, and the reindex treats every
/// other key under a room's prefix as an id-bearing key to register.
/// </summary>
internal static class RoomFixedKeys
{
    /// <summary>Number of keys <see cref="For"/> returns.</summary>
    public const int Count = 22;

    /// <summary>
    /// Every fixed-name key of the room. The order is part of the delete script's contract: the key registry first,
    /// then <c>jobs:active</c>, <c>jobs:inactive</c>, <c>jobs:by_time</c>, then the rest.
    /// </summary>
    public static RedisKey[] For(RoomKeys keys, int extra = 0)
    {
        var result = new RedisKey[Count + extra];
        result[0] = keys.KeyRegistry();
        result[1] = keys.JobsActive();
        result[2] = keys.JobsInactive();
        result[3] = keys.JobsByTime();
        result[4] = keys.Description();
        result[5] = keys.Locked();
        result[6] = keys.Hidden();
        result[7] = keys.CurrentFrame();
        result[8] = keys.PresenterLock();
        result[9] = keys.Metadata();
        result[10] = keys.Users();
        result[11] = keys.TrajectoryIndices();
        result[12] = keys.Bookmarks();
        result[13] = keys.Geometries();
        result[14] = keys.Figures();
        result[15] = keys.Selections();
        result[16] = keys.SelectionGroups();
        result[17] = keys.ActiveSelectionGroup();
        result[18] = keys.ChatIndex();
        result[19] = keys.ChatData();
        result[20] = keys.ChatCounter();
        result[21] = keys.FilesystemsIndex();
        return result;
    }

    /// <summary>The fixed names relative to the room's prefix (<c>description</c>, <c>chat:index</c>, ..., <c>keys</c>).</summary>
    public static FrozenSet<string> Suffixes { get; } = BuildSuffixes();

    private static FrozenSet<string> BuildSuffixes()
    {
        const string Head = "room:x:";
        var names = new List<string>(Count);
        foreach (RedisKey key in For(new RoomKeys("x", KeySpace.Default)))
        {
            names.Add(key.ToString()[Head.Length..]);
        }

        return names.ToFrozenSet(StringComparer.Ordinal);
    }
}
