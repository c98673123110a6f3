using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>
/// Maps <see cref="User"/> and <see cref="UserCredentials"/> to and from the hash <c>user:{user}</c>, the admin flag and
/// the session keys. A <see cref="User"/> never writes <c>passwordHash</c>/<c>passwordSalt</c>.
/// </summary>
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
        var pairs = new RedisValue[2 * FieldCount(user)];
        int at = 0;
        WritePairs(user, pairs, ref at);
        var entries = new HashEntry[pairs.Length / 2];
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i] = new HashEntry(pairs[2 * i], pairs[(2 * i) + 1]);
        }

        return entries;
    }

    /// <summary>The number of hash fields <see cref="WritePairs"/> writes for <paramref name="user"/>.</summary>
    public static int FieldCount(User user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return 1 + (user.CreatedAt is null ? 0 : 1) + (user.LastLogin is null ? 0 : 1)
            + (user.LastActivity is null ? 0 : 1) + (user.CurrentRoom is null ? 0 : 1)
            + (user.CurrentSid is null ? 0 : 1);
    }

    /// <summary>
    /// Writes the field/value pairs of <see cref="ToHashEntries"/> (same order) into <paramref name="target"/> from
    /// <paramref name="at"/> on, straight into a script's argument array.
    /// </summary>
    public static void WritePairs(User user, RedisValue[] target, ref int at)
    {
        ArgumentNullException.ThrowIfNull(user);
        target[at++] = UserNameField;
        target[at++] = user.UserName;
        string? createdText = null;
        if (user.CreatedAt is { } created)
        {
            target[at++] = CreatedAtField;
            target[at++] = createdText = ZnDrawTime.FormatIso(created);
        }

        if (user.LastLogin is { } login)
        {
            // A new user's login time is usually its creation time: the same text, formatted once.
            target[at++] = LastLoginField;
            target[at++] = createdText is not null && login.Ticks == user.CreatedAt!.Value.Ticks && login.Kind == user.CreatedAt.Value.Kind
                ? createdText
                : ZnDrawTime.FormatIso(login);
        }

        if (user.CurrentRoom is { } room)
        {
            target[at++] = CurrentRoomField;
            target[at++] = room;
        }

        if (user.CurrentSid is { } sid)
        {
            target[at++] = CurrentSidField;
            target[at++] = sid;
        }

        if (user.LastActivity is { } activity)
        {
            target[at++] = LastActivityField;
            target[at++] = ZnDrawTime.FormatIso(activity);
        }
    }

    /// <summary>The number of the five optional fields of <paramref name="user"/> that are <see langword="null"/>.</summary>
    public static int NullFieldCount(User user) => 6 - FieldCount(user);

    /// <summary>
    /// Writes the names of the optional fields of <paramref name="user"/> that are <see langword="null"/> (what a save
    /// deletes with HDEL) into <paramref name="target"/> from <paramref name="at"/> on.
    /// </summary>
    public static void WriteNullFieldNames(User user, RedisValue[] target, ref int at)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.CreatedAt is null)
        {
            target[at++] = CreatedAtField;
        }

        if (user.LastLogin is null)
        {
            target[at++] = LastLoginField;
        }

        if (user.LastActivity is null)
        {
            target[at++] = LastActivityField;
        }

        if (user.CurrentRoom is null)
        {
            target[at++] = CurrentRoomField;
        }

        if (user.CurrentSid is null)
        {
            target[at++] = CurrentSidField;
        }
    }

    /// <summary>
    /// Reads a user from the result of HGETALL <paramref name="key"/>. Returns <see langword="null"/>
    /// for an empty array (the key does not exist).
    /// </summary>
    /// <param name="key">The key read, for error messages (turned into text only for one).</param>
    /// <param name="userName">The user name the key was built from; used when the hash has no <c>userName</c> field.</param>
    /// <param name="entries">The hash entries.</param>
    /// <exception cref="StorageDataException">A timestamp does not parse.</exception>
    public static User? FromHash(RedisKey key, string userName, HashEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Length == 0)
        {
            return null;
        }

        string? name = null, room = null, sid = null;
        bool registered = false;
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
                case CreatedAtField: created = ParseIso(key, CreatedAtField, entry.Value); break;
                case LastLoginField: login = ParseIso(key, LastLoginField, entry.Value); break;
                case LastActivityField: activity = ParseIso(key, LastActivityField, entry.Value); break;
                case CurrentRoomField: room = entry.Value; break;
                case CurrentSidField: sid = entry.Value; break;
                case PasswordHashField: registered = true; break;
                default: break; // Fields of later ZnDraw versions are ignored.
            }
        }

        return new User(name ?? userName, created, login, activity, room, sid) { IsRegistered = registered };
    }

    /// <summary>
    /// Reads credentials from the replies of <c>EXISTS user:{user}</c> and <c>HMGET user:{user} passwordHash
    /// passwordSalt</c>; <see langword="null"/> when the user does not exist.
    /// </summary>
    public static UserCredentials? CredentialsFrom(string userName, bool exists, RedisValue[] fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return exists ? new UserCredentials(userName, fields[0], fields[1]) : null;
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
    public static UserRole? ParseRole(RedisKey key, in RedisValue value)
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

        throw new StorageDataException((string)key!, null, $"unknown role {RedisText.Describe(value)}; expected guest, user or admin.");
    }

    /// <summary>
    /// Builds a session from <c>sid:{sid}</c> (<paramref name="userName"/>) and <c>sid:{sid}:role</c>;
    /// <see langword="null"/> when <c>sid:{sid}</c> is missing.
    /// </summary>
    public static SessionInfo? SessionFromValues(string sid, RedisKey roleKey, in RedisValue userName, in RedisValue role)
    {
        if (userName.IsNull)
        {
            return null;
        }

        return new SessionInfo(sid, userName!, ParseRole(roleKey, role));
    }

    // RedisText.ParseIso without turning the key into text unless the value is bad (then that call throws).
    private static DateTime ParseIso(in RedisKey key, string field, in RedisValue value)
    {
        Span<char> buffer = stackalloc char[RedisText.MaxStackChars];
        return RedisText.TryGetChars(value, buffer, out int length) && ZnDrawTime.TryParseIso(buffer[..length], out DateTime result)
            ? result
            : RedisText.ParseIso((string)key!, field, value);
    }
}
