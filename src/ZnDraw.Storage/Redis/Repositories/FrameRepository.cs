using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IFrameRepository"/>.</summary>
internal sealed class FrameRepository(RedisStoreContext context) : IFrameRepository
{
    private readonly IDatabase _db = context.Database;
    private readonly KeySpace _keys = context.Keys;

    /// <inheritdoc/>
    public ValueTask<long> CountAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        return RedisReply.Of(_db.SortedSetLengthAsync(key), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<TrajectoryEntry>> GetRangeAsync(string roomId, int start = 0, int stop = -1, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        return RedisReply.Map(
            _db.SortedSetRangeByRankWithScoresAsync(key, start, stop),
            (roomId, key),
            static (entries, s) => (IReadOnlyList<TrajectoryEntry>)FrameMapping.ParseEntries(s.key, s.roomId, entries),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<FrameIndex?> GetAsync(string roomId, int index, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return RedisReply.Map(
            _db.SortedSetRangeByRankAsync(key, index, index),
            (roomId, key),
            static (members, s) => members.Length == 0 ? null : (FrameIndex?)FrameMapping.ParseMember(s.key, s.roomId, members[0]),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<int> AppendAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        ArgumentNullException.ThrowIfNull(frames);
        if (frames.Count == 0)
        {
            throw new ArgumentException("At least one frame is needed.", nameof(frames));
        }

        RedisValue[] members = FormatDistinct(frames, nameof(frames));
        return FrameScripts.Append.EvaluateAsync(
            _db,
            [key],
            members,
            key,
            static (reply, key) =>
            {
                var result = (RedisResult[])reply!;
                ThrowIfDuplicate(result, key);
                return (int)result[0];
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask InsertAsync(string roomId, int position, FrameIndex frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        RedisValue member = FrameMapping.FormatMember(frame);
        RedisKey key = room.TrajectoryIndices();
        return FrameScripts.Insert.EvaluateVoidAsync(
            _db,
            [key, room.Bookmarks()],
            [RedisText.Integer(position), member],
            (key, position),
            static (reply, s) =>
            {
                var result = (RedisResult[])reply!;
                ThrowIfDuplicate(result, s.key);
                ThrowIfOutOfRange(result, s.position, nameof(position), "a position 0 … frame count");
                return true;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<int> DeleteAsync(string roomId, IReadOnlyList<int> indices, bool allowTemplateFrames = false, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        SortedSet<int> sorted = FrameArguments.DistinctIndices(indices);

        if (sorted.Count == 0)
        {
            return ValueTask.FromResult(0);
        }

        var args = new RedisValue[sorted.Count + 2];
        args[0] = roomId;
        args[1] = allowTemplateFrames ? RedisText.One : RedisText.Zero;
        int i = 2;
        foreach (int index in sorted)
        {
            args[i++] = RedisText.Integer(index);
        }

        return FrameScripts.Delete.EvaluateAsync(
            _db,
            [room.TrajectoryIndices(), room.Bookmarks()],
            args,
            (roomId, max: sorted.Max),
            static (reply, s) =>
            {
                var result = (RedisResult[])reply!;
                long status = (long)result[0];
                if (status == FrameScripts.Template)
                {
                    throw new TemplateFrameException(s.roomId, (int)result[1], (string?)result[2] ?? string.Empty);
                }

                ThrowIfOutOfRange(result, s.max, nameof(indices), "indices below the frame count");
                return (int)status;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<FrameIndex> ReplaceAsync(string roomId, int index, FrameIndex frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = _keys.Room(roomId);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        RedisValue member = FrameMapping.FormatMember(frame);
        RedisKey key = room.TrajectoryIndices();
        return FrameScripts.Replace.EvaluateAsync(
            _db,
            [key, room.Bookmarks()],
            [RedisText.Integer(index), member],
            (roomId, key, index),
            static (reply, s) =>
            {
                var result = (RedisResult[])reply!;
                ThrowIfDuplicate(result, s.key);
                ThrowIfOutOfRange(result, s.index, nameof(index), "an index below the frame count");
                return FrameMapping.ParseMember(s.key, s.roomId, (RedisValue)result[1]);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> RenormalizeAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        return FrameScripts.Renormalize.EvaluateAsync(_db, [key], [], 0, static (reply, _) => (long)((RedisResult[])reply!)[0], cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask ReplaceAllAsync(string roomId, IReadOnlyList<FrameIndex> frames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).TrajectoryIndices();
        ArgumentNullException.ThrowIfNull(frames);
        SortedSetEntry[] entries = FormatDistinctEntries(frames, nameof(frames));

        ITransaction tx = _db.CreateTransaction();
        Task deleted = tx.KeyDeleteAsync(key);
        Task? added = entries.Length == 0 ? null : tx.SortedSetAddAsync(key, entries);
        try
        {
            await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);

            // Both replies came with EXEC: awaited one by one, without a combined task.
            await deleted.ConfigureAwait(false);
            if (added is not null)
            {
                await added.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, key.ToString());
        }
    }

    /// <inheritdoc/>
    public ValueTask<FrameSelection?> GetFrameSelectionAsync(string roomId, string group = FrameSelection.DefaultGroup, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = _keys.Room(roomId).FrameSelection(group);
        return RedisReply.Map(
            _db.StringGetAsync(key),
            (key, group),
            static (value, s) => SelectionMapping.ParseFrameSelection(s.key, s.group, value),
            key,
            cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SetFrameSelectionAsync(string roomId, FrameSelection selection, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(selection);
        RoomKeys room = _keys.Room(roomId);
        RedisKey key = room.FrameSelection(selection.Group);
        RedisKey registry = room.KeyRegistry();
        RedisValue value = SelectionMapping.FormatFrameSelection(selection);

        ITransaction tx = _db.CreateTransaction();
        Task set = tx.StringSetAsync(key, value);
        Task registered = tx.SetAddAsync(registry, key.ToString());
        try
        {
            await RedisStoreContext.WaitAsync(tx.ExecuteAsync(), cancellationToken).ConfigureAwait(false);

            // Both replies came with EXEC: awaited one by one, without a combined task.
            await set.ConfigureAwait(false);
            await registered.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [key, registry]);
        }
    }

    /// <summary>Runs a frame script; WRONGTYPE on any of its keys becomes <see cref="StorageDataException"/>.</summary>
    internal static ValueTask<RedisResult[]> RunScriptAsync(
        IDatabase db, RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken) =>
        script.EvaluateAsync(db, keys, args, 0, static (result, _) => (RedisResult[])result!, cancellationToken);

    private const int SmallDistinctCount = 8;

    // Frame sets of up to this many frames are kept for the thread's next call (cleared, so they hold no frames).
    private const int MaxCachedDistinctCount = 4096;

    [ThreadStatic]
    private static HashSet<FrameIndex>? t_seen;

    /// <summary>The script arguments of <paramref name="frames"/>: each member once (<see cref="ArgumentException"/> otherwise).</summary>
    private static RedisValue[] FormatDistinct(IReadOnlyList<FrameIndex> frames, string paramName)
    {
        var members = new RedisValue[frames.Count];
        HashSet<FrameIndex>? seen = RentSeen(members.Length);
        try
        {
            for (int i = 0; i < members.Length; i++)
            {
                members[i] = FrameMapping.FormatMember(frames[i]);
                ThrowIfRepeated(frames, i, seen, paramName);
            }
        }
        finally
        {
            ReturnSeen(seen, frames.Count);
        }

        return members;
    }

    /// <summary>
    /// The ZADD entries of <paramref name="frames"/>, scored by position, each member once (<see cref="ArgumentException"/>
    /// otherwise): built directly, with no intermediate member array.
    /// </summary>
    private static SortedSetEntry[] FormatDistinctEntries(IReadOnlyList<FrameIndex> frames, string paramName)
    {
        var entries = new SortedSetEntry[frames.Count];
        HashSet<FrameIndex>? seen = RentSeen(entries.Length);
        try
        {
            for (int i = 0; i < entries.Length; i++)
            {
                entries[i] = new SortedSetEntry(FrameMapping.FormatMember(frames[i]), i);
                ThrowIfRepeated(frames, i, seen, paramName);
            }
        }
        finally
        {
            ReturnSeen(seen, frames.Count);
        }

        return entries;
    }

    /// <summary>Throws when <c>frames[index]</c> equals an earlier frame: a linear scan for few frames, else <paramref name="seen"/>.</summary>
    private static void ThrowIfRepeated(IReadOnlyList<FrameIndex> frames, int index, HashSet<FrameIndex>? seen, string paramName)
    {
        FrameIndex frame = frames[index];
        bool duplicate;
        if (seen is not null)
        {
            duplicate = !seen.Add(frame);
        }
        else
        {
            duplicate = false;
            for (int j = 0; j < index && !duplicate; j++)
            {
                duplicate = frames[j].Equals(frame);
            }
        }

        if (duplicate)
        {
            throw new ArgumentException($"Frame '{frame}' is listed twice; a trajectory holds each frame once.", paramName);
        }
    }

    /// <summary>
    /// No set for few frames (the common single append: a linear scan); otherwise this thread's cached set, so a bulk
    /// call allocates no set once warm.
    /// </summary>
    private static HashSet<FrameIndex>? RentSeen(int count)
    {
        if (count <= SmallDistinctCount)
        {
            return null;
        }

        HashSet<FrameIndex>? seen = t_seen;
        if (seen is null || count > MaxCachedDistinctCount)
        {
            return new HashSet<FrameIndex>(count);
        }

        t_seen = null;
        seen.EnsureCapacity(count);
        return seen;
    }

    private static void ReturnSeen(HashSet<FrameIndex>? seen, int count)
    {
        if (seen is null || count > MaxCachedDistinctCount)
        {
            return;
        }

        seen.Clear(); // drops the room-id references
        t_seen = seen;
    }

    private static void ThrowIfDuplicate(RedisResult[] result, RedisKey key)
    {
        if ((long)result[0] == FrameScripts.Duplicate)
        {
            throw new InvalidOperationException(
                $"Frame '{(string?)result[1]}' is already in the trajectory '{key}'; a sorted set holds each member once. Nothing was changed.");
        }
    }

    private static void ThrowIfOutOfRange(RedisResult[] result, int value, string paramName, string expected)
    {
        if ((long)result[0] == FrameScripts.OutOfRange)
        {
            throw new ArgumentOutOfRangeException(
                paramName, value, $"The trajectory has {(long)result[1]} frame(s); expected {expected}. Nothing was changed.");
        }
    }
}
