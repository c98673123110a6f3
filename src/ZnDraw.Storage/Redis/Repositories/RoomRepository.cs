using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IRoomRepository"/>.</summary>
internal sealed class RoomRepository(RedisStoreContext context, IUserRepository? usersElsewhere = null) : IRoomRepository
{
    private static readonly RedisValue[] DefaultGeometryArgs = BuildDefaultGeometryArgs();

    /// <summary>
    /// This repository with users kept by another backend (hybrid storage: users in SQL, rooms in Redis):
    /// <see cref="AddUserAsync"/> then checks and writes the user through <paramref name="users"/>.
    /// </summary>
    public RoomRepository WithUsers(IUserRepository users) => new(context, users);

    private bool ClusterSafe => context.Keys.Layout == KeyLayout.ClusterSafe;

    /// <inheritdoc/>
    public ValueTask<Room?> GetByIdAsync(string id, CancellationToken cancellationToken = default) =>
        ReadAsync(id, withFrameCount: false, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<Room?> GetWithFrameCountAsync(string roomId, CancellationToken cancellationToken = default) =>
        ReadAsync(roomId, withFrameCount: true, cancellationToken);

    /// <summary>
    /// One batch: <c>MGET</c> of the core keys (a key of another type reads as nil there), <c>EXISTS</c> of the same
    /// keys (counts keys of any type) and, when asked, <c>ZCARD</c>. When <c>EXISTS</c> counts more keys than
    /// <c>MGET</c> returned values, a second batch of <c>TYPE</c> finds the key that is not a string.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<Room?> ReadAsync(string roomId, bool withFrameCount, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        RedisKey[] core = CoreKeys(keys);
        RedisKey trajectory = keys.TrajectoryIndices();
        IBatch batch = context.Database.CreateBatch();
        Task<RedisValue[]> values = batch.StringGetAsync(core);
        Task<long> existing = batch.KeyExistsAsync(core);
        Task<long>? count = withFrameCount ? batch.SortedSetLengthAsync(trajectory) : null;
        RedisStoreContext.Execute(batch);
        await (count is null ? WaitAllAsync(values, existing, cancellationToken) : WaitAllAsync(values, existing, count, cancellationToken)).ConfigureAwait(false);
        RedisValue[] read;
        long present;
        try
        {
            read = await values.ConfigureAwait(false);
            present = await existing.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, core);
        }

        long? frames = count is null ? null : await RedisReply.Of(count, trajectory, CancellationToken.None).ConfigureAwait(false);
        int strings = 0;
        foreach (RedisValue value in read)
        {
            strings += value.IsNull ? 0 : 1;
        }

        if (present > strings)
        {
            await ThrowIfNotStringAsync(core, read, cancellationToken).ConfigureAwait(false);
        }

        return read[3].IsNull ? null : RoomMapping.FromValues(roomId, read[0], read[1], read[2], read[3], frames);
    }

    /// <summary>Throws <see cref="StorageDataException"/> for the first key read as nil that holds another type than a string.</summary>
    private async Task ThrowIfNotStringAsync(RedisKey[] keys, RedisValue[] read, CancellationToken cancellationToken)
    {
        var types = new Task<RedisType>?[keys.Length];
        IBatch batch = context.Database.CreateBatch();
        for (int i = 0; i < keys.Length; i++)
        {
            types[i] = read[i].IsNull ? batch.KeyTypeAsync(keys[i]) : null;
        }

        RedisStoreContext.Execute(batch);
        for (int i = 0; i < keys.Length; i++)
        {
            if (types[i] is { } task)
            {
                RedisType type = await RedisReply.Of(task, keys[i], cancellationToken).ConfigureAwait(false);
                if (type is not RedisType.None and not RedisType.String)
                {
                    throw new StorageDataException(
                        keys[i].ToString(), null, $"expected a string, found a {type.ToString().ToLowerInvariant()} (wrong Redis type).");
                }
            }
        }

        // Otherwise a concurrent write created a key between MGET and EXISTS: the values read stand.
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(id).CurrentFrame();
        return RedisReply.Of(context.Database.KeyExistsAsync(key), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(Room entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        RoomKeys keys = context.Keys.Room(entity.Id);
        CheckDescription(entity.Description, nameof(entity));
        RedisValue frame = RoomMapping.FormatCurrentFrame(entity.CurrentFrame);
        RedisKey index = context.Global.RoomsIndex();

        RedisKey[] scriptKeys = ClusterSafe
            ? [keys.Description(), keys.Locked(), keys.Hidden(), keys.CurrentFrame()]
            : [keys.Description(), keys.Locked(), keys.Hidden(), keys.CurrentFrame(), index];
        RedisValue[] args =
        [
            entity.Description is null ? RedisText.Zero : RedisText.One,
            entity.Description ?? string.Empty,
            RoomMapping.FormatFlag(entity.Locked),
            RoomMapping.FormatFlag(entity.Hidden),
            frame,
            entity.Id,
        ];
        if (!ClusterSafe)
        {
            return RoomScripts.Save.EvaluateVoidAsync(context.Database, scriptKeys, args, 0, static (_, _) => true, cancellationToken);
        }

        return SaveThenIndexAsync(scriptKeys, args, index, entity.Id, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SaveThenIndexAsync(RedisKey[] scriptKeys, RedisValue[] args, RedisKey index, string roomId, CancellationToken cancellationToken)
    {
        await RoomScripts.Save.EvaluateAsync(context.Database, scriptKeys, args, cancellationToken).ConfigureAwait(false);

        // The index is in another slot: written after the room, idempotent.
        await RedisReply.Of(context.Database.SetAddAsync(index, roomId), index, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(id);
        RedisKey index = context.Global.RoomsIndex();
        RedisKey[] scriptKeys = RoomFixedKeys.For(keys, ClusterSafe ? 0 : 1);
        if (!ClusterSafe)
        {
            scriptKeys[^1] = index;
        }

        RedisValue[] args =
        [
            id,
            RedisCalls.JobHashHead(context.Keys, id),
            context.Keys.RoomKeyText(id),
            RoomFixedKeys.Count,
        ];
        if (!ClusterSafe)
        {
            return RoomScripts.Delete.EvaluateAsync(context.Database, scriptKeys, args, 0, static (result, _) => (long)result > 0, cancellationToken);
        }

        return DeleteThenUnindexAsync(scriptKeys, args, index, id, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DeleteThenUnindexAsync(RedisKey[] scriptKeys, RedisValue[] args, RedisKey index, string roomId, CancellationToken cancellationToken)
    {
        RedisResult result = await RoomScripts.Delete.EvaluateAsync(context.Database, scriptKeys, args, cancellationToken).ConfigureAwait(false);

        // Second step in the index's slot: removes the id also when the room was already gone (repairs a crash
        // between the two steps of an earlier call).
        await RedisReply.Of(context.Database.SetRemoveAsync(index, roomId), index, cancellationToken).ConfigureAwait(false);
        return (long)result > 0;
    }

    /// <inheritdoc/>
    public ValueTask<bool> CreateAsync(string roomId, string? description = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        CheckDescription(description, nameof(description));
        RedisKey index = context.Global.RoomsIndex();
        RedisKey[] scriptKeys = ClusterSafe
            ? [keys.CurrentFrame(), keys.Locked(), keys.Hidden(), keys.Description(), keys.Geometries()]
            : [keys.CurrentFrame(), keys.Locked(), keys.Hidden(), keys.Description(), keys.Geometries(), index];
        var args = new RedisValue[3 + DefaultGeometryArgs.Length];
        args[0] = roomId;
        args[1] = description is null ? RedisText.Zero : RedisText.One;
        args[2] = description ?? string.Empty;
        DefaultGeometryArgs.CopyTo(args, 3);

        if (!ClusterSafe)
        {
            return RoomScripts.Create.EvaluateAsync(context.Database, scriptKeys, args, 0, static (result, _) => (long)result == 1, cancellationToken);
        }

        return CreateThenIndexAsync(scriptKeys, args, index, roomId, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CreateThenIndexAsync(RedisKey[] scriptKeys, RedisValue[] args, RedisKey index, string roomId, CancellationToken cancellationToken)
    {
        // Cluster-safe layout: the index set lives in another slot, so it is a second, idempotent step.
        RedisResult result = await RoomScripts.Create.EvaluateAsync(context.Database, scriptKeys, args, cancellationToken).ConfigureAwait(false);
        await RedisReply.Of(context.Database.SetAddAsync(index, roomId), index, cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    /// <inheritdoc/>
    public ValueTask<RoomCopyResult> CopyAsync(string sourceRoomId, string targetRoomId, string? description = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys source = context.Keys.Room(sourceRoomId);
        RoomKeys target = context.Keys.Room(targetRoomId);
        if (string.Equals(sourceRoomId, targetRoomId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A room cannot be copied onto itself.", nameof(targetRoomId));
        }

        CheckDescription(description, nameof(description));

        RedisKey index = context.Global.RoomsIndex();
        RedisValue hasDescription = description is null ? RedisText.Zero : RedisText.One;
        RedisValue descriptionValue = description ?? string.Empty;
        if (!ClusterSafe)
        {
            RedisKey[] keys =
            [
                source.TrajectoryIndices(), source.Geometries(), source.Bookmarks(),
                target.CurrentFrame(), target.Locked(), target.Hidden(), target.Description(),
                target.TrajectoryIndices(), target.Geometries(), target.Bookmarks(),
                index,
            ];
            return RoomScripts.Copy.EvaluateAsync(
                context.Database, keys, [targetRoomId, hasDescription, descriptionValue], 0, static (copied, _) => (RoomCopyResult)(int)copied, cancellationToken);
        }

        return CopyClusterSafeAsync(source, target, targetRoomId, index, hasDescription, descriptionValue, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RoomCopyResult> CopyClusterSafeAsync(
        RoomKeys source, RoomKeys target, string targetRoomId, RedisKey index, RedisValue hasDescription, RedisValue descriptionValue, CancellationToken cancellationToken)
    {
        // Cluster-safe layout: read the source (one batch in its slot), write the target (one script in its slot),
        // then the index.
        IBatch batch = context.Database.CreateBatch();
        RedisKey sourceTrajectory = source.TrajectoryIndices();
        RedisKey sourceGeometries = source.Geometries();
        RedisKey sourceBookmarks = source.Bookmarks();
        Task<SortedSetEntry[]> frames = batch.SortedSetRangeByRankWithScoresAsync(sourceTrajectory);
        Task<HashEntry[]> geometries = batch.HashGetAllAsync(sourceGeometries);
        Task<HashEntry[]> bookmarks = batch.HashGetAllAsync(sourceBookmarks);
        RedisStoreContext.Execute(batch);
        await WaitAllAsync(frames, geometries, bookmarks, cancellationToken).ConfigureAwait(false);
        SortedSetEntry[] frameEntries = await RedisReply.Of(frames, sourceTrajectory, CancellationToken.None).ConfigureAwait(false);
        HashEntry[] geometryEntries = await RedisReply.Of(geometries, sourceGeometries, CancellationToken.None).ConfigureAwait(false);
        HashEntry[] bookmarkEntries = await RedisReply.Of(bookmarks, sourceBookmarks, CancellationToken.None).ConfigureAwait(false);
        if (frameEntries.Length == 0)
        {
            return RoomCopyResult.SourceHasNoTrajectory;
        }

        int nt = frameEntries.Length * 2;
        int ng = geometryEntries.Length * 2;
        int nb = bookmarkEntries.Length * 2;
        var args = new RedisValue[5 + nt + ng + nb];
        args[0] = hasDescription;
        args[1] = descriptionValue;
        args[2] = nt;
        args[3] = ng;
        args[4] = nb;
        int i = 5;
        foreach (SortedSetEntry entry in frameEntries)
        {
            args[i++] = entry.Score;
            args[i++] = entry.Element;
        }

        foreach (HashEntry entry in geometryEntries)
        {
            args[i++] = entry.Name;
            args[i++] = entry.Value;
        }

        foreach (HashEntry entry in bookmarkEntries)
        {
            args[i++] = entry.Name;
            args[i++] = entry.Value;
        }

        RedisKey[] targetKeys =
        [
            target.CurrentFrame(), target.Locked(), target.Hidden(), target.Description(),
            target.TrajectoryIndices(), target.Geometries(), target.Bookmarks(),
        ];
        RedisResult written = await RoomScripts.CopyWrite.EvaluateAsync(context.Database, targetKeys, args, cancellationToken).ConfigureAwait(false);
        var outcome = (RoomCopyResult)(int)written;
        if (outcome == RoomCopyResult.Copied)
        {
            await RedisReply.Of(context.Database.SetAddAsync(index, targetRoomId), index, cancellationToken).ConfigureAwait(false);
        }

        return outcome;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<string> ListIdsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (string id in await ListAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return id;
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListAllAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey index = context.Global.RoomsIndex();
        return RedisReply.Map(context.Database.SetMembersAsync(index), 0, static (members, _) => (IReadOnlyList<string>)RedisCalls.SortedStrings(members), index, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentFrameAsync(string roomId, int frame, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).CurrentFrame();
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        RedisValue value = RoomMapping.FormatCurrentFrame(frame);
        return RedisReply.Of(context.Database.StringSetAsync(key, value, when: When.Exists), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetLockedAsync(string roomId, bool locked, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        return SetIfRoomAsync(keys, keys.Locked(), RoomMapping.FormatFlag(locked), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetHiddenAsync(string roomId, bool hidden, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        return SetIfRoomAsync(keys, keys.Hidden(), RoomMapping.FormatFlag(hidden), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetDescriptionAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).Description();
        return RedisReply.Map(context.Database.StringGetAsync(key), 0, static (value, _) => value.IsNull ? null : value.ToString(), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetDescriptionAsync(string roomId, string? description, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        CheckDescription(description, nameof(description));
        return SetIfRoomAsync(keys, keys.Description(), description is null ? RedisValue.Null : (RedisValue)description, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<RoomMetadata?> GetMetadataAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).Metadata();
        return RedisReply.Map(context.Database.HashGetAllAsync(key), key, static (entries, key) => RoomMapping.MetadataFromHash(key.ToString(), entries), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetMetadataAsync(string roomId, RoomMetadata metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys keys = context.Keys.Room(roomId);
        MetadataValidation.Validate(metadata, context.Limits);
        var args = new RedisValue[metadata.Fields.Count * 2];
        int i = 0;
        foreach (KeyValuePair<string, string> field in metadata.Fields)
        {
            args[i++] = field.Key;
            args[i++] = field.Value;
        }

        return RoomScripts.SetMetadata.EvaluateAsync(
            context.Database, [keys.CurrentFrame(), keys.Metadata()], args, 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteMetadataFieldAsync(string roomId, string field, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).Metadata();
        ArgumentException.ThrowIfNullOrEmpty(field);
        return RedisReply.Of(context.Database.HashDeleteAsync(key, field), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> AddUserAsync(string roomId, string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey users = context.Keys.Room(roomId).Users();
        if (usersElsewhere is not null)
        {
            return AddUserElsewhereAsync(usersElsewhere, roomId, userName, users, cancellationToken);
        }

        RedisKey user = context.Keys.User(userName).HashKey();
        RedisValue[] args = [userName, roomId];
        if (!ClusterSafe)
        {
            return RoomScripts.AddUser.EvaluateAsync(context.Database, [user, users], args, 0, static (result, _) => (long)result == 1, cancellationToken);
        }

        return AddUserClusterSafeAsync(user, users, args, userName, cancellationToken);
    }

    // Hybrid storage: the user (in another backend) is checked and written first, then the room's user set
    // (idempotent), as in the cluster-safe layout; repeating the call after a failure completes it.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AddUserElsewhereAsync(
        IUserRepository users, string roomId, string userName, RedisKey members, CancellationToken cancellationToken)
    {
        if (!await users.SetCurrentRoomAsync(userName, roomId, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        await RedisReply.Of(context.Database.SetAddAsync(members, userName), members, cancellationToken).ConfigureAwait(false);
        return true;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> AddUserClusterSafeAsync(RedisKey user, RedisKey users, RedisValue[] args, string userName, CancellationToken cancellationToken)
    {
        // Two slots: the user's hash is checked and written in one script in its slot, then the room's user set.
        RedisResult result = await RoomScripts.AddUser.EvaluateAsync(context.Database, [user], args, cancellationToken).ConfigureAwait(false);
        if ((long)result != 1)
        {
            return false;
        }

        await RedisReply.Of(context.Database.SetAddAsync(users, userName), users, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetDefaultRoomAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Global.DefaultRoom();
        return RedisReply.Map(context.Database.StringGetAsync(key), 0, static (value, _) => value.IsNull ? null : value.ToString(), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetDefaultRoomAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        RoomKeys keys = context.Keys.Room(roomId);
        RedisKey key = context.Global.DefaultRoom();
        if (!ClusterSafe)
        {
            return SetIfRoomAsync(keys, key, roomId, cancellationToken);
        }

        return SetDefaultRoomClusterSafeAsync(keys.CurrentFrame(), key, roomId, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> SetDefaultRoomClusterSafeAsync(RedisKey currentFrame, RedisKey key, string roomId, CancellationToken cancellationToken)
    {
        // Two slots: check, then write (not atomic; documented).
        try
        {
            if (!await RedisStoreContext.WaitAsync(context.Database.KeyExistsAsync(currentFrame), cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            await RedisStoreContext.WaitAsync(context.Database.StringSetAsync(key, roomId), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [currentFrame, key]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> ClearDefaultRoomAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Global.DefaultRoom();
        return RedisReply.Of(context.Database.KeyDeleteAsync(key), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> GetUsersAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).Users();
        return RedisReply.Map(context.Database.SetMembersAsync(key), 0, static (members, _) => (IReadOnlyList<string>)RedisCalls.SortedStrings(members), key, cancellationToken);
    }

    /// <summary>Waits for every task of an executed batch without throwing (each task's own error is observed later).</summary>
    private static Task WaitAllAsync(Task first, Task second, CancellationToken cancellationToken) =>
        RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(first, second)), cancellationToken);

    private static Task WaitAllAsync(Task first, Task second, Task third, CancellationToken cancellationToken) =>
        RedisStoreContext.WaitAsync(IgnoreErrors(Task.WhenAll(first, second, third)), cancellationToken);

    private static Task IgnoreErrors(Task task) =>
        task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private ValueTask<bool> SetIfRoomAsync(RoomKeys keys, RedisKey target, RedisValue value, CancellationToken cancellationToken)
    {
        RedisValue[] args = value.IsNull ? [RedisText.Zero, RedisValue.EmptyString] : [RedisText.One, value];
        return RoomScripts.SetIfExists.EvaluateAsync(context.Database, [keys.CurrentFrame(), target], args, 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    private void CheckDescription(string? description, string paramName) =>
        SizeLimits.CheckText(description, context.Limits.MaxDescriptionBytes, "description", paramName);

    private static RedisKey[] CoreKeys(RoomKeys keys) => [keys.Description(), keys.Locked(), keys.Hidden(), keys.CurrentFrame()];

    private static RedisValue[] BuildDefaultGeometryArgs()
    {
        var args = new List<RedisValue>(DefaultGeometries.All.Count * 2);
        foreach (DefaultGeometry geometry in DefaultGeometries.All)
        {
            args.Add(geometry.Name);
            args.Add(geometry.Json);
        }

        return [.. args];
    }
}
