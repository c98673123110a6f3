using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>Why a user operation of <see cref="UserService"/> or <see cref="SessionService"/> was refused.</summary>
public enum UserOperationError
{
    /// <summary>The user does not exist.</summary>
    UserNotFound,

    /// <summary>The chosen user name belongs to another user (registration with a new name).</summary>
    UserNameTaken,

    /// <summary>The user already has a password (registration under the same name).</summary>
    AlreadyRegistered,

    /// <summary>The user has no password yet (password change or reset of a guest).</summary>
    NotRegistered,

    /// <summary>The current password given for a password change is wrong.</summary>
    WrongPassword,

    /// <summary>No free guest name was found in <see cref="UserService.MaxGuestNameAttempts"/> draws.</summary>
    GuestNamesExhausted,
}

/// <summary>A user operation was refused by a rule (not by bad input or a storage fault).</summary>
/// <remarks>
/// Bad input (an empty name or password, an invalid id) is an <see cref="ArgumentException"/>; a Redis fault or unreadable
/// stored data propagates as the repository throws it. The message never contains a password, hash or salt.
/// </remarks>
public sealed class UserOperationException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">Why the operation was refused.</param>
    /// <param name="userName">The user name concerned.</param>
    /// <param name="message">The message.</param>
    public UserOperationException(UserOperationError error, string userName, string message)
        : base(message)
    {
        Error = error;
        UserName = userName;
    }

    /// <summary>Why the operation was refused.</summary>
    public UserOperationError Error { get; }

    /// <summary>The user name concerned.</summary>
    public string UserName { get; }
}

/// <summary>The outcome of <see cref="UserService.LoginAsync"/>.</summary>
public enum LoginStatus
{
    /// <summary>The user is logged in; <see cref="LoginResult.Role"/> is set.</summary>
    Succeeded,

    /// <summary>A password was given for a user name that does not exist.</summary>
    UnknownUser,

    /// <summary>The password is wrong, or the user has no password registered.</summary>
    WrongPassword,

    /// <summary>No password was given for a registered user.</summary>
    PasswordRequired,
}

/// <summary>The outcome of a login.</summary>
/// <remarks>
/// ZnDraw answers <see cref="LoginStatus.UnknownUser"/> and <see cref="LoginStatus.WrongPassword"/> with the same message
/// ("Invalid username or password"); a host should do the same so that a login form does not reveal which names exist.
/// </remarks>
/// <param name="Status">Whether the login succeeded, and why not.</param>
/// <param name="UserName">The user name: the trimmed given name, or the generated guest name.</param>
/// <param name="Role">The role as ZnDraw derives it, when <see cref="Status"/> is <see cref="LoginStatus.Succeeded"/>; otherwise <see langword="null"/>.</param>
/// <param name="Created">Whether this login created the user (a guest).</param>
public sealed record LoginResult(LoginStatus Status, string UserName, UserRole? Role = null, bool Created = false)
{
    /// <summary>Whether the login succeeded.</summary>
    public bool Succeeded => Status == LoginStatus.Succeeded;
}

/// <summary>What a host may show about a user: the hash <c>user:{user}</c> and the role, without password hash or salt.</summary>
/// <param name="UserName">The user name.</param>
/// <param name="Role">The role as ZnDraw derives it.</param>
/// <param name="CreatedAt">Field <c>createdAt</c>, UTC.</param>
/// <param name="LastLogin">Field <c>lastLogin</c>, UTC.</param>
/// <param name="LastActivity">Field <c>lastActivity</c>, UTC.</param>
/// <param name="CurrentRoom">The room the user joined last.</param>
/// <param name="CurrentSid">The Socket.IO session id; <c>""</c> after a disconnect.</param>
public sealed record UserProfile(
    string UserName,
    UserRole Role,
    DateTime? CreatedAt,
    DateTime? LastLogin,
    DateTime? LastActivity,
    string? CurrentRoom,
    string? CurrentSid);
