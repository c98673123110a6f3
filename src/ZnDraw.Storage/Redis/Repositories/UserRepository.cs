using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Redis.Repositories;

/// <summary>The Redis implementation of <see cref="IUserRepository"/>.</summary>
internal sealed class UserRepository(RedisStoreContext context) : IUserRepository
{
    private bool ClusterSafe => context.Keys.Layout == KeyLayout.ClusterSafe;

    /// <inheritdoc/>
    public ValueTask<User?> GetByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(id).HashKey();
        return RedisReply.Map(
            context.Database.HashGetAllAsync(key), (key, id), static (entries, s) => UserMapping.FromHash(s.key, s.id, entries), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(id).HashKey();
        return RedisReply.Of(context.Database.KeyExistsAsync(key), key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(User entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        UserKeys keys = context.Keys.User(entity.UserName);
        ValidateUserFields(entity, nameof(entity));

        // ARGV: name, n, the n null fields (HDEL), then the field/value pairs, written straight into one array.
        int fields = UserMapping.FieldCount(entity);
        int deleted = UserMapping.NullFieldCount(entity);
        var args = new RedisValue[2 + deleted + (2 * fields)];
        int i = 0;
        args[i++] = entity.UserName;
        args[i++] = deleted;
        UserMapping.WriteNullFieldNames(entity, args, ref i);
        UserMapping.WritePairs(entity, args, ref i);
        if (!ClusterSafe)
        {
            return UserScripts.Save.EvaluateVoidAsync(
                context.Database, [keys.HashKey(), context.Global.UsersIndex()], args, 0, static (_, _) => true, cancellationToken);
        }

        return SaveThenIndexAsync(keys.HashKey(), args, entity.UserName, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        UserKeys keys = context.Keys.User(id);
        if (!ClusterSafe)
        {
            return UserScripts.Delete.EvaluateAsync(
                context.Database,
                [keys.HashKey(), keys.AdminKey(), context.Global.UsersIndex(), context.Global.AdminsIndex()],
                [id],
                0,
                static (result, _) => (long)result == 1,
                cancellationToken);
        }

        return DeleteThenUnindexAsync(keys, id, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> CreateAsync(User user, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(user);
        UserKeys keys = context.Keys.User(user.UserName);
        ValidateUserFields(user, nameof(user));
        if (user.CreatedAt is null || user.LastLogin is null)
        {
            DateTime now = context.UtcNow;
            user = user with { CreatedAt = user.CreatedAt ?? now, LastLogin = user.LastLogin ?? now };
        }

        var args = new RedisValue[1 + (2 * UserMapping.FieldCount(user))];
        int i = 0;
        args[i++] = user.UserName;
        UserMapping.WritePairs(user, args, ref i);
        if (!ClusterSafe)
        {
            return UserScripts.Create.EvaluateAsync(
                context.Database, [keys.HashKey(), context.Global.UsersIndex()], args, 0, static (result, _) => (long)result == 1, cancellationToken);
        }

        return CreateThenIndexAsync(keys.HashKey(), args, user.UserName, cancellationToken);
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
        return ListIndexAsync(context.Global.UsersIndex(), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetPasswordAsync(string userName, string passwordHash, string passwordSalt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        PasswordFormat.Validate(passwordHash, passwordSalt);
        return SetFieldsAsync(
            key,
            [UserMapping.PasswordHashField, passwordHash, UserMapping.PasswordSaltField, passwordSalt],
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> RegisterPasswordAsync(string userName, string passwordHash, string passwordSalt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        PasswordFormat.Validate(passwordHash, passwordSalt);
        return UserScripts.RegisterPassword.EvaluateAsync(
            context.Database, [key], [passwordHash, passwordSalt], 0, static (result, _) => (long)result == 1, cancellationToken);
    }

    /// <inheritdoc/>
    public async ValueTask<UserCredentials?> GetCredentialsAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        IBatch batch = context.Database.CreateBatch();
        Task<bool> exists = batch.KeyExistsAsync(key);
        Task<RedisValue[]> fields = batch.HashGetAsync(key, [UserMapping.PasswordHashField, UserMapping.PasswordSaltField]);
        RedisStoreContext.Execute(batch);
        try
        {
            bool found = await RedisStoreContext.WaitAsync(exists, cancellationToken).ConfigureAwait(false);
            RedisValue[] values = await RedisStoreContext.WaitAsync(fields, cancellationToken).ConfigureAwait(false);
            return UserMapping.CredentialsFrom(userName, found, values);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, (string)key!);
        }
    }

    /// <inheritdoc/>
    public ValueTask SetAdminAsync(string userName, bool isAdmin, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey flag = context.Keys.User(userName).AdminKey();
        RedisKey index = context.Global.AdminsIndex();
        if (!ClusterSafe)
        {
            return UserScripts.SetAdmin.EvaluateVoidAsync(
                context.Database, [flag, index], [userName, isAdmin ? RedisText.One : RedisText.Zero], 0, static (_, _) => true, cancellationToken);
        }

        return SetAdminClusterSafeAsync(flag, index, userName, isAdmin, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> IsAdminAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey flag = context.Keys.User(userName).AdminKey();
        return RedisReply.Map(context.Database.StringGetAsync(flag), 0, static (value, _) => UserMapping.ParseAdminFlag(value), flag, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListAdminsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ListIndexAsync(context.Global.AdminsIndex(), cancellationToken);
    }

    /// <inheritdoc/>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<UserRole> GetRoleAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        UserKeys keys = context.Keys.User(userName);
        RedisKey flag = keys.AdminKey();
        RedisKey hash = keys.HashKey();
        IBatch batch = context.Database.CreateBatch();
        Task<RedisValue> admin = batch.StringGetAsync(flag);
        Task<bool> registered = batch.HashExistsAsync(hash, UserMapping.PasswordHashField);
        RedisStoreContext.Execute(batch);
        try
        {
            // One by one: both replies arrive together; awaiting each costs nothing, Task.WhenAll an object.
            RedisValue adminFlag = await RedisStoreContext.WaitAsync(admin, cancellationToken).ConfigureAwait(false);
            bool hasPassword = await RedisStoreContext.WaitAsync(registered, cancellationToken).ConfigureAwait(false);
            return UserMapping.ParseAdminFlag(adminFlag) ? UserRole.Admin : hasPassword ? UserRole.User : UserRole.Guest;
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, admin.IsFaulted ? (string)flag! : (string)hash!);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentRoomAsync(string userName, string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        KeyValidation.ValidateRoomId(roomId);
        return SetFieldsAsync(key, [UserMapping.CurrentRoomField, roomId], cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentSidAsync(string userName, string sid, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        ArgumentNullException.ThrowIfNull(sid);
        if (sid.Length != 0)
        {
            KeyValidation.ValidateSessionId(sid, context.Keys.Layout);
        }

        return SetFieldsAsync(key, [UserMapping.CurrentSidField, sid], cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TouchLastActivityAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        string now = ZnDrawTime.FormatIso(context.UtcNow);
        return SetFieldsAsync(key, [UserMapping.LastActivityField, now], cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TouchLastLoginAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        RedisKey key = context.Keys.User(userName).HashKey();
        string now = ZnDrawTime.FormatIso(context.UtcNow);
        return SetFieldsAsync(key, [UserMapping.LastLoginField, now], cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> RenameAsync(string oldName, string newName, string? passwordHash = null, string? passwordSalt = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        UserKeys oldKeys = context.Keys.User(oldName);
        UserKeys newKeys = context.Keys.User(newName);
        PasswordFormat.ValidateRename(oldName, newName, passwordHash, passwordSalt);

        string now = ZnDrawTime.FormatIso(context.UtcNow);
        if (!ClusterSafe)
        {
            return UserScripts.Rename.EvaluateAsync(
                context.Database,
                [oldKeys.HashKey(), newKeys.HashKey(), oldKeys.AdminKey(), newKeys.AdminKey(), context.Global.UsersIndex(), context.Global.AdminsIndex()],
                [oldName, newName, now, passwordHash is null ? RedisText.Zero : RedisText.One, passwordHash ?? string.Empty, passwordSalt ?? string.Empty],
                0,
                static (result, _) => (long)result == 1,
                cancellationToken);
        }

        return RenameClusterSafeAsync(oldKeys, newKeys, now, passwordHash, passwordSalt, cancellationToken);
    }

    // Cluster-safe layout: the script in the user's slot, then the index (another slot, idempotent).
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SaveThenIndexAsync(RedisKey hash, RedisValue[] args, string userName, CancellationToken cancellationToken)
    {
        await RunAsync(UserScripts.Save, [hash], args, cancellationToken).ConfigureAwait(false);
        await IndexAsync(context.Global.UsersIndex(), userName, add: true, cancellationToken).ConfigureAwait(false);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> CreateThenIndexAsync(RedisKey hash, RedisValue[] args, string userName, CancellationToken cancellationToken)
    {
        RedisResult result = await RunAsync(UserScripts.Create, [hash], args, cancellationToken).ConfigureAwait(false);
        await IndexAsync(context.Global.UsersIndex(), userName, add: true, cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> DeleteThenUnindexAsync(UserKeys keys, string id, CancellationToken cancellationToken)
    {
        RedisResult result = await RunAsync(UserScripts.Delete, [keys.HashKey(), keys.AdminKey()], [id], cancellationToken).ConfigureAwait(false);

        // Second, idempotent step: the index sets live in other slots. Also run when the user was already gone,
        // so a delete repeated after a crash removes a lingering index entry.
        IBatch batch = context.Database.CreateBatch();
        Task<bool> users = batch.SetRemoveAsync(context.Global.UsersIndex(), id);
        Task<bool> admins = batch.SetRemoveAsync(context.Global.AdminsIndex(), id);
        RedisStoreContext.Execute(batch);
        await AwaitIndexAsync(Task.WhenAll(users, admins), [context.Global.UsersIndex(), context.Global.AdminsIndex()], cancellationToken).ConfigureAwait(false);
        return (long)result == 1;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SetAdminClusterSafeAsync(RedisKey flag, RedisKey index, string userName, bool isAdmin, CancellationToken cancellationToken)
    {
        // Cluster-safe: the flag first (its own slot), then the index (idempotent).
        Task write = isAdmin
            ? context.Database.StringSetAsync(flag, UserMapping.AdminFlagValue)
            : context.Database.KeyDeleteAsync(flag);
        await RedisReply.Of(write, flag, cancellationToken).ConfigureAwait(false);
        await IndexAsync(index, userName, isAdmin, cancellationToken).ConfigureAwait(false);
    }

    // The ordered single-slot steps described on IUserRepository.RenameAsync.
    private async ValueTask<bool> RenameClusterSafeAsync(UserKeys oldKeys, UserKeys newKeys, string now, string? passwordHash, string? passwordSalt, CancellationToken cancellationToken)
    {
        // Step 1: read the old user (one slot, one batch).
        RedisKey oldHash = oldKeys.HashKey();
        RedisKey oldFlag = oldKeys.AdminKey();
        IBatch batch = context.Database.CreateBatch();
        Task<RedisValue[]> fieldsTask = batch.HashGetAsync(oldHash, [UserMapping.CreatedAtField, UserMapping.PasswordHashField, UserMapping.PasswordSaltField]);
        Task<bool> existsTask = batch.KeyExistsAsync(oldHash);
        Task<RedisValue> flagTask = batch.StringGetAsync(oldFlag);
        RedisStoreContext.Execute(batch);
        try
        {
            await RedisStoreContext.WaitAsync(Task.WhenAll(fieldsTask, existsTask, flagTask), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, [oldHash, oldFlag]);
        }

        if (!existsTask.Result)
        {
            return false;
        }

        RedisValue[] old = fieldsTask.Result;
        bool isAdmin = UserMapping.ParseAdminFlag(flagTask.Result);
        RedisValue hash = passwordHash is null ? old[1] : (RedisValue)passwordHash;
        RedisValue salt = passwordHash is null ? old[2] : (RedisValue)passwordSalt;
        var args = new List<RedisValue>(11)
        {
            isAdmin ? RedisText.One : RedisText.Zero,
            UserMapping.UserNameField, newKeys.UserName,
        };
        if (!hash.IsNull)
        {
            args.Add(UserMapping.PasswordHashField);
            args.Add(hash);
        }

        if (!salt.IsNull)
        {
            args.Add(UserMapping.PasswordSaltField);
            args.Add(salt);
        }

        args.Add(UserMapping.CreatedAtField);
        args.Add(old[0].IsNull ? now : old[0]);
        args.Add(UserMapping.LastLoginField);
        args.Add(now);

        // Step 2: create the new user if the name is free (new user's slot).
        RedisKey newHash = newKeys.HashKey();
        RedisKey newFlag = newKeys.AdminKey();
        RedisResult created = await RunAsync(UserScripts.RenameCreate, [newHash, newFlag], [.. args], cancellationToken).ConfigureAwait(false);
        if ((long)created != 1)
        {
            return false;
        }

        // Step 3: delete the old user if it is still there (old user's slot); otherwise undo step 2.
        RedisResult deleted = await RunAsync(UserScripts.RenameDeleteOld, [oldHash, oldFlag], [], cancellationToken).ConfigureAwait(false);
        if ((long)deleted != 1)
        {
            await RedisReply.Of(context.Database.KeyDeleteAsync([newHash, newFlag]), newHash, cancellationToken).ConfigureAwait(false);
            return false;
        }

        // Step 4: the index sets (idempotent).
        IBatch index = context.Database.CreateBatch();
        Task addUser = index.SetAddAsync(context.Global.UsersIndex(), newKeys.UserName);
        Task removeUser = index.SetRemoveAsync(context.Global.UsersIndex(), oldKeys.UserName);
        Task removeAdmin = index.SetRemoveAsync(context.Global.AdminsIndex(), oldKeys.UserName);
        Task addAdmin = isAdmin ? index.SetAddAsync(context.Global.AdminsIndex(), newKeys.UserName) : Task.CompletedTask;
        RedisStoreContext.Execute(index);
        await AwaitIndexAsync(Task.WhenAll(addUser, removeUser, removeAdmin, addAdmin), [context.Global.UsersIndex(), context.Global.AdminsIndex()], cancellationToken).ConfigureAwait(false);
        return true;
    }

    private void ValidateUserFields(User user, string paramName)
    {
        if (user.CurrentRoom is { } room && !KeyValidation.IsValidRoomId(room))
        {
            throw new ArgumentException($"CurrentRoom '{room}' is not a valid room id.", paramName);
        }

        if (user.CurrentSid is { Length: > 0 } sid)
        {
            KeyValidation.ValidateSessionId(sid, context.Keys.Layout, paramName);
        }

    }

    private ValueTask<bool> SetFieldsAsync(RedisKey key, RedisValue[] pairs, CancellationToken cancellationToken) =>
        UserScripts.SetFields.EvaluateAsync(context.Database, [key], pairs, 0, static (result, _) => (long)result == 1, cancellationToken);

    private ValueTask<RedisResult> RunAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken) =>
        script.EvaluateAsync(context.Database, keys, args, cancellationToken);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask IndexAsync(RedisKey index, string member, bool add, CancellationToken cancellationToken)
    {
        Task<bool> task = add ? context.Database.SetAddAsync(index, member) : context.Database.SetRemoveAsync(index, member);
        await AwaitIndexAsync(task, [index], cancellationToken).ConfigureAwait(false);
    }

    private static async Task AwaitIndexAsync(Task task, RedisKey[] indexes, CancellationToken cancellationToken)
    {
        try
        {
            await RedisStoreContext.WaitAsync(task, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (RedisErrors.IsClientFailure(ex))
        {
            throw RedisErrors.Map(ex, indexes);
        }
    }

    private ValueTask<IReadOnlyList<string>> ListIndexAsync(RedisKey index, CancellationToken cancellationToken) =>
        RedisReply.Map(
            context.Database.SetMembersAsync(index),
            0,
            static (members, _) =>
            {
                var names = new string[members.Length];
                for (int i = 0; i < members.Length; i++)
                {
                    names[i] = members[i]!;
                }

                Array.Sort(names, StringComparer.Ordinal);
                return (IReadOnlyList<string>)names;
            },
            index,
            cancellationToken);
}
