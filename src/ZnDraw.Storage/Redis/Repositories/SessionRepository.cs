using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="ISessionRepository"/>.</summary>
internal sealed class SessionRepository(RedisStoreContext context) : ISessionRepository
{
    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<SessionInfo?> GetByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SessionKeys keys = context.Keys.Session(id);
        RedisKey userKey = keys.Username();
        RedisKey roleKey = keys.Role();
        IBatch batch = context.Database.CreateBatch();
        Task<RedisValue> user = batch.StringGetAsync(userKey);
        Task<RedisValue> role = batch.StringGetAsync(roleKey);
        RedisStoreContext.Execute(batch);
        try
        {
            // One by one: both replies arrive together; awaiting each costs nothing, Task.WhenAll an object.
            RedisValue userName = await RedisStoreContext.WaitAsync(user, cancellationToken).ConfigureAwait(false);
            RedisValue roleText = await RedisStoreContext.WaitAsync(role, cancellationToken).ConfigureAwait(false);
            return UserMapping.SessionFromValues(id, roleKey, userName, roleText);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, user.IsFaulted ? (string)userKey! : (string)roleKey!);
        }
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask SaveAsync(SessionInfo entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        SessionKeys keys = context.Keys.Session(entity.Sid);
        KeyValidation.ValidateUserName(entity.UserName, context.Keys.Layout, nameof(entity));
        RedisValue role = entity.Role is { } r ? UserMapping.FormatRole(r) : RedisValue.Null;

        // Durable history (a login): the event goes into the same MULTI as the session keys, in the shard of their slot.
        RedisKey shard = default;
        HistoryEvent? login = null;
        if (HistoryOutboxScope.Current is { Outbox: RedisHistoryOutbox redisOutbox } scope && scope.TryTake())
        {
            login = scope.Event;
            shard = redisOutbox.ShardFor(keys.Username(), out Task? registration);
            if (registration is not null)
            {
                try
                {
                    await RedisStoreContext.WaitAsync(registration, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    scope.Release();
                    if (RedisErrors.IsClientFailure(ex))
                    {
                        throw RedisErrors.Map(ex, [keys.Username(), keys.Role()]);
                    }

                    throw;
                }
            }
        }

        // SET and DEL work on a key of any type, so this MULTI cannot fail half-way on WRONGTYPE.
        ITransaction tx = context.Database.CreateTransaction();
        Task<bool> setUser = tx.StringSetAsync(keys.Username(), entity.UserName);
        Task setRole = role.IsNull ? tx.KeyDeleteAsync(keys.Role()) : tx.StringSetAsync(keys.Role(), role);
        if (login is not null)
        {
            HistoryOutbox.Enlist(tx, shard, login);
        }

        Task<bool> exec = tx.ExecuteAsync();

        try
        {
            // One by one, EXEC first: the queued commands complete with it; Task.WhenAll would cost an object.
            await RedisStoreContext.WaitAsync(exec, cancellationToken).ConfigureAwait(false);
            await setUser.ConfigureAwait(false);
            await setRole.ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [keys.Username(), keys.Role()]);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        SessionKeys keys = context.Keys.Session(id);
        return SessionScripts.Delete.EvaluateAsync(context.Database, [keys.Username(), keys.Role()], [], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.Session(id).Username();
        return RedisReply.Of(context.Database.KeyExistsAsync(key), key, cancellationToken);
    }
}
