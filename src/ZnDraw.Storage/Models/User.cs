namespace ZnDraw.Storage.Models;

/// <summary>A user's role as ZnDraw decides it (also stored per session in <c>sid:{sid}:role</c>).</summary>
public enum UserRole
{
    /// <summary>No password registered (<c>"guest"</c>).</summary>
    Guest,

    /// <summary>A registered user: the hash has a <c>passwordHash</c> field (<c>"user"</c>).</summary>
    User,

    /// <summary>An administrator: <c>admin:user:{user}</c> is <c>"1"</c> (<c>"admin"</c>).</summary>
    Admin,
}

/// <summary>A ZnDraw user: the hash <c>user:{user}</c>, without its password credentials.</summary>
/// <remarks>
/// <para>
/// Every member except <see cref="UserName"/> is optional because ZnDraw writes the fields at
/// different moments (creation, login, socket connect, registration). <see langword="null"/> means
/// the field is absent; an empty <see cref="CurrentSid"/> (<c>""</c>) is what ZnDraw writes on disconnect
/// and is kept as is.
/// </para>
/// <para>
/// The fields <c>passwordHash</c> and <c>passwordSalt</c> are deliberately not part of this model, so that neither
/// <see cref="object.ToString"/>, a serializer nor a log of a user can reveal them: the repository writes them only
/// through <see cref="Contracts.IUserRepository.SetPasswordAsync"/> (and the registration calls) and reads them only
/// as <see cref="UserCredentials"/>; saving a user leaves them untouched.
/// </para>
/// </remarks>
/// <param name="UserName">The user name (field <c>userName</c>; the name in the key when the field is absent).</param>
/// <param name="CreatedAt">Field <c>createdAt</c>, naive UTC.</param>
/// <param name="LastLogin">Field <c>lastLogin</c>, naive UTC.</param>
/// <param name="LastActivity">Field <c>lastActivity</c> (set at socket connect), naive UTC.</param>
/// <param name="CurrentRoom">Field <c>currentRoom</c>: the room the user joined last.</param>
/// <param name="CurrentSid">Field <c>currentSid</c>: the Socket.IO session id, <c>""</c> after disconnect.</param>
public sealed record User(
    string UserName,
    DateTime? CreatedAt = null,
    DateTime? LastLogin = null,
    DateTime? LastActivity = null,
    string? CurrentRoom = null,
    string? CurrentSid = null)
{
    /// <summary>Whether the user registered a password (ZnDraw: the field <c>passwordHash</c> exists), as read from the store.</summary>
    /// <value>
    /// Set when the user is read; ignored when a user is created or saved (a password is set with
    /// <see cref="Contracts.IUserRepository.SetPasswordAsync"/> or <c>UserService</c>). Default <see langword="false"/>.
    /// </value>
    public bool IsRegistered { get; init; }

    /// <summary>The role as ZnDraw derives it: admin if the admin flag is set, else user if registered, else guest.</summary>
    /// <param name="isAdmin">Whether <c>admin:user:{user}</c> is <c>"1"</c>.</param>
    /// <returns>The derived role.</returns>
    /// <remarks>In ZnDraw's local mode (no admin credentials configured) everybody is treated as admin without the flag; that decision belongs to the caller.</remarks>
    public UserRole GetRole(bool isAdmin) => isAdmin ? UserRole.Admin : IsRegistered ? UserRole.User : UserRole.Guest;
}

/// <summary>A Socket.IO session: <c>sid:{sid}</c> (the user name) and, at 6547422b, <c>sid:{sid}:role</c>.</summary>
/// <param name="Sid">The Socket.IO session id.</param>
/// <param name="UserName">The user the session belongs to.</param>
/// <param name="Role">The role from the login token, or <see langword="null"/> when <c>sid:{sid}:role</c> is absent (servers before 6547422b).</param>
public sealed record SessionInfo(string Sid, string UserName, UserRole? Role = null);
