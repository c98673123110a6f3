using StackExchange.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>Maps <see cref="User"/> to and from the hash <c>user:{user}</c>, the admin flag and the session keys.</summary>
internal static class UserMapping
{
    public const string UserNameField = "userName";
    public const string CreatedAtField = "createdAt";
    public const string LastLoginField = "lastLogin";
    public const string LastActivityField = "lastActivity";
    public const string CurrentRoomField = "currentRoom";
    public const string CurrentSidField = "currentSid";
    public const string PasswordHashField = "passwordHash";
    public const string PasswordSaltField = "passwordSalt";

    /// <summary>
    /// The hash entries for <paramref name="user"/>; <see langword="null"/> members are left out
    /// (HSET leaves such fields untouched; delete them with HDEL if needed).
    /// </summary>
    public static HashEntry[] ToHashEntries(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        int count = 1 + (user.CreatedAt is null ? 0 : 1) + (user.LastLogin is null ? 0 : 1)
            + (user.LastActivity is null ? 0 : 1) + (user.CurrentRoom is null ? 0 : 1)
            + (user.CurrentSid is null ? 0 : 1) + (user.PasswordHash is null ? 0 : 1)
            + (user.PasswordSalt is null ? 0 : 1);
        var entries = new HashEntry[count];
        int i = 0;
        entries[i++] = new HashEntry(UserNameField, user.UserName);
        if (user.CreatedAt is { } created)
        {
            entries[i++] = new HashEntry(CreatedAtField, ZnDrawTime.FormatIso(created));
        }

        if (user.LastLogin is { } login)
        {
            entries[i++] = new HashEntry(LastLoginField, ZnDrawTime.FormatIso(login));
        }

        if (user.PasswordHash is { } hash)
        {
            entries[i++] = new HashEntry(PasswordHashField, hash);
        }

        if (user.PasswordSalt is { } salt)
        {
            entries[i++] = new HashEntry(PasswordSaltField, salt);
        }

        if (user.CurrentRoom is { } room)
        {
            entries[i++] = new HashEntry(CurrentRoomField, room);
        }

        if (user.CurrentSid is { } sid)
        {
            entries[i++] = new HashEntry(CurrentSidField, sid);
        }

        if (user.LastActivity is { } activity)
        {
            entries[i++] = new HashEntry(LastActivityField, ZnDrawTime.FormatIso(activity));
        }

        return entries;
    }

    /// <summary>
    /// Reads a user from the result of HGETALL <paramref name="key"/>. Returns <see langword="null"/>
    /// for an empty array (the key does not exist).
    /// </summary>
    /// <param name="key">The key read, for error messages.</param>
    /// <param name="userName">The user name the key was built from; used when the hash has no <c>userName</c> field.</param>
    /// <param name="entries">The hash entries.</param>
    /// <exception cref="StorageDataException">A timestamp does not parse.</exception>
    public static User? FromHash(string key, string userName, HashEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            return null;
        }

        string? name = null, room = null, sid = null, hash = null, salt = null;
        DateTime? created = null, login = null, activity = null;
        Span<char> buffer = stackalloc char[32];
        foreach (HashEntry entry in entries)
        {
            if (!RedisText.TryGetChars(entry.Name, buffer, out int length))
            {
                continue;
            }

            switch (buffer[..length])
            {
                case UserNameField: name = entry.Value; break;
                case CreatedAtField: created = RedisText.ParseIso(key, CreatedAtField, entry.Value); break;
                case LastLoginField: login = RedisText.ParseIso(key, LastLoginField, entry.Value); break;
                case LastActivityField: activity = RedisText.ParseIso(key, LastActivityField, entry.Value); break;
                case CurrentRoomField: room = entry.Value; break;
                case CurrentSidField: sid = entry.Value; break;
                case PasswordHashField: hash = entry.Value; break;
                case PasswordSaltField: salt = entry.Value; break;
                default: break; // Fields of later ZnDraw versions are ignored.
            }
        }

        return new User(name ?? userName, created, login, activity, room, sid, hash, salt);
    }

    /// <summary>Reads <c>admin:user:{user}</c>: exactly <c>"1"</c> means admin, anything else (or missing) does not, as in ZnDraw.</summary>
    public static bool ParseAdminFlag(in RedisValue value) => RedisText.IsOne(value);

    /// <summary>The value ZnDraw writes to <c>admin:user:{user}</c>.</summary>
    public static RedisValue AdminFlagValue => RedisText.One;

    /// <summary>The text of a role in <c>sid:{sid}:role</c>.</summary>
    public static RedisValue FormatRole(UserRole role) => role switch
    {
        UserRole.Guest => "guest",
        UserRole.User => "user",
        UserRole.Admin => "admin",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, "Unknown role."),
    };

    /// <summary>Reads <c>sid:{sid}:role</c>; <see langword="null"/> when missing.</summary>
    /// <exception cref="StorageDataException">The value is not <c>guest</c>, <c>user</c> or <c>admin</c>.</exception>
    public static UserRole? ParseRole(string key, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[8];
        if (RedisText.TryGetChars(value, buffer, out int length))
        {
            switch (buffer[..length])
            {
                case "guest": return UserRole.Guest;
                case "user": return UserRole.User;
                case "admin": return UserRole.Admin;
            }
        }

        throw new StorageDataException(key, null, $"unknown role {RedisText.Describe(value)}; expected guest, user or admin.");
    }

    /// <summary>
    /// Builds a session from <c>sid:{sid}</c> (<paramref name="userName"/>) and <c>sid:{sid}:role</c>;
    /// <see langword="null"/> when <c>sid:{sid}</c> is missing.
    /// </summary>
    public static SessionInfo? SessionFromValues(string sid, string roleKey, in RedisValue userName, in RedisValue role)
    {
        if (userName.IsNull)
        {
            return null;
        }

        return new SessionInfo(sid, userName!, ParseRole(roleKey, role));
    }
}
