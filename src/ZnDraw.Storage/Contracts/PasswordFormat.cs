using System.Buffers;
using System.Globalization;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>The stored password hash and salt formats every backend accepts (the argument checks of a password write or a rename).</summary>
internal static class PasswordFormat
{
    private static readonly SearchValues<char> LowercaseHex = SearchValues.Create("0123456789abcdef");

    /// <summary>Checks a password hash and salt before they are stored.</summary>
    /// <exception cref="ArgumentNullException">The hash or the salt is null.</exception>
    /// <exception cref="ArgumentException">
    /// The hash is neither ZnDraw's (64 lowercase hex characters) nor <c>pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX</c>, or the
    /// salt is empty.
    /// </exception>
    public static void Validate(string passwordHash, string passwordSalt)
    {
        ArgumentNullException.ThrowIfNull(passwordHash);
        ArgumentNullException.ThrowIfNull(passwordSalt);
        if (!IsZnDrawHash(passwordHash) && !IsPbkdf2Hash(passwordHash))
        {
            throw new ArgumentException(
                "The password hash must be 64 lowercase hex characters (SHA-256, as ZnDraw stores it) or pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX.",
                nameof(passwordHash));
        }

        if (passwordSalt.Length == 0)
        {
            throw new ArgumentException("The password salt must not be empty.", nameof(passwordSalt));
        }
    }

    /// <summary>
    /// The checks of a rename after the names are validated: the names differ, and a new password is given whole (hash and
    /// salt) or not at all, in a stored format (<see cref="Validate"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The names are equal, only one of hash and salt is given, or they are malformed.</exception>
    public static void ValidateRename(string oldName, string newName, string? passwordHash, string? passwordSalt)
    {
        if (string.Equals(oldName, newName, StringComparison.Ordinal))
        {
            throw new ArgumentException("The new user name must differ from the old one.", nameof(newName));
        }

        if ((passwordHash is null) != (passwordSalt is null))
        {
            throw new ArgumentException("Give both the password hash and the salt, or neither.", passwordHash is null ? nameof(passwordHash) : nameof(passwordSalt));
        }

        if (passwordHash is not null)
        {
            Validate(passwordHash, passwordSalt!);
        }
    }

    private static bool IsZnDrawHash(string hash) =>
        hash.Length == ZnDrawPasswordHash.HashHexLength && !hash.AsSpan().ContainsAnyExcept(LowercaseHex);

    // pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX, as written by Services.PasswordHasher (iterations: 1 to
    // ZnDrawPasswordOptions.MaxPbkdf2Iterations, no leading zero; salt and hash: non-empty, even-length lowercase hex).
    private static bool IsPbkdf2Hash(string hash)
    {
        const string Prefix = "pbkdf2-sha256$";
        if (hash.Length > 512 || !hash.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        ReadOnlySpan<char> rest = hash.AsSpan(Prefix.Length);
        Span<Range> parts = stackalloc Range[4];
        if (rest.Split(parts, '$') != 3)
        {
            return false;
        }

        ReadOnlySpan<char> iterations = rest[parts[0]];
        ReadOnlySpan<char> salt = rest[parts[1]];
        ReadOnlySpan<char> digest = rest[parts[2]];
        return iterations.Length is > 0 and <= 9 && iterations[0] != '0' && !iterations.ContainsAnyExceptInRange('0', '9')
            && int.Parse(iterations, CultureInfo.InvariantCulture) <= ZnDrawPasswordOptions.MaxPbkdf2Iterations
            && salt.Length > 0 && salt.Length % 2 == 0 && !salt.ContainsAnyExcept(LowercaseHex)
            && digest.Length > 0 && digest.Length % 2 == 0 && !digest.ContainsAnyExcept(LowercaseHex);
    }
}
