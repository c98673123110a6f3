using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>A user as a migration sees it: the <see cref="User"/> root, its password hash and salt, its admin flag.</summary>
internal sealed class UserSnapshot(User? user, string? passwordHash, string? passwordSalt, bool isAdmin) : MigrationSnapshot
{
    public const string UserPart = "user";
    public const string CredentialsPart = "credentials";
    public const string AdminPart = "admin";

    public User? User { get; } = user;

    public string? PasswordHash { get; } = passwordHash;

    public string? PasswordSalt { get; } = passwordSalt;

    public bool IsAdmin { get; } = isAdmin;

    public override bool IsEmpty => User is null && !IsAdmin;

    public override void Count(IDictionary<string, long> counts)
    {
        Add(counts, "users", User is null ? 0 : 1);
        Add(counts, "registered_users", PasswordHash is null ? 0 : 1);
        Add(counts, "admins", IsAdmin ? 1 : 0);
    }

    protected override void HashParts(ContentHasher hasher, List<(string Name, byte[] Hash)> parts)
    {
        if (User is { } u)
        {
            hasher.Add(true).Add(u.UserName).Add(Ticks(u.CreatedAt)).Add(Ticks(u.LastLogin)).Add(Ticks(u.LastActivity)).Add(u.CurrentRoom).Add(u.CurrentSid);
        }
        else
        {
            hasher.Add(false);
        }

        parts.Add((UserPart, hasher.Finish()));
        parts.Add((CredentialsPart, hasher.Add(PasswordHash).Add(PasswordSalt).Finish()));
        parts.Add((AdminPart, hasher.Add(IsAdmin).Finish()));
    }

    private static long Ticks(DateTime? time) => time is { } t ? t.Ticks : -1;
}

/// <summary>Users: listed from the user and admin indexes; read and written through <see cref="IUserRepository"/>.</summary>
/// <remarks>
/// The root goes through <see cref="IRepository{T, TId}"/> (<c>GetByIdAsync</c>, <c>SaveAsync</c>), as
/// <see cref="AggregateCopy"/> copies it; the credentials through <c>GetCredentialsAsync</c> / <c>SetPasswordAsync</c>,
/// the flag through <c>IsAdminAsync</c> / <c>SetAdminAsync</c>. An admin flag without a user (ZnDraw sets it at the
/// env-configured admin's first login) is an aggregate of its own.
/// </remarks>
internal sealed class MigrationUsers : MigrationKind
{
    public static readonly MigrationUsers Instance = new();

    public override string Name => StorageMigrationKinds.User;

    public override async ValueTask<IReadOnlyList<string>> ListIdsAsync(StorageMigrationEndpoint endpoint, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (string name in endpoint.Users.ListIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(name);
        }

        names.UnionWith(await endpoint.Users.ListAdminsAsync(cancellationToken).ConfigureAwait(false));
        return [.. names];
    }

    public override async ValueTask<MigrationSnapshot> ReadAsync(StorageMigrationEndpoint endpoint, string id, CancellationToken cancellationToken)
    {
        Task<User?> user = endpoint.Users.GetByIdAsync(id, cancellationToken).AsTask();
        Task<UserCredentials?> credentials = endpoint.Users.GetCredentialsAsync(id, cancellationToken).AsTask();
        Task<bool> admin = endpoint.Users.IsAdminAsync(id, cancellationToken).AsTask();
        await Task.WhenAll(user, credentials, admin).ConfigureAwait(false);
        User? root = await user.ConfigureAwait(false);
        UserCredentials? secret = root is null ? null : await credentials.ConfigureAwait(false);
        return new UserSnapshot(root, secret?.PasswordHash, secret?.PasswordSalt, await admin.ConfigureAwait(false));
    }

    public override async ValueTask<IReadOnlyList<string>> WriteAsync(
        StorageMigrationEndpoint target, string id, MigrationSnapshot source, MigrationSnapshot? current, IReadOnlySet<string> parts, CancellationToken cancellationToken)
    {
        var src = (UserSnapshot)source;
        var dst = (UserSnapshot?)current;
        IUserRepository users = target.Users;
        var problems = new List<string>();
        // A password, or a user, the source does not have can only go with the whole user (no contract removes a
        // password); the delete also removes the admin flag, which is written again below.
        bool deleted = false;
        if (dst?.User is not null && (src.User is null || (src.PasswordHash is null && dst.PasswordHash is not null)))
        {
            deleted = await users.DeleteAsync(id, cancellationToken).ConfigureAwait(false);
        }

        if (src.User is { } user && (deleted || dst is null || parts.Contains(UserSnapshot.UserPart)))
        {
            await users.SaveAsync(user, cancellationToken).ConfigureAwait(false);
        }

        if (src.User is not null && src.PasswordHash is { } hash && (deleted || dst is null || parts.Contains(UserSnapshot.CredentialsPart)))
        {
            if (string.IsNullOrEmpty(src.PasswordSalt))
            {
                problems.Add("The password hash has no salt (ZnDraw writes the two fields in two commands): the credentials were not copied.");
            }
            else if (!await users.SetPasswordAsync(id, hash, src.PasswordSalt, cancellationToken).ConfigureAwait(false))
            {
                problems.Add("The target refused the password (the user is gone).");
            }
        }

        if (deleted || dst is null || parts.Contains(UserSnapshot.AdminPart))
        {
            await users.SetAdminAsync(id, src.IsAdmin, cancellationToken).ConfigureAwait(false);
        }

        return problems;
    }
}
