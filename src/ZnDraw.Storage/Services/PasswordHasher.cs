using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>The outcome of checking a password against a stored hash.</summary>
internal enum PasswordVerification
{
    /// <summary>Wrong password, or no password stored.</summary>
    Failed,

    /// <summary>Right password; the stored hash is current.</summary>
    Success,

    /// <summary>Right password; the stored hash should be replaced (legacy ZnDraw SHA-256, or too few iterations).</summary>
    SuccessRehashNeeded,

    /// <summary>The stored hash or salt is not in any known format.</summary>
    Malformed,
}

/// <summary>
/// Hashes and verifies passwords. New hashes are PBKDF2-HMAC-SHA256 in a self-describing text
/// (<c>pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX</c>, stored in <c>passwordHash</c>, with the salt also in
/// <c>passwordSalt</c>) unless ZnDraw compatibility is on, in which case ZnDraw's salted SHA-256 is written so that a
/// Python ZnDraw sharing the Redis can verify it. Both formats are always verified; every comparison is constant-time.
/// </summary>
internal sealed class PasswordHasher(ZnDrawPasswordOptions options)
{
    internal const string Pbkdf2Prefix = "pbkdf2-sha256$";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with a new random salt.</summary>
    public (string Hash, string Salt) Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (options.ZnDrawCompatible)
        {
            var zndrawSalt = ZnDrawPasswordHash.NewSalt();
            return (ZnDrawPasswordHash.Compute(password, zndrawSalt), zndrawSalt);
        }

        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, options.Pbkdf2Iterations, HashAlgorithmName.SHA256, HashBytes);
        var saltHex = Convert.ToHexStringLower(salt);
        return (string.Create(CultureInfo.InvariantCulture, $"{Pbkdf2Prefix}{options.Pbkdf2Iterations}${saltHex}${Convert.ToHexStringLower(hash)}"), saltHex);
    }

    /// <summary>Checks <paramref name="password"/> against a stored hash and salt.</summary>
    public PasswordVerification Verify(string password, string? storedHash, string? storedSalt)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (string.IsNullOrEmpty(storedHash))
        {
            return PasswordVerification.Failed;
        }

        if (storedHash.StartsWith(Pbkdf2Prefix, StringComparison.Ordinal))
        {
            return VerifyPbkdf2(password, storedHash.AsSpan(Pbkdf2Prefix.Length));
        }

        if (storedHash.Length != ZnDrawPasswordHash.HashHexLength || storedSalt is null || !IsHex(storedHash))
        {
            return PasswordVerification.Malformed;
        }

        if (!ZnDrawPasswordHash.Verify(password, storedSalt, storedHash))
        {
            return PasswordVerification.Failed;
        }

        return options.ZnDrawCompatible ? PasswordVerification.Success : PasswordVerification.SuccessRehashNeeded;
    }

    private PasswordVerification VerifyPbkdf2(string password, ReadOnlySpan<char> rest)
    {
        Span<Range> parts = stackalloc Range[4];
        if (rest.Split(parts, '$') != 3
            || !int.TryParse(rest[parts[0]], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations)
            || iterations <= 0)
        {
            return PasswordVerification.Malformed;
        }

        byte[] salt, expected;
        try
        {
            salt = Convert.FromHexString(rest[parts[1]]);
            expected = Convert.FromHexString(rest[parts[2]]);
        }
        catch (FormatException)
        {
            return PasswordVerification.Malformed;
        }

        if (salt.Length == 0 || expected.Length == 0)
        {
            return PasswordVerification.Malformed;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        if (!CryptographicOperations.FixedTimeEquals(actual, expected))
        {
            return PasswordVerification.Failed;
        }

        return iterations < options.Pbkdf2Iterations || options.ZnDrawCompatible
            ? PasswordVerification.SuccessRehashNeeded
            : PasswordVerification.Success;
    }

    private static bool IsHex(string s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
