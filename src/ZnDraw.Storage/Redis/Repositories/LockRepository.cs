using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="ILockRepository"/>.</summary>
internal sealed class LockRepository(RedisStoreContext context) : ILockRepository
{
    /// <inheritdoc/>
    public ValueTask<bool> AcquireAsync(string roomId, string target, string holder, TimeSpan timeToLive, LockMetadata? metadata = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        long seconds = LockLimits.ToSeconds(timeToLive, nameof(timeToLive));
        RedisValue json = metadata is null ? RedisValue.EmptyString : FormatMetadata(metadata, holder);
        ValueTask<bool> write = LockScripts.Acquire.EvaluateAsync(
            context.Database,
            [lockKey, metadataKey, room.KeyRegistry()],
            [holder, seconds, metadata is null ? RedisText.Zero : RedisText.One, json],
            0,
            static (result, _) => (long)result == 1,
            cancellationToken);
        return context.Replicas is { } replicas ? replicas.AfterAsync(write, Taken, lockKey, nameof(AcquireAsync), cancellationToken) : write;
    }

    /// <inheritdoc/>
    public ValueTask<bool> RefreshAsync(string roomId, string target, string holder, TimeSpan timeToLive, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        long seconds = LockLimits.ToSeconds(timeToLive, nameof(timeToLive));
        ValueTask<bool> write = LockScripts.Refresh.EvaluateAsync(context.Database, [lockKey, metadataKey], [holder, seconds], 0, static (result, _) => (long)result == 1, cancellationToken);
        return context.Replicas is { } replicas ? replicas.AfterAsync(write, Taken, lockKey, nameof(RefreshAsync), cancellationToken) : write;
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReleaseAsync(string roomId, string target, string holder, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        return LockScripts.Release.EvaluateAsync(context.Database, [lockKey, metadataKey, room.KeyRegistry()], [holder], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetMetadataAsync(string roomId, string target, string holder, LockMetadata metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        ValidateHolder(holder);
        ArgumentNullException.ThrowIfNull(metadata);
        RedisValue json = FormatMetadata(metadata, holder);
        return LockScripts.SetMetadata.EvaluateAsync(context.Database, [lockKey, metadataKey, room.KeyRegistry()], [holder, json], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<LockInfo?> GetAsync(string roomId, string target, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RoomKeys room = context.Keys.Room(roomId);
        RedisKey lockKey = room.Lock(target);
        RedisKey metadataKey = room.LockMetadata(target);
        return LockScripts.Get.EvaluateAsync(
            context.Database,
            [lockKey, metadataKey],
            [],
            (metadataKey, target),
            static (result, s) =>
            {
                if (result.IsNull || result.Resp2Type != ResultType.Array)
                {
                    return null;
                }

                RedisResult[] parts = (RedisResult[])result!;
                long pttl = (long)parts[1];
                TimeSpan? timeToLive = pttl >= 0 ? TimeSpan.FromMilliseconds(pttl) : null;
                return LockMapping.FromValues((string)s.metadataKey!, s.target, (RedisValue)parts[0], timeToLive, (RedisValue)parts[2]);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> AcquirePresenterAsync(string roomId, string sid, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).PresenterLock();
        KeyValidation.ValidateSessionId(sid, context.Keys.Layout);
        long seconds = LockLimits.ToSeconds(timeToLive ?? LockLimits.DefaultPresenterTimeToLive, nameof(timeToLive));
        ValueTask<bool> write = LockScripts.AcquirePresenter.EvaluateAsync(context.Database, [key], [sid, seconds], 0, static (result, _) => (long)result == 1, cancellationToken);
        return context.Replicas is { } replicas ? replicas.AfterAsync(write, Taken, key, nameof(AcquirePresenterAsync), cancellationToken) : write;
    }

    /// <inheritdoc/>
    public ValueTask<bool> ReleasePresenterAsync(string roomId, string sid, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).PresenterLock();
        KeyValidation.ValidateSessionId(sid, context.Keys.Layout);
        return LockScripts.ReleasePresenter.EvaluateAsync(context.Database, [key], [sid], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<string?> GetPresenterAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Room(roomId).PresenterLock();
        return RedisReply.Map(context.Database.StringGetAsync(key), 0, static (value, _) => value.IsNull ? null : (string?)value, key, cancellationToken);
    }

    /// <summary>Whether a lock call changed state (and so waits for replicas when <see cref="ZnDrawReplicationOptions"/> asks).</summary>
    private static readonly Func<bool, bool> Taken = static taken => taken;

    private void ValidateHolder(string holder) => KeyValidation.ValidateUserName(holder, context.Keys.Layout);

    private static RedisValue FormatMetadata(LockMetadata metadata, string holder)
    {
        if (!string.Equals(metadata.UserName, holder, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The lock metadata names user '{metadata.UserName}', not the holder '{holder}'.", nameof(metadata));
        }

        return LockMapping.FormatMetadata(metadata);
    }
}
