using ZnDraw.Storage.Diagnostics;
using System.Data.Common;
using System.Runtime.CompilerServices;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>The SQL implementation of <see cref="IUserRepository"/>: the tables <c>users</c> and <c>user_admins</c>.</summary>
/// <remarks>
/// <para>
/// A user exists while its <c>users</c> row does; the admin flag is a row of <c>user_admins</c> (it does not need the
/// user, as in ZnDraw). The user and admin listings are the tables themselves, so they always agree with the writes.
/// Uniqueness is the primary keys' work: a create is <c>INSERT ... ON CONFLICT DO NOTHING</c> and a rename inserts the
/// new name the same way, so of concurrent calls for one name exactly one wins, without a check before the write.
/// </para>
/// <para>
/// Timestamps are stored as the Redis backend stores them: UTC, truncated to whole microseconds (a local time is
/// converted, an unspecified one taken as UTC), so a value reads back equal on both backends. Names and values are
/// validated exactly as on Redis (<see cref="KeyValidation"/> with ZnDraw's key layout), before anything is sent.
/// </para>
/// </remarks>
internal sealed class SqlUserRepository(SqlStoreContext context) : IUserRepository, IDbSystemNamed
{
    private const string Interface = "IUserRepository.";
    private const string UsersTable = "users:";
    private const string AdminsTable = "user_admins:";

    private const string SelectUser =
        "SELECT created_at, last_login, last_activity, current_room, current_sid, password_hash IS NOT NULL FROM users WHERE user_name = @n";

    private const string SelectExists = "SELECT 1 FROM users WHERE user_name = @n";

    private const string UpsertUser =
        "INSERT INTO users (user_name, created_at, last_login, last_activity, current_room, current_sid) VALUES (@n, @c, @l, @a, @r, @s) "
        + "ON CONFLICT (user_name) DO UPDATE SET created_at = excluded.created_at, last_login = excluded.last_login, "
        + "last_activity = excluded.last_activity, current_room = excluded.current_room, current_sid = excluded.current_sid";

    private const string InsertUser =
        "INSERT INTO users (user_name, created_at, last_login, last_activity, current_room, current_sid) VALUES (@n, @c, @l, @a, @r, @s) "
        + "ON CONFLICT (user_name) DO NOTHING";

    // The user's row first (its RETURNING row says whether it existed), then the admin flag, which goes even without a user.
    private const string DeleteUser =
        "DELETE FROM users WHERE user_name = @n RETURNING 1;\nDELETE FROM user_admins WHERE user_name = @n";

    private const string SetPassword = "UPDATE users SET password_hash = @h, password_salt = @s WHERE user_name = @n";

    private const string RegisterPassword =
        "UPDATE users SET password_hash = @h, password_salt = @s WHERE user_name = @n AND password_hash IS NULL";

    private const string SelectCredentials = "SELECT password_hash, password_salt FROM users WHERE user_name = @n";

    private const string GrantAdmin = "INSERT INTO user_admins (user_name) VALUES (@n) ON CONFLICT (user_name) DO NOTHING";

    private const string RevokeAdmin = "DELETE FROM user_admins WHERE user_name = @n";

    private const string SelectAdmin = "SELECT 1 FROM user_admins WHERE user_name = @n";

    private const string SelectRole =
        "SELECT EXISTS (SELECT 1 FROM user_admins WHERE user_name = @n), "
        + "EXISTS (SELECT 1 FROM users WHERE user_name = @n AND password_hash IS NOT NULL)";

    private const string SetCurrentRoom = "UPDATE users SET current_room = @v WHERE user_name = @n";

    private const string SetCurrentSid = "UPDATE users SET current_sid = @v WHERE user_name = @n";

    private const string SetLastActivity = "UPDATE users SET last_activity = @v WHERE user_name = @n";

    private const string SetLastLogin = "UPDATE users SET last_login = @v WHERE user_name = @n";

    // Rename, step 1: the new row from the old one, as ZnDraw's register_user writes it. Nothing is inserted when the old
    // row is missing (no row selected) or the new name exists (the primary key: ON CONFLICT DO NOTHING).
    private const string RenameInsertWithPassword =
        "INSERT INTO users (user_name, password_hash, password_salt, created_at, last_login) "
        + "SELECT @new, @h, @s, COALESCE(created_at, @now), @now FROM users WHERE user_name = @old "
        + "ON CONFLICT (user_name) DO NOTHING";

    private const string RenameInsertKeepingPassword =
        "INSERT INTO users (user_name, password_hash, password_salt, created_at, last_login) "
        + "SELECT @new, password_hash, password_salt, COALESCE(created_at, @now), @now FROM users WHERE user_name = @old "
        + "ON CONFLICT (user_name) DO NOTHING";

    // Step 2: the old row goes; when a concurrent rename or delete took it first, step 1 is undone.
    private const string RenameDeleteOld = "DELETE FROM users WHERE user_name = @old";

    private const string RenameUndo = "DELETE FROM users WHERE user_name = @new";

    // Step 3: the admin flag moves (a flag the new name already had stays, as on Redis).
    private const string RenameMoveAdmin =
        "INSERT INTO user_admins (user_name) SELECT @new WHERE EXISTS (SELECT 1 FROM user_admins WHERE user_name = @old) "
        + "ON CONFLICT (user_name) DO NOTHING;\nDELETE FROM user_admins WHERE user_name = @old";

    // The names and ids of users, sids and rooms follow the configured key layout (SqlStoreContext.Layout).

    private readonly SqlStoreContext _context = context;

    /// <inheritdoc />
    public string DbSystemName => _context.Dialect.DbSystemName;

    // Sorted ordinally where the dialect needs a collation for it (see Ordinal below for the rest).
    private readonly string _listUsers = "SELECT user_name FROM users ORDER BY user_name" + context.Dialect.Ordinal;

    private readonly string _listAdmins = "SELECT user_name FROM user_admins ORDER BY user_name" + context.Dialect.Ordinal;

    /// <inheritdoc/>
    public ValueTask<User?> GetByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(id, _context.Layout);
        return _context.ReadAsync<string, User?>(
            Interface + nameof(GetByIdAsync),
            UsersTable + id,
            id,
            static async (call, name) =>
            {
                await using DbCommand command = SqlCall.Add(call.Command(SelectUser), "@n", name);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                if (!await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                return new User(
                    name,
                    ReadTime(reader, 0, "created_at", name),
                    ReadTime(reader, 1, "last_login", name),
                    ReadTime(reader, 2, "last_activity", name),
                    SqlCall.GetStringOrNull(reader, 3),
                    SqlCall.GetStringOrNull(reader, 4))
                {
                    IsRegistered = SqlCall.GetBool(reader, 5),
                };
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(id, _context.Layout);
        return ExistsRowAsync(Interface + nameof(ExistsAsync), UsersTable + id, SelectExists, id, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SaveAsync(User entity, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(entity);
        KeyValidation.ValidateUserName(entity.UserName, _context.Layout, nameof(entity));
        ValidateUserFields(entity, nameof(entity));
        return Completed(_context.WriteAsync(
            Interface + nameof(SaveAsync),
            UsersTable + entity.UserName,
            entity,
            static (call, user) => WriteUserAsync(call, UpsertUser, user),
            null,
            cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(id, _context.Layout);
        return _context.WriteAsync(
            Interface + nameof(DeleteAsync),
            UsersTable + id,
            id,
            static async (call, name) =>
            {
                await using DbCommand command = SqlCall.Add(call.Command(DeleteUser), "@n", name);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                bool existed = await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false);
                while (await reader.NextResultAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    // Runs the remaining statement (the admin flag) on every provider.
                }

                return existed;
            },
            null,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> CreateAsync(User user, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentNullException.ThrowIfNull(user);
        KeyValidation.ValidateUserName(user.UserName, _context.Layout, nameof(user));
        ValidateUserFields(user, nameof(user));
        if (user.CreatedAt is null || user.LastLogin is null)
        {
            DateTime now = _context.UtcNow;
            user = user with { CreatedAt = user.CreatedAt ?? now, LastLogin = user.LastLogin ?? now };
        }

        return _context.WriteAsync(
            Interface + nameof(CreateAsync),
            UsersTable + user.UserName,
            user,
            static async (call, u) => await WriteUserAsync(call, InsertUser, u).ConfigureAwait(false) == 1,
            null,
            cancellationToken);
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
        return ListNamesAsync(Interface + nameof(ListAllAsync), "users", _listUsers, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetPasswordAsync(string userName, string passwordHash, string passwordSalt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        PasswordFormat.Validate(passwordHash, passwordSalt);
        return WritePasswordAsync(Interface + nameof(SetPasswordAsync), SetPassword, userName, passwordHash, passwordSalt, record: true, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> RegisterPasswordAsync(string userName, string passwordHash, string passwordSalt, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        PasswordFormat.Validate(passwordHash, passwordSalt);
        return WritePasswordAsync(Interface + nameof(RegisterPasswordAsync), RegisterPassword, userName, passwordHash, passwordSalt, record: false, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<UserCredentials?> GetCredentialsAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        return _context.ReadAsync<string, UserCredentials?>(
            Interface + nameof(GetCredentialsAsync),
            UsersTable + userName,
            userName,
            static async (call, name) =>
            {
                await using DbCommand command = SqlCall.Add(call.Command(SelectCredentials), "@n", name);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                return await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false)
                    ? new UserCredentials(name, SqlCall.GetStringOrNull(reader, 0), SqlCall.GetStringOrNull(reader, 1))
                    : null;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetAdminAsync(string userName, bool isAdmin, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        return Completed(_context.WriteAsync(
            Interface + nameof(SetAdminAsync),
            AdminsTable + userName,
            (userName, sql: isAdmin ? GrantAdmin : RevokeAdmin),
            static async (call, s) =>
            {
                await using DbCommand command = SqlCall.Add(call.Command(s.sql), "@n", s.userName);
                return await call.ExecuteAsync(command).ConfigureAwait(false);
            },
            null,
            cancellationToken));
    }

    /// <inheritdoc/>
    public ValueTask<bool> IsAdminAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        return ExistsRowAsync(Interface + nameof(IsAdminAsync), AdminsTable + userName, SelectAdmin, userName, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListAdminsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ListNamesAsync(Interface + nameof(ListAdminsAsync), "user_admins", _listAdmins, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<UserRole> GetRoleAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        return _context.ReadAsync(
            Interface + nameof(GetRoleAsync),
            UsersTable + userName,
            userName,
            static async (call, name) =>
            {
                await using DbCommand command = SqlCall.Add(call.Command(SelectRole), "@n", name);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false); // SELECT without FROM: always one row
                return SqlCall.GetBool(reader, 0) ? UserRole.Admin : SqlCall.GetBool(reader, 1) ? UserRole.User : UserRole.Guest;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentRoomAsync(string userName, string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        KeyValidation.ValidateRoomId(roomId);
        return SetFieldAsync(Interface + nameof(SetCurrentRoomAsync), SetCurrentRoom, userName, roomId, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> SetCurrentSidAsync(string userName, string sid, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        ArgumentNullException.ThrowIfNull(sid);
        if (sid.Length != 0)
        {
            KeyValidation.ValidateSessionId(sid, _context.Layout);
        }

        return SetFieldAsync(Interface + nameof(SetCurrentSidAsync), SetCurrentSid, userName, sid, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TouchLastActivityAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        return SetFieldAsync(Interface + nameof(TouchLastActivityAsync), SetLastActivity, userName, Stored(_context.UtcNow), cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> TouchLastLoginAsync(string userName, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(userName, _context.Layout);
        return SetFieldAsync(Interface + nameof(TouchLastLoginAsync), SetLastLogin, userName, Stored(_context.UtcNow), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One transaction: insert the new row from the old one (nothing when the old row is missing or the new name exists:
    /// the primary key decides, so of concurrent renames to one name exactly one inserts), delete the old row (when a
    /// concurrent rename or delete took it first, the insert is undone and the call returns <see langword="false"/>),
    /// move the admin flag. Nothing is checked before a write.
    /// </remarks>
    public ValueTask<bool> RenameAsync(string oldName, string newName, string? passwordHash = null, string? passwordSalt = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateUserName(oldName, _context.Layout);
        KeyValidation.ValidateUserName(newName, _context.Layout);
        PasswordFormat.ValidateRename(oldName, newName, passwordHash, passwordSalt);

        DateTime now = Stored(_context.UtcNow);
        return _context.WriteAsync(
            Interface + nameof(RenameAsync),
            UsersTable + oldName,
            (oldName, newName, passwordHash, passwordSalt, now),
            static async (call, s) =>
            {
                await using (DbCommand insert = call.Command(s.passwordHash is null ? RenameInsertKeepingPassword : RenameInsertWithPassword))
                {
                    SqlCall.Add(insert, "@new", s.newName);
                    SqlCall.Add(insert, "@old", s.oldName);
                    SqlCall.Add(insert, "@now", s.now);
                    if (s.passwordHash is not null)
                    {
                        SqlCall.Add(insert, "@h", s.passwordHash);
                        SqlCall.Add(insert, "@s", s.passwordSalt);
                    }

                    if (await call.ExecuteAsync(insert).ConfigureAwait(false) != 1)
                    {
                        return false; // the old user is missing or the new name exists: nothing was written
                    }
                }

                await using (DbCommand delete = SqlCall.Add(call.Command(RenameDeleteOld), "@old", s.oldName))
                {
                    if (await call.ExecuteAsync(delete).ConfigureAwait(false) != 1)
                    {
                        await using DbCommand undo = SqlCall.Add(call.Command(RenameUndo), "@new", s.newName);
                        await call.ExecuteAsync(undo).ConfigureAwait(false);
                        return false;
                    }
                }

                await using DbCommand admin = call.Command(RenameMoveAdmin);
                SqlCall.Add(admin, "@new", s.newName);
                SqlCall.Add(admin, "@old", s.oldName);
                await call.ExecuteAsync(admin).ConfigureAwait(false);
                return true;
            },
            null,
            cancellationToken);
    }

    // The user's columns as the Redis backend stores them: times truncated to microseconds in UTC.
    private static async ValueTask<int> WriteUserAsync(SqlCall call, string sql, User user)
    {
        await using DbCommand command = call.Command(sql);
        SqlCall.Add(command, "@n", user.UserName);
        SqlCall.Add(command, "@c", Stored(user.CreatedAt));
        SqlCall.Add(command, "@l", Stored(user.LastLogin));
        SqlCall.Add(command, "@a", Stored(user.LastActivity));
        SqlCall.Add(command, "@r", user.CurrentRoom);
        SqlCall.Add(command, "@s", user.CurrentSid);
        return await call.ExecuteAsync(command).ConfigureAwait(false);
    }

    private ValueTask<bool> WritePasswordAsync(
        string operation, string sql, string userName, string passwordHash, string passwordSalt, bool record, CancellationToken cancellationToken) =>
        _context.WriteAsync(
            operation,
            UsersTable + userName,
            (sql, userName, passwordHash, passwordSalt),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.sql);
                SqlCall.Add(command, "@h", s.passwordHash);
                SqlCall.Add(command, "@s", s.passwordSalt);
                SqlCall.Add(command, "@n", s.userName);
                return await call.ExecuteAsync(command).ConfigureAwait(false) == 1;
            },
            record ? Changed : null,
            cancellationToken);

    // A field update of an existing user (never creates one); the history event of the call goes with a change.
    private ValueTask<bool> SetFieldAsync(string operation, string sql, string userName, object value, CancellationToken cancellationToken) =>
        _context.WriteAsync(
            operation,
            UsersTable + userName,
            (sql, userName, value),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.sql);
                SqlCall.Add(command, "@v", s.value);
                SqlCall.Add(command, "@n", s.userName);
                return await call.ExecuteAsync(command).ConfigureAwait(false) == 1;
            },
            Changed,
            cancellationToken);

    private ValueTask<bool> ExistsRowAsync(string operation, string key, string sql, string userName, CancellationToken cancellationToken) =>
        _context.ReadAsync(
            operation,
            key,
            (sql, userName),
            static async (call, s) =>
            {
                await using DbCommand command = SqlCall.Add(call.Command(s.sql), "@n", s.userName);
                return await call.ScalarAsync(command).ConfigureAwait(false) is not null and not DBNull;
            },
            cancellationToken);

    private ValueTask<IReadOnlyList<string>> ListNamesAsync(string operation, string table, string sql, CancellationToken cancellationToken) =>
        _context.ReadAsync(
            operation,
            table,
            sql,
            static async (call, sql) =>
            {
                await using DbCommand command = call.Command(sql);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                var names = new List<string>();
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    names.Add(reader.GetString(0));
                }

                return Ordinal(names);
            },
            cancellationToken);

    // The databases sort by UTF-8 bytes, .NET's ordinal order (the contract's, as on Redis) by UTF-16 code units; the two
    // differ only between characters above U+FFFF and those from U+E000 to U+FFFF. One pass checks; a sort mends.
    private static IReadOnlyList<string> Ordinal(List<string> names)
    {
        for (int i = 1; i < names.Count; i++)
        {
            if (string.CompareOrdinal(names[i - 1], names[i]) > 0)
            {
                names.Sort(StringComparer.Ordinal);
                break;
            }
        }

        return names;
    }

    private static bool Changed(bool written) => written;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private static async ValueTask Completed<T>(ValueTask<T> write) => await write.ConfigureAwait(false);

    // As the Redis backend stores a time: UTC (a local time converted, an unspecified one taken as UTC), whole microseconds.
    private static DateTime Stored(DateTime value)
    {
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }

        return DateTime.SpecifyKind(ZnDrawTime.TruncateToMicroseconds(value), DateTimeKind.Utc);
    }

    private static object? Stored(DateTime? value) => value is { } v ? Stored(v) : null;

    private static DateTime? ReadTime(DbDataReader reader, int ordinal, string column, string userName)
    {
        try
        {
            return SqlCall.GetUtcOrNull(reader, ordinal);
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new StorageDataException(UsersTable + userName, column, "the stored value is not a timestamp.", ex);
        }
    }

    private void ValidateUserFields(User user, string paramName)
    {
        if (user.CurrentRoom is { } room && !KeyValidation.IsValidRoomId(room))
        {
            throw new ArgumentException($"CurrentRoom '{room}' is not a valid room id.", paramName);
        }

        if (user.CurrentSid is { Length: > 0 } sid)
        {
            KeyValidation.ValidateSessionId(sid, _context.Layout, paramName);
        }
    }
}
