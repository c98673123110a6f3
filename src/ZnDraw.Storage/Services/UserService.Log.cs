using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>Log messages of <see cref="UserService"/> (event ids 3100–3199, <see cref="ZnDrawEventIds"/>). None carries a password, hash or salt.</summary>
internal static partial class UserServiceLog
{
    [LoggerMessage(EventId = ZnDrawEventIds.UserGuestCreated, Level = LogLevel.Debug, Message = "Guest user {UserName} created.")]
    public static partial void GuestCreated(ILogger logger, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserGuestNameTaken, Level = LogLevel.Debug, Message = "Guest name {UserName} is taken (attempt {Attempt} of {MaxAttempts}).")]
    public static partial void GuestNameTaken(ILogger logger, string userName, int attempt, int maxAttempts);

    [LoggerMessage(EventId = ZnDrawEventIds.UserGuestRegistered, Level = LogLevel.Debug, Message = "User {OldName} registered as {NewName}.")]
    public static partial void GuestRegistered(ILogger logger, string oldName, string newName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserLoggedIn, Level = LogLevel.Debug, Message = "User {UserName} logged in as {Role}.")]
    public static partial void LoggedIn(ILogger logger, string userName, UserRole role);

    [LoggerMessage(EventId = ZnDrawEventIds.UserLoginRefused, Level = LogLevel.Debug, Message = "Login of {UserName} refused: {Status}.")]
    public static partial void LoginRefused(ILogger logger, string userName, LoginStatus status);

    [LoggerMessage(EventId = ZnDrawEventIds.UserHashUpgraded, Level = LogLevel.Debug, Message = "Password hash of {UserName} upgraded.")]
    public static partial void HashUpgraded(ILogger logger, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserHashUpgradeFailed, Level = LogLevel.Warning, Message = "Password hash of {UserName} could not be upgraded ({ErrorType}); the login succeeds and the next one retries.")]
    public static partial void HashUpgradeFailed(ILogger logger, string errorType, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserMalformedHash, Level = LogLevel.Warning, Message = "The stored password hash of {UserName} is in no known format, or its PBKDF2 iteration count is above the maximum; the password is refused without hashing.")]
    public static partial void MalformedHash(ILogger logger, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserPasswordChanged, Level = LogLevel.Debug, Message = "Password of {UserName} changed.")]
    public static partial void PasswordChanged(ILogger logger, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserPasswordReset, Level = LogLevel.Debug, Message = "Password of {UserName} reset.")]
    public static partial void PasswordReset(ILogger logger, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserAdminSet, Level = LogLevel.Debug, Message = "Admin flag of {UserName} set to {IsAdmin}.")]
    public static partial void AdminSet(ILogger logger, string userName, bool isAdmin);

    [LoggerMessage(EventId = ZnDrawEventIds.UserHashChangedDuringUpgrade, Level = LogLevel.Debug, Message = "Password hash of {UserName} changed during the login; upgrade skipped.")]
    public static partial void HashChangedDuringUpgrade(ILogger logger, string userName);

    [LoggerMessage(EventId = ZnDrawEventIds.UserZnDrawSha256InUse, Level = LogLevel.Warning, Message = "Passwords are hashed with ZnDraw's salted SHA-256 ({Reason}) so that a ZnDraw server sharing this Redis can verify them. It is a fast hash: once no ZnDraw server shares the Redis, set ZnDrawStorage:Passwords:Hashing to Pbkdf2 (each user's hash is then upgraded at the next login; see docs/passwords.md).")]
    public static partial void ZnDrawSha256InUse(ILogger logger, string reason);
}
