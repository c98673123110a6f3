using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage;

/// <summary>Settings of <c>services.AddZnDrawStorage(...)</c>; validated when the host starts.</summary>
public sealed class ZnDrawStorageOptions
{
    /// <summary>The configuration section name the samples and docs use: <c>ZnDrawStorage</c>.</summary>
    public const string DefaultSectionName = "ZnDrawStorage";

    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:6379</c>.</summary>
    /// <value>
    /// Default <see langword="null"/>. Required unless <see cref="RedisConfiguration"/> is set or the host registered
    /// its own <see cref="IConnectionMultiplexer"/> (which is then reused and never disposed by this library).
    /// </value>
    public string? ConnectionString { get; set; }

    /// <summary>StackExchange.Redis configuration object; takes precedence over <see cref="ConnectionString"/>.</summary>
    /// <value>Default <see langword="null"/>. Not bindable from configuration.</value>
    public ConfigurationOptions? RedisConfiguration { get; set; }

    /// <summary>Text prepended to every key, so several applications can share one Redis.</summary>
    /// <value>
    /// Default <see langword="null"/> (no prefix: the keys are byte-identical to ZnDraw's). Must not contain
    /// <c>{</c> or <c>}</c> with <see cref="KeyLayout.ClusterSafe"/>.
    /// </value>
    public string? KeyPrefix { get; set; }

    /// <summary>The key layout.</summary>
    /// <value>Default <see cref="KeyLayout.ZnDraw"/> (shareable with a Python ZnDraw server on one Redis node).</value>
    public KeyLayout Layout { get; set; } = KeyLayout.ZnDraw;

    /// <summary>The Redis database number.</summary>
    /// <value>Default -1 (the connection's default database, normally 0). Range -1 to 255.</value>
    public int Database { get; set; } = -1;

    /// <summary>Lock defaults.</summary>
    public ZnDrawLockOptions Locks { get; set; } = new();

    /// <summary>Size limits of user-supplied text (descriptions, chat, geometry and figure JSON, metadata, bookmark labels).</summary>
    public ZnDrawLimitOptions Limits { get; set; } = new();

    /// <summary>Password hashing policy (see <see cref="ZnDrawPasswordOptions.Hashing"/>).</summary>
    public ZnDrawPasswordOptions Passwords { get; set; } = new();

    /// <summary>Background reconciliation of the index sets with what other writers create and delete.</summary>
    public ZnDrawIndexReconciliationOptions IndexReconciliation { get; set; } = new();

    /// <summary>The key space these options describe.</summary>
    internal KeySpace CreateKeySpace() => new(KeyPrefix, Layout);
}

/// <summary>Lock defaults (<c>LockService</c>).</summary>
public sealed class ZnDrawLockOptions
{
    /// <summary>TTL of a lock when the caller gives none.</summary>
    /// <value>Default 60 s (<see cref="Contracts.LockLimits.DefaultTimeToLive"/>), as ZnDraw's client. Range: more than 0, at most <see cref="Contracts.LockLimits.MaxTimeToLive"/> (300 s).</value>
    public TimeSpan DefaultTtl { get; set; } = Contracts.LockLimits.DefaultTimeToLive;

    /// <summary>TTL of the presenter lock.</summary>
    /// <value>Default 10 s (<see cref="Contracts.LockLimits.DefaultPresenterTimeToLive"/>), as ZnDraw. Range: more than 0, at most <see cref="Contracts.LockLimits.MaxTimeToLive"/> (300 s).</value>
    public TimeSpan PresenterTtl { get; set; } = Contracts.LockLimits.DefaultPresenterTimeToLive;
}
