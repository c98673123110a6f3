namespace ZnDraw.Storage.Contracts;

/// <summary>The time-to-live rules of room locks and the presenter lock, as ZnDraw's server applies them.</summary>
public static class LockLimits
{
    /// <summary>The longest TTL a lock may be acquired or refreshed with: 300 s (ZnDraw refuses more).</summary>
    public static readonly TimeSpan MaxTimeToLive = TimeSpan.FromSeconds(300);

    /// <summary>ZnDraw's default lock TTL: 60 s.</summary>
    public static readonly TimeSpan DefaultTimeToLive = TimeSpan.FromSeconds(60);

    /// <summary>ZnDraw's presenter lock TTL: 10 s (renewed by requesting again).</summary>
    public static readonly TimeSpan DefaultPresenterTimeToLive = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The whole seconds sent with <c>EX</c> for <paramref name="timeToLive"/>: rounded up, so a lock never expires earlier
    /// than asked and a sub-second TTL becomes 1 s (ZnDraw truncates, so its 0.5 s becomes 0, which Redis rejects).
    /// </summary>
    /// <param name="timeToLive">The requested TTL: more than zero and at most <see cref="MaxTimeToLive"/>.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <returns>The seconds, 1 to 300.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The TTL is zero, negative or above <see cref="MaxTimeToLive"/>.</exception>
    internal static long ToSeconds(TimeSpan timeToLive, string paramName = "timeToLive")
    {
        if (timeToLive <= TimeSpan.Zero || timeToLive > MaxTimeToLive)
        {
            throw new ArgumentOutOfRangeException(paramName, timeToLive, "A lock TTL must be more than 0 and at most 300 seconds.");
        }

        return (timeToLive.Ticks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;
    }
}
