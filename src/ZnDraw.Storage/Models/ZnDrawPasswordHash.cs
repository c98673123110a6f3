using System.Security.Cryptography;
using System.Text;

namespace ZnDraw.Storage.Models;

/// <summary>ZnDraw's password scheme (fields <c>passwordHash</c>/<c>passwordSalt</c> of <c>user:{user}</c>).</summary>
/// <remarks>
/// The hash is SHA-256 over the UTF-8 bytes of the password followed by the salt <em>text</em>
/// (the 32 hex characters themselves, not their decoded bytes), one iteration, written as 64
/// lowercase hex characters. This is ZnDraw's format, kept for compatibility; it is a fast hash,
/// not a password-hashing function, so treat stored hashes as sensitive.
/// </remarks>
public static class ZnDrawPasswordHash
{
    /// <summary>Length of a salt in hex characters (16 random bytes).</summary>
    public const int SaltHexLength = 32;

    /// <summary>Length of a hash in hex characters (SHA-256).</summary>
    public const int HashHexLength = 64;

    /// <summary>Draws a new salt as ZnDraw does (<c>secrets.token_hex(16)</c>): 32 lowercase hex characters.</summary>
    /// <returns>The salt text to store in <c>passwordSalt</c>.</returns>
    public static string NewSalt() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Computes the stored hash of <paramref name="password"/> with <paramref name="saltHex"/>.</summary>
    /// <param name="password">The plain password (may be empty).</param>
    /// <param name="saltHex">The salt text exactly as stored.</param>
    /// <returns>64 lowercase hex characters.</returns>
    public static string Compute(string password, string saltHex)
    {
        ArgumentNullException.ThrowIfNull(password);
        ArgumentNullException.ThrowIfNull(saltHex);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        HashInto(password, saltHex, digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Checks <paramref name="password"/> against a stored hash in constant time.</summary>
    /// <param name="password">The plain password to check.</param>
    /// <param name="saltHex">The stored <c>passwordSalt</c>, or <see langword="null"/> when missing.</param>
    /// <param name="hashHex">The stored <c>passwordHash</c>, or <see langword="null"/> when missing.</param>
    /// <returns>
    /// <see langword="true"/> when they match. A missing hash or salt is <see langword="false"/>, as in
    /// ZnDraw. The stored hash is compared case-sensitively as text, as ZnDraw compares strings.
    /// </returns>
    public static bool Verify(string password, string? saltHex, string? hashHex)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (saltHex is null || hashHex is null)
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        HashInto(password, saltHex, digest);
        Span<byte> expected = stackalloc byte[HashHexLength];
        // Lowercase hex of our digest, as ASCII bytes.
        Convert.TryToHexStringLower(digest, expected, out _);

        Span<byte> actual = stackalloc byte[HashHexLength];
        if (hashHex.Length != HashHexLength)
        {
            // Still do a comparison of equal length so timing does not depend on the content.
            CryptographicOperations.FixedTimeEquals(expected, expected);
            return false;
        }

        for (int i = 0; i < HashHexLength; i++)
        {
            char c = hashHex[i];
            actual[i] = c < 0x80 ? (byte)c : (byte)0;
        }

        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    private static void HashInto(string password, string saltHex, Span<byte> digest)
    {
        int byteCount = Encoding.UTF8.GetByteCount(password) + Encoding.UTF8.GetByteCount(saltHex);
        byte[]? rented = null;
        Span<byte> input = byteCount <= 256
            ? stackalloc byte[256]
            : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(byteCount));
        try
        {
            int written = Encoding.UTF8.GetBytes(password, input);
            written += Encoding.UTF8.GetBytes(saltHex, input[written..]);
            SHA256.HashData(input[..written], digest);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input[..Math.Min(input.Length, byteCount)]);
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}
