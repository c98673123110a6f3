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

    /// <summary>
    /// Whether the host fails to start when the library's own connection cannot reach Redis (fail fast), or starts
    /// anyway and keeps reconnecting in the background (StackExchange.Redis <see cref="ConfigurationOptions.AbortOnConnectFail"/>).
    /// </summary>
    /// <value>
    /// Default <see langword="true"/>: host start fails after the connect timeout with a
    /// <see cref="Contracts.StorageUnavailableException"/> naming the endpoints and this setting. <see langword="false"/> (the
    /// default of .NET Aspire's Redis client): the host starts, one warning is logged, calls throw
    /// <see cref="Contracts.StorageUnavailableException"/> and the Redis health check is unhealthy until the connection is
    /// made. Applies to <see cref="ConnectionString"/> unless it names <c>abortConnect</c> itself (the string wins); not to
    /// <see cref="RedisConfiguration"/> (its own <see cref="ConfigurationOptions.AbortOnConnectFail"/> applies) nor to a
    /// host-registered <see cref="IConnectionMultiplexer"/>. See <c>docs/configuration.md</c>.
    /// </value>
    public bool AbortOnConnectFail { get; set; } = true;

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

    /// <summary>Waiting for replicas after the writes that matter (Redis <c>WAIT</c>); off by default.</summary>
    public ZnDrawReplicationOptions Replication { get; set; } = new();

    /// <summary>TLS for the library's own connection: CA, client certificate, host name (see <c>docs/production.md</c>).</summary>
    public ZnDrawTlsOptions Tls { get; set; } = new();

    /// <summary>The settings that describe the connection, without any password or secret.</summary>
    /// <returns>The endpoints (never the password of the connection string), layout, key prefix, database and TLS settings.</returns>
    public override string ToString() =>
        $"EndPoints={DescribeEndPoints()}, Layout={Layout}, KeyPrefix={KeyPrefix ?? "(none)"}, Database={Database}, AbortOnConnectFail={AbortOnConnectFail}, Tls=({Tls})";

    private string DescribeEndPoints()
    {
        try
        {
            return RedisConfiguration is { } configuration ? Redis.RedisConnectionString.DescribeEndPoints(configuration)
                : ConnectionString is { } text ? Redis.RedisConnectionString.DescribeEndPoints(Redis.RedisConnectionString.Parse(text, AbortOnConnectFail))
                : "(not set)";
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return "(not valid)";
        }
    }

    /// <summary>The key space these options describe.</summary>
    internal KeySpace CreateKeySpace() => new(KeyPrefix, Layout);

    // Where the options came from, for messages that name the setting. Fields, not properties: configuration binding
    // (reflection or source-generated) never sees them. Set by the AddZnDrawStorage overloads that read configuration.

    /// <summary>
    /// The configuration path of the section the options were bound from (<c>ZnDrawStorage</c>; empty for a root), or
    /// <see langword="null"/> when they were set in code.
    /// </summary>
    internal string? SettingsSection;

    /// <summary>The name of the <c>ConnectionStrings</c> entry the options read (<c>AddZnDrawStorage("redis")</c>), if any.</summary>
    internal string? ConnectionStringName;

    /// <summary>The setting <see cref="ConnectionString"/> was read from and the value read, if it came from configuration.</summary>
    internal (string Setting, string Value)? ConnectionStringOrigin;

    /// <summary>
    /// The setting <paramref name="path"/> (e.g. <c>Limits:MaxDescriptionBytes</c>) as validation messages name it: its
    /// configuration path under a named section (<c>ZnDrawStorage:Limits:MaxDescriptionBytes</c>), else the property
    /// path (<c>Limits.MaxDescriptionBytes</c>).
    /// </summary>
    internal string Setting(string path) =>
        string.IsNullOrEmpty(SettingsSection) ? path.Replace(':', '.') : SettingsSection + ":" + path;

    /// <summary>The setting <paramref name="path"/> named so that it is clear without context: as configured, or <c>ZnDrawStorageOptions.Path</c>.</summary>
    internal string SettingName(string path) =>
        SettingsSection is null ? "ZnDrawStorageOptions." + path.Replace(':', '.') : Setting(path);

    /// <summary>The setting the current <see cref="ConnectionString"/> came from (a value set in code is named as the property).</summary>
    internal string ConnectionStringSetting() =>
        ConnectionStringOrigin is { } origin && string.Equals(origin.Value, ConnectionString, StringComparison.Ordinal)
            ? origin.Setting
            : "ZnDrawStorageOptions.ConnectionString";

    /// <summary>Every place a connection string may be given, for the message when none is.</summary>
    internal string ConnectionStringSettings() =>
        ConnectionStringName is { } name
            ? $"ConnectionStrings:{name} or {SettingName(nameof(ConnectionString))}"
            : SettingName(nameof(ConnectionString));
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
