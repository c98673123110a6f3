using System.Text.Json.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>A user's stored password credentials: the fields <c>passwordHash</c> and <c>passwordSalt</c> of <c>user:{user}</c>.</summary>
/// <remarks>
/// Read only on the password path (<see cref="Contracts.IUserRepository.GetCredentialsAsync"/>, used by
/// <c>UserService</c>); kept apart from <see cref="User"/> so that a user can be shown, logged or serialized without them.
/// Even so, <see cref="ToString"/> names neither value and System.Text.Json writes neither (<see cref="JsonIgnoreAttribute"/>).
/// The hash is <see cref="ZnDrawPasswordHash"/>'s 64 lowercase hex characters or
/// <c>pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX</c>; see <c>docs/passwords.md</c>.
/// </remarks>
public sealed class UserCredentials
{
    /// <summary>Creates the credentials of <paramref name="userName"/>.</summary>
    /// <param name="userName">The user name.</param>
    /// <param name="passwordHash">Field <c>passwordHash</c>, or <see langword="null"/> when absent (a guest).</param>
    /// <param name="passwordSalt">Field <c>passwordSalt</c>, or <see langword="null"/> when absent.</param>
    public UserCredentials(string userName, string? passwordHash, string? passwordSalt)
    {
        ArgumentNullException.ThrowIfNull(userName);
        UserName = userName;
        PasswordHash = passwordHash;
        PasswordSalt = passwordSalt;
    }

    /// <summary>The user name.</summary>
    public string UserName { get; }

    /// <summary>Field <c>passwordHash</c>; <see langword="null"/> for a guest. Never serialized.</summary>
    [JsonIgnore]
    public string? PasswordHash { get; }

    /// <summary>Field <c>passwordSalt</c>; <see langword="null"/> when absent. Never serialized.</summary>
    [JsonIgnore]
    public string? PasswordSalt { get; }

    /// <summary>Whether the user registered a password (ZnDraw: the field <c>passwordHash</c> exists).</summary>
    public bool IsRegistered => PasswordHash is not null;

    /// <summary>The user name and whether it is registered; never the hash or the salt.</summary>
    /// <returns>E.g. <c>UserCredentials { UserName = alice, IsRegistered = True }</c>.</returns>
    public override string ToString() => $"UserCredentials {{ UserName = {UserName}, IsRegistered = {IsRegistered} }}";
}
