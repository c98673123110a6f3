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

    /// <summary>
    /// The stored hash or salt is not in any known format, or a stored PBKDF2 iteration count exceeds
    /// <see cref="ZnDrawPasswordOptions.MaxPbkdf2Iterations"/> (refused without hashing).
    /// </summary>
    Malformed,
}

/// <summary>
/// Hashes and verifies passwords under one effective <see cref="PasswordHashing"/> policy (never
/// <see cref="PasswordHashing.Automatic"/>). <see cref="PasswordHashing.Pbkdf2"/> writes PBKDF2-HMAC-SHA256 in a
/// self-describing text (<c>pbkdf2-sha256$ITERATIONS$SALTHEX$HASHHEX</c>, stored in <c>passwordHash</c>, with the salt
/// also in <c>passwordSalt</c>); <see cref="PasswordHashing.ZnDrawSha256"/> writes ZnDraw's salted SHA-256 so that a
/// Python ZnDraw sharing the Redis can verify it. Both formats are always verified; every comparison is constant-time.
/// A rehash is asked for only under <see cref="PasswordHashing.Pbkdf2"/>, so a PBKDF2 hash is never rewritten as
/// SHA-256.
/// </summary>
internal sealed class PasswordHasher
{
    internal const string Pbkdf2Prefix = "pbkdf2-sha256$";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly int _iterations;

    /// <summary>Creates the hasher.</summary>
    /// <param name="hashing">The effective policy (<see cref="ZnDrawPasswordOptions.Resolve"/>).</param>
    /// <param name="pbkdf2Iterations">Iterations of new PBKDF2 hashes.</param>
    public PasswordHasher(PasswordHashing hashing, int pbkdf2Iterations)
    {
        if (hashing is not (PasswordHashing.ZnDrawSha256 or PasswordHashing.Pbkdf2))
        {
            throw new ArgumentOutOfRangeException(nameof(hashing), hashing, "Resolve the policy first: ZnDrawSha256 or Pbkdf2.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pbkdf2Iterations);
        Hashing = hashing;
        _iterations = pbkdf2Iterations;
    }

    /// <summary>The effective policy.</summary>
    public PasswordHashing Hashing { get; }

    /// <summary>Hashes <paramref name="password"/> with a new random salt, in the format of <see cref="Hashing"/>.</summary>
    public (string Hash, string Salt) Hash(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (Hashing == PasswordHashing.ZnDrawSha256)
        {
            var zndrawSalt = ZnDrawPasswordHash.NewSalt();
            return (ZnDrawPasswordHash.Compute(password, zndrawSalt), zndrawSalt);
        }

        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, _iterations, HashAlgorithmName.SHA256, HashBytes);
        var saltHex = Convert.ToHexStringLower(salt);
        return (string.Create(CultureInfo.InvariantCulture, $"{Pbkdf2Prefix}{_iterations}${saltHex}${Convert.ToHexStringLower(hash)}"), saltHex);
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

        return Hashing == PasswordHashing.Pbkdf2 ? PasswordVerification.SuccessRehashNeeded : PasswordVerification.Success;
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

        // Refused before any hashing: a planted count (say 2,000,000,000) must not cost minutes of CPU per attempt.
        if (iterations > ZnDrawPasswordOptions.MaxPbkdf2Iterations)
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

        // Only a PBKDF2 policy rehashes, and only into PBKDF2: a PBKDF2 hash is never rewritten as SHA-256.
        return Hashing == PasswordHashing.Pbkdf2 && iterations < _iterations
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
