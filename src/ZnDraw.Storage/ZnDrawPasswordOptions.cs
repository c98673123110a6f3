namespace ZnDraw.Storage;

/// <summary>How the library writes password hashes (<see cref="ZnDrawPasswordOptions.Hashing"/>).</summary>
public enum PasswordHashing
{
    /// <summary>
    /// Decided by the key space: <see cref="ZnDrawSha256"/> in <see cref="KeyLayout.ZnDraw"/> without a
    /// <see cref="ZnDrawStorageOptions.KeyPrefix"/> (the keys a Python ZnDraw server reads), <see cref="Pbkdf2"/> in every
    /// other layout.
    /// </summary>
    Automatic,

    /// <summary>
    /// ZnDraw's salted SHA-256, stored as ZnDraw stores it, so that a Python ZnDraw server sharing the Redis can verify
    /// every password the library writes. Stored hashes are never upgraded, and a stored PBKDF2 hash is never rewritten.
    /// </summary>
    ZnDrawSha256,

    /// <summary>
    /// PBKDF2-HMAC-SHA256 with <see cref="ZnDrawPasswordOptions.Pbkdf2Iterations"/> iterations; a ZnDraw SHA-256 hash (or
    /// a PBKDF2 hash with fewer iterations) is replaced at the user's next successful login. A Python ZnDraw server can no
    /// longer verify such users.
    /// </summary>
    Pbkdf2,
}

/// <summary>How password hashes are made and checked (<c>UserService</c>).</summary>
public sealed class ZnDrawPasswordOptions
{
    /// <summary>The fewest PBKDF2 iterations accepted for new hashes (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).</summary>
    public const int MinPbkdf2Iterations = 600_000;

    /// <summary>
    /// The most PBKDF2 iterations accepted: for new hashes, and for stored ones (a stored hash with more is refused
    /// without being computed, so that a planted hash cannot cost seconds of CPU per login attempt).
    /// </summary>
    public const int MaxPbkdf2Iterations = 10_000_000;

    /// <summary>The format of the password hashes the library writes (registration, password change and reset, upgrade at login).</summary>
    /// <value>
    /// Default <see cref="PasswordHashing.Automatic"/>: ZnDraw's salted SHA-256 in the ZnDraw key layout without a prefix
    /// (a warning at start recommends <see cref="PasswordHashing.Pbkdf2"/> once no ZnDraw server shares the Redis),
    /// PBKDF2 in the prefixed and cluster-safe layouts. Both formats are always verified.
    /// </value>
    public PasswordHashing Hashing { get; set; } = PasswordHashing.Automatic;

    /// <summary>PBKDF2-HMAC-SHA256 iterations for new hashes when the effective policy is <see cref="PasswordHashing.Pbkdf2"/>.</summary>
    /// <value>Default 600,000. Range 600,000 to 10,000,000.</value>
    public int Pbkdf2Iterations { get; set; } = MinPbkdf2Iterations;

    /// <summary>
    /// The policy in effect for <paramref name="options"/>: <see cref="Hashing"/> with <see cref="PasswordHashing.Automatic"/>
    /// decided by the layout and prefix. Never <see cref="PasswordHashing.Automatic"/>.
    /// </summary>
    internal static PasswordHashing Resolve(ZnDrawStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PasswordHashing hashing = options.Passwords?.Hashing ?? PasswordHashing.Automatic;
        if (hashing != PasswordHashing.Automatic)
        {
            return hashing;
        }

        return IsZnDrawKeySpace(options) ? PasswordHashing.ZnDrawSha256 : PasswordHashing.Pbkdf2;
    }

    /// <summary>Whether <paramref name="options"/> name ZnDraw's own keys (ZnDraw layout, no prefix).</summary>
    internal static bool IsZnDrawKeySpace(ZnDrawStorageOptions options) =>
        options.Layout == KeyLayout.ZnDraw && string.IsNullOrEmpty(options.KeyPrefix);
}
