using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>
/// Guests, registration, login and passwords of ZnDraw users, with ZnDraw's rules and roles (guest, user, admin),
/// on <see cref="IUserRepository"/>.
/// </summary>
/// <remarks>
/// <para>
/// Passwords follow <see cref="ZnDrawPasswordOptions.Hashing"/>, resolved once when the service is created (see
/// <see cref="PasswordHashing"/> and <c>docs/passwords.md</c>). Under <see cref="Storage.PasswordHashing.ZnDrawSha256"/>
/// (the default in ZnDraw's own key layout) every hash written is ZnDraw's salted SHA-256, so a Python ZnDraw sharing the
/// Redis verifies it, and nothing is upgraded. Under <see cref="Storage.PasswordHashing.Pbkdf2"/> (the default elsewhere)
/// new hashes are PBKDF2-HMAC-SHA256 (<see cref="ZnDrawPasswordOptions.Pbkdf2Iterations"/> iterations, stored as
/// <c>pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX</c> in <c>passwordHash</c>) and a ZnDraw hash is replaced by one at the
/// next successful login. Both formats are always verified; a stored PBKDF2 hash is never rewritten as SHA-256; a stored
/// iteration count above <see cref="ZnDrawPasswordOptions.MaxPbkdf2Iterations"/> is refused without hashing. Every
/// comparison is constant-time. No password, hash or salt is ever logged or put in an exception message.
/// </para>
/// <para>
/// Hashing a password with PBKDF2 is deliberately slow (hundreds of milliseconds of CPU at the default iterations) and
/// runs on the calling thread; registration, login with a password and password changes pay it once (an upgrading
/// login twice).
/// </para>
/// <para>
/// Out of scope: ZnDraw's env-configured admin (<c>ZNDRAW_ADMIN_USERNAME</c>/<c>ZNDRAW_ADMIN_PASSWORD</c>) and its local
/// mode in which everybody is admin; a host implements them with <see cref="SetAdminAsync"/> and its own settings.
/// </para>
/// <para>
/// Every method is timed as an operation of <see cref="ZnDrawStorageDiagnostics"/> (<c>user.login</c>, ...). Invalid
/// names throw <see cref="ArgumentException"/> before anything is sent; rule refusals throw
/// <see cref="UserOperationException"/>; storage faults propagate from the repository. A cancellation token bounds the
/// waits only: a command already sent may still run.
/// </para>
/// </remarks>
public sealed class UserService
{
    /// <summary>The prefix of generated guest names: <c>user-</c>, followed by 8 lowercase hex characters.</summary>
    public const string GuestNamePrefix = "user-";

    /// <summary>How many random guest names are tried before <see cref="CreateGuestAsync"/> gives up (10, as ZnDraw).</summary>
    public const int MaxGuestNameAttempts = 10;

    private readonly IUserRepository _users;
    private readonly PasswordHasher _hasher;
    private readonly ILogger _logger;
    private readonly string? _dbSystem; // db.system.name of the users repository, for telemetry
    private readonly Lazy<(string Hash, string Salt)> _dummyHash;

    /// <summary>Creates the service.</summary>
    /// <param name="users">The user repository.</param>
    /// <param name="options">
    /// The storage options: <see cref="ZnDrawStorageOptions.Passwords"/>, and <see cref="ZnDrawStorageOptions.Layout"/> with
    /// <see cref="ZnDrawStorageOptions.KeyPrefix"/> to resolve <see cref="PasswordHashing.Automatic"/> (they must name the
    /// key space of <paramref name="users"/>, as they do in DI).
    /// </param>
    /// <param name="logger">The logger.</param>
    public UserService(IUserRepository users, IOptions<ZnDrawStorageOptions> options, ILogger<UserService> logger)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _users = users;
        _dbSystem = DbSystem.Of(users);
        _hasher = new PasswordHasher(ZnDrawPasswordOptions.Resolve(options.Value), options.Value.Passwords.Pbkdf2Iterations);
        _logger = logger;

        // Verified against when a password is given for an unknown user, so that "unknown user" takes as long as
        // "wrong password" and the time of a login does not tell which names exist.
        _dummyHash = new Lazy<(string, string)>(() => _hasher.Hash(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
    }

    /// <summary>The password policy in effect: <see cref="ZnDrawPasswordOptions.Hashing"/> with <see cref="PasswordHashing.Automatic"/> resolved by the key layout.</summary>
    /// <value><see cref="PasswordHashing.ZnDrawSha256"/> or <see cref="PasswordHashing.Pbkdf2"/>; never <see cref="PasswordHashing.Automatic"/>.</value>
    public PasswordHashing PasswordHashing => _hasher.Hashing;

    /// <summary>Creates a guest user named <c>user-</c> + 8 random lowercase hex characters.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>The created user (no password: role guest).</returns>
    /// <remarks>
    /// The name comes from <see cref="RandomNumberGenerator"/>; <see cref="IUserRepository.CreateAsync"/> creates it only
    /// when it is free (atomically), otherwise another name is drawn, up to <see cref="MaxGuestNameAttempts"/> times.
    /// One round trip per attempt.
    /// </remarks>
    /// <exception cref="UserOperationException"><see cref="UserOperationError.GuestNamesExhausted"/>: every drawn name was taken.</exception>
    public async ValueTask<User> CreateGuestAsync(CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("user.create_guest", _dbSystem);
        try
        {
            for (var attempt = 1; attempt <= MaxGuestNameAttempts; attempt++)
            {
                var name = NewGuestName();
                var user = new User(name);
                if (await _users.CreateAsync(user, cancellationToken).ConfigureAwait(false))
                {
                    UserServiceLog.GuestCreated(_logger, name);
                    return user;
                }

                UserServiceLog.GuestNameTaken(_logger, name, attempt, MaxGuestNameAttempts);
            }

            throw new UserOperationException(
                UserOperationError.GuestNamesExhausted,
                GuestNamePrefix,
                $"No free guest name was found in {MaxGuestNameAttempts} attempts.");
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Registers a guest: gives it a password and, when <paramref name="newName"/> differs, the new name, in one atomic step.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="guestName">The user's current name (usually <c>user-xxxxxxxx</c>).</param>
    /// <param name="newName">The chosen name; trimmed, must not be empty.</param>
    /// <param name="password">The password; must not be empty (no other rule, as in ZnDraw).</param>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>The registered name (<paramref name="newName"/> trimmed).</returns>
    /// <remarks>
    /// <para>
    /// Same name: the user must exist and have no password; <see cref="IUserRepository.RegisterPasswordAsync"/> checks
    /// that and writes hash and salt together in one atomic step, so of concurrent registrations of one guest exactly one
    /// succeeds and its password is the one stored; the others get <see cref="UserOperationError.AlreadyRegistered"/>.
    /// </para>
    /// <para>
    /// New name: <see cref="IUserRepository.RenameAsync"/> moves the user and writes the password in the same step, so no
    /// crash leaves two users or a user without its password; of concurrent registrations to one name exactly one
    /// succeeds (the others get <see cref="UserOperationError.UserNameTaken"/>), and of concurrent registrations of one
    /// guest to different names exactly one succeeds (the guest is gone for the others:
    /// <see cref="UserOperationError.UserNotFound"/>). As in ZnDraw, the old user may already be registered (the host
    /// authenticated it): it is renamed with the new password. Its admin flag moves with it.
    /// </para>
    /// <para>The hash follows <see cref="PasswordHashing"/>.</para>
    /// </remarks>
    /// <exception cref="ArgumentException">A name or the password is empty, or a name is invalid.</exception>
    /// <exception cref="UserOperationException">
    /// <see cref="UserOperationError.UserNotFound"/> (no user <paramref name="guestName"/>),
    /// <see cref="UserOperationError.UserNameTaken"/> (the new name exists) or
    /// <see cref="UserOperationError.AlreadyRegistered"/> (same name, and it already has a password).
    /// </exception>
    public async ValueTask<string> RegisterAsync(string guestName, string newName, string password, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(guestName);
        ArgumentNullException.ThrowIfNull(newName);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var name = TrimmedName(newName);

        using var op = StorageOperation.Start("user.register", _dbSystem);
        try
        {
            if (string.Equals(name, guestName, StringComparison.Ordinal))
            {
                var (hash, salt) = _hasher.Hash(password);
                if (!await _users.RegisterPasswordAsync(name, hash, salt, cancellationToken).ConfigureAwait(false))
                {
                    // Nothing changed; tell which precondition failed.
                    if (!await _users.ExistsAsync(name, cancellationToken).ConfigureAwait(false))
                    {
                        throw NotFound(name);
                    }

                    throw new UserOperationException(UserOperationError.AlreadyRegistered, name, $"User '{name}' is already registered.");
                }

                UserServiceLog.GuestRegistered(_logger, guestName, name);
                return name;
            }

            var (newHash, newSalt) = _hasher.Hash(password);
            if (!await _users.RenameAsync(guestName, name, newHash, newSalt, cancellationToken).ConfigureAwait(false))
            {
                // Nothing changed; tell which precondition failed.
                if (!await _users.ExistsAsync(guestName, cancellationToken).ConfigureAwait(false))
                {
                    throw NotFound(guestName);
                }

                throw new UserOperationException(UserOperationError.UserNameTaken, name, $"User name '{name}' is already taken.");
            }

            UserServiceLog.GuestRegistered(_logger, guestName, name);
            return name;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Logs a user in as ZnDraw's <c>/api/login</c> does, without issuing a token.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user name (trimmed), or <see langword="null"/>/empty for an anonymous guest.</param>
    /// <param name="password">The password, or <see langword="null"/>/empty for a guest login.</param>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>The outcome; on success the user name and role (the host issues its token with them).</returns>
    /// <remarks>
    /// <list type="bullet">
    /// <item>With a password: the user must exist (<see cref="LoginStatus.UnknownUser"/>) and the password must verify
    /// (<see cref="LoginStatus.WrongPassword"/>, also for a user without a password). On success <c>lastLogin</c> is set
    /// and, under <see cref="PasswordHashing.Pbkdf2"/> only, a ZnDraw SHA-256 hash (or a PBKDF2 hash with fewer
    /// iterations than configured) is replaced by a new PBKDF2 hash. The upgrade re-reads the credentials first and is
    /// skipped when the stored hash changed meanwhile (a concurrent password change wins); a failed upgrade is logged and
    /// never fails the login. A host that only needs to check a password uses <see cref="VerifyPasswordAsync"/>, which
    /// writes nothing.</item>
    /// <item>Without a password and with a name: a registered user gets <see cref="LoginStatus.PasswordRequired"/>; an
    /// existing guest is logged in again (<c>lastLogin</c> set); an unknown name is created as a guest.</item>
    /// <item>Without both: a new guest is created (<see cref="CreateGuestAsync"/>).</item>
    /// </list>
    /// The role is admin when <c>admin:user:{user}</c> is <c>"1"</c>, else user when registered, else guest.
    /// No history event is emitted here: the login event belongs to a session, see <see cref="SessionService.ConnectAsync"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">A password was given without a user name, or the name is invalid.</exception>
    public async ValueTask<LoginResult> LoginAsync(string? userName, string? password, CancellationToken cancellationToken = default)
    {
        var name = userName?.Trim() ?? string.Empty;
        if (!string.IsNullOrEmpty(password) && name.Length == 0)
        {
            throw new ArgumentException("A user name is required when a password is given.", nameof(userName));
        }

        using var op = StorageOperation.Start("user.login", _dbSystem);
        try
        {
            LoginResult result;
            if (!string.IsNullOrEmpty(password))
            {
                result = await LoginWithPasswordAsync(name, password, cancellationToken).ConfigureAwait(false);
            }
            else if (name.Length > 0)
            {
                result = await LoginAsGuestAsync(name, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var guest = await CreateGuestAsync(cancellationToken).ConfigureAwait(false);
                result = new LoginResult(LoginStatus.Succeeded, guest.UserName, UserRole.Guest, Created: true);
            }

            if (result.Succeeded)
            {
                UserServiceLog.LoggedIn(_logger, result.UserName, result.Role!.Value);
            }
            else
            {
                UserServiceLog.LoginRefused(_logger, result.UserName, result.Status);
            }

            return result;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Checks a user's password without any side effect: no <c>lastLogin</c> write, no rehash, nothing created.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user name (trimmed).</param>
    /// <param name="password">The password to check; must not be empty.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>
    /// <see langword="true"/> when the user exists, has a password and <paramref name="password"/> verifies against it;
    /// <see langword="false"/> otherwise (unknown user, guest, wrong password, or a stored hash in no known format, which
    /// is also logged as a warning).
    /// </returns>
    /// <remarks>
    /// One round trip (<see cref="IUserRepository.GetCredentialsAsync"/>), then the hash computation on the calling thread
    /// (hundreds of milliseconds for a PBKDF2 hash). An unknown user costs a hash computation too, so the time does not
    /// tell which names exist. For hosts that verify a password (re-authentication, an API key flow) without logging in.
    /// </remarks>
    /// <exception cref="ArgumentException">The name or the password is empty, or the name is invalid.</exception>
    public async ValueTask<bool> VerifyPasswordAsync(string userName, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(userName);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var name = TrimmedName(userName);

        using var op = StorageOperation.Start("user.verify_password", _dbSystem);
        try
        {
            var (verification, _) = await CheckPasswordAsync(name, password, cancellationToken).ConfigureAwait(false);
            return verification is PasswordVerification.Success or PasswordVerification.SuccessRehashNeeded;
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Changes a registered user's password after checking the current one.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="currentPassword">The current password; must not be empty.</param>
    /// <param name="newPassword">The new password; must not be empty.</param>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>A task that completes when the new hash and salt are written (together, in one step).</returns>
    /// <remarks>The new hash follows <see cref="PasswordHashing"/>.</remarks>
    /// <exception cref="ArgumentException">A password is empty, or the name is invalid.</exception>
    /// <exception cref="UserOperationException">
    /// <see cref="UserOperationError.UserNotFound"/>, <see cref="UserOperationError.NotRegistered"/> (a guest) or
    /// <see cref="UserOperationError.WrongPassword"/> (the current password does not verify).
    /// </exception>
    public async ValueTask ChangePasswordAsync(string userName, string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(currentPassword);
        ArgumentException.ThrowIfNullOrEmpty(newPassword);
        using var op = StorageOperation.Start("user.change_password", _dbSystem);
        try
        {
            var credentials = await GetRegisteredAsync(userName, cancellationToken).ConfigureAwait(false);
            var verification = _hasher.Verify(currentPassword, credentials.PasswordHash, credentials.PasswordSalt);
            if (verification is not (PasswordVerification.Success or PasswordVerification.SuccessRehashNeeded))
            {
                if (verification == PasswordVerification.Malformed)
                {
                    UserServiceLog.MalformedHash(_logger, userName);
                }

                throw new UserOperationException(UserOperationError.WrongPassword, userName, "The current password is incorrect.");
            }

            await WritePasswordAsync(userName, newPassword, cancellationToken).ConfigureAwait(false);
            UserServiceLog.PasswordChanged(_logger, userName);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Sets a registered user's password without the current one (an admin action; the caller checks the admin).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="newPassword">The new password; must not be empty.</param>
    /// <param name="cancellationToken">Bounds the waits.</param>
    /// <returns>A task that completes when the new hash and salt are written (together, in one step).</returns>
    /// <remarks>The new hash follows <see cref="PasswordHashing"/>.</remarks>
    /// <exception cref="ArgumentException">The password is empty, or the name is invalid.</exception>
    /// <exception cref="UserOperationException"><see cref="UserOperationError.UserNotFound"/> or <see cref="UserOperationError.NotRegistered"/> (a guest, as ZnDraw refuses).</exception>
    public async ValueTask ResetPasswordAsync(string userName, string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        ArgumentException.ThrowIfNullOrEmpty(newPassword);
        using var op = StorageOperation.Start("user.reset_password", _dbSystem);
        try
        {
            await GetRegisteredAsync(userName, cancellationToken).ConfigureAwait(false);
            await WritePasswordAsync(userName, newPassword, cancellationToken).ConfigureAwait(false);
            UserServiceLog.PasswordReset(_logger, userName);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Grants or revokes admin (<c>admin:user:{user}</c> = <c>"1"</c>, or deleted).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="isAdmin">Whether the user is admin afterwards.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>A task that completes when the flag and <c>admins:index</c> are written.</returns>
    /// <remarks>As in ZnDraw, the user hash need not exist (a host may flag its configured admin before the first login).</remarks>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public async ValueTask SetAdminAsync(string userName, bool isAdmin, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        using var op = StorageOperation.Start("user.set_admin", _dbSystem);
        try
        {
            await _users.SetAdminAsync(userName, isAdmin, cancellationToken).ConfigureAwait(false);
            UserServiceLog.AdminSet(_logger, userName, isAdmin);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>The user's role as ZnDraw derives it: admin if flagged, else user if registered, else guest (also for an unknown user).</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The role.</returns>
    /// <remarks>One round trip.</remarks>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public async ValueTask<UserRole> GetRoleAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        using var op = StorageOperation.Start("user.get_role", _dbSystem);
        try
        {
            return await _users.GetRoleAsync(userName, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Reads a user with its role, without password hash and salt.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="userName">The user.</param>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The profile, or <see langword="null"/> when the user does not exist.</returns>
    /// <remarks>One round trip (<c>HGETALL</c> and <c>GET</c> of the admin flag are sent together).</remarks>
    /// <exception cref="ArgumentException">The name is invalid.</exception>
    public async ValueTask<UserProfile?> GetAsync(string userName, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        using var op = StorageOperation.Start("user.get", _dbSystem);
        try
        {
            var userTask = _users.GetByIdAsync(userName, cancellationToken);
            var adminTask = _users.IsAdminAsync(userName, cancellationToken);
            var user = await userTask.ConfigureAwait(false);
            var isAdmin = await adminTask.ConfigureAwait(false);
            return user is null ? null : ToProfile(user, isAdmin);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Lists every user name (from <c>users:index</c>), sorted ordinally.</summary>
    /// <exception cref="StorageUnavailableException">The storage backend could not be reached or timed out; the call may be retried (see docs/errors.md).</exception>
    /// <param name="cancellationToken">Bounds the wait.</param>
    /// <returns>The names.</returns>
    /// <remarks>One <c>SMEMBERS</c>, no SCAN. Users an older ZnDraw wrote appear after the reindex operation.</remarks>
    public async ValueTask<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default)
    {
        using var op = StorageOperation.Start("user.list", _dbSystem);
        try
        {
            return await _users.ListAllAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    private static string NewGuestName()
    {
        Span<byte> random = stackalloc byte[4];
        RandomNumberGenerator.Fill(random);
        return GuestNamePrefix + Convert.ToHexStringLower(random);
    }

    private static UserProfile ToProfile(User user, bool isAdmin) =>
        new(user.UserName, user.GetRole(isAdmin), user.CreatedAt, user.LastLogin, user.LastActivity, user.CurrentRoom, user.CurrentSid);

    private static UserOperationException NotFound(string userName) =>
        new(UserOperationError.UserNotFound, userName, $"User '{userName}' does not exist.");

    /// <summary>The name as ZnDraw takes it (stripped); a blank name is an <see cref="ArgumentException"/> naming the parameter.</summary>
    private static string TrimmedName(string name, [CallerArgumentExpression(nameof(name))] string? paramName = null)
    {
        var trimmed = name.Trim();
        return trimmed.Length > 0 ? trimmed : throw new ArgumentException("The user name must not be empty.", paramName);
    }

    private async ValueTask<UserCredentials> GetRegisteredAsync(string userName, CancellationToken cancellationToken)
    {
        var credentials = await _users.GetCredentialsAsync(userName, cancellationToken).ConfigureAwait(false) ?? throw NotFound(userName);
        return credentials.IsRegistered
            ? credentials
            : throw new UserOperationException(UserOperationError.NotRegistered, userName, $"User '{userName}' is not registered.");
    }

    private async ValueTask WritePasswordAsync(string userName, string password, CancellationToken cancellationToken)
    {
        var (hash, salt) = _hasher.Hash(password);
        if (!await _users.SetPasswordAsync(userName, hash, salt, cancellationToken).ConfigureAwait(false))
        {
            throw NotFound(userName);
        }
    }

    // Reads the credentials and verifies; writes nothing. Credentials are null for an unknown user.
    private async ValueTask<(PasswordVerification Verification, UserCredentials? Credentials)> CheckPasswordAsync(
        string name, string password, CancellationToken cancellationToken)
    {
        var credentials = await _users.GetCredentialsAsync(name, cancellationToken).ConfigureAwait(false);
        if (credentials is null)
        {
            var (dummyHash, dummySalt) = _dummyHash.Value;
            _ = _hasher.Verify(password, dummyHash, dummySalt);
            return (PasswordVerification.Failed, null);
        }

        var verification = _hasher.Verify(password, credentials.PasswordHash, credentials.PasswordSalt);
        if (verification == PasswordVerification.Malformed)
        {
            UserServiceLog.MalformedHash(_logger, name);
        }

        return (verification, credentials);
    }

    private async ValueTask<LoginResult> LoginWithPasswordAsync(string name, string password, CancellationToken cancellationToken)
    {
        var (verification, credentials) = await CheckPasswordAsync(name, password, cancellationToken).ConfigureAwait(false);
        if (credentials is null)
        {
            return new LoginResult(LoginStatus.UnknownUser, name);
        }

        switch (verification)
        {
            case PasswordVerification.Success:
                break;
            case PasswordVerification.SuccessRehashNeeded:
                await UpgradeHashAsync(credentials, password, cancellationToken).ConfigureAwait(false);
                break;
            default:
                return new LoginResult(LoginStatus.WrongPassword, name);
        }

        // Both commands are sent before either reply is awaited: one round trip. A verified user is registered.
        var touch = _users.TouchLastLoginAsync(name, cancellationToken);
        var admin = _users.IsAdminAsync(name, cancellationToken);
        await touch.ConfigureAwait(false);
        return new LoginResult(LoginStatus.Succeeded, name, await admin.ConfigureAwait(false) ? UserRole.Admin : UserRole.User);
    }

    private async ValueTask<LoginResult> LoginAsGuestAsync(string name, CancellationToken cancellationToken)
    {
        // Two passes at most: a concurrent login may create the name between our read and our create.
        for (var pass = 0; pass < 2; pass++)
        {
            var user = await _users.GetByIdAsync(name, cancellationToken).ConfigureAwait(false);
            if (user is not null)
            {
                return user.IsRegistered
                    ? new LoginResult(LoginStatus.PasswordRequired, name)
                    : new LoginResult(LoginStatus.Succeeded, name, await TouchAndGetRoleAsync(user, cancellationToken).ConfigureAwait(false));
            }

            if (await _users.CreateAsync(new User(name), cancellationToken).ConfigureAwait(false))
            {
                UserServiceLog.GuestCreated(_logger, name);
                var isAdmin = await _users.IsAdminAsync(name, cancellationToken).ConfigureAwait(false);
                return new LoginResult(LoginStatus.Succeeded, name, isAdmin ? UserRole.Admin : UserRole.Guest, Created: true);
            }
        }

        // Created and deleted again under our feet twice: report it as the name being taken.
        throw new UserOperationException(UserOperationError.UserNameTaken, name, $"User name '{name}' changed concurrently; try again.");
    }

    private async ValueTask<UserRole> TouchAndGetRoleAsync(User user, CancellationToken cancellationToken)
    {
        // Both commands are sent before either reply is awaited: one round trip.
        var touch = _users.TouchLastLoginAsync(user.UserName, cancellationToken);
        var admin = _users.IsAdminAsync(user.UserName, cancellationToken);
        await touch.ConfigureAwait(false);
        return user.GetRole(await admin.ConfigureAwait(false));
    }

    private async ValueTask UpgradeHashAsync(UserCredentials stored, string password, CancellationToken cancellationToken)
    {
        try
        {
            var (hash, salt) = _hasher.Hash(password);

            // Re-read right before writing: if the password changed since the login read it, the change wins. The read
            // and the write are two steps (see the report on a compare-and-set in IUserRepository).
            var current = await _users.GetCredentialsAsync(stored.UserName, cancellationToken).ConfigureAwait(false);
            if (current is null
                || !string.Equals(current.PasswordHash, stored.PasswordHash, StringComparison.Ordinal)
                || !string.Equals(current.PasswordSalt, stored.PasswordSalt, StringComparison.Ordinal))
            {
                UserServiceLog.HashChangedDuringUpgrade(_logger, stored.UserName);
                return;
            }

            if (await _users.SetPasswordAsync(stored.UserName, hash, salt, cancellationToken).ConfigureAwait(false))
            {
                UserServiceLog.HashUpgraded(_logger, stored.UserName);
            }
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // The password verified: a failed upgrade must not fail the login; the next login retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            UserServiceLog.HashUpgradeFailed(_logger, ex.GetType().Name, stored.UserName);
        }
    }
}
