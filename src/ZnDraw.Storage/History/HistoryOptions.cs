using Microsoft.Extensions.Options;

namespace ZnDraw.Storage.History;

/// <summary>How history events reach the <see cref="IHistorySink"/>.</summary>
public enum HistoryMode
{
    /// <summary>No history: no event is created and nothing is paid. The mode whenever no sink is registered.</summary>
    Off = 0,

    /// <summary>
    /// The sink is called right after the Redis step commits, on the caller's path. A sink failure is
    /// logged and counted and never fails the Redis call; the event is then lost (at most once).
    /// </summary>
    Direct = 1,

    /// <summary>
    /// The event is appended to a Redis stream (the outbox) in the same MULTI/EXEC or script as the
    /// state change, on one server and on a Redis Cluster (there the outbox has one stream per hash slot in use); a
    /// background dispatcher delivers it to the sink at least once, and the idempotent sink stores it exactly once. A
    /// database outage delays history and never loses it; a Redis without persistence loses undelivered events when it
    /// restarts (docs/cluster.md: AOF and failover).
    /// </summary>
    Durable = 2,
}

/// <summary>Options of history recording and of the durable-mode dispatcher.</summary>
public sealed class HistoryOptions
{
    /// <summary>The default outbox stream key.</summary>
    public const string DefaultStreamKey = "zndraw-storage:history";

    /// <summary>The default consumer group of the dispatchers.</summary>
    public const string DefaultConsumerGroup = "zndraw-storage-history";

    /// <summary>How events reach the sink.</summary>
    /// <value>Default <see cref="HistoryMode.Direct"/>. Without a registered sink the effective mode is always <see cref="HistoryMode.Off"/>.</value>
    public HistoryMode Mode { get; set; } = HistoryMode.Direct;

    /// <summary>The Redis stream used as outbox in durable mode; under <see cref="KeyLayout.ClusterSafe"/> the name of its shards.</summary>
    /// <value>Default <c>zndraw-storage:history</c>; not empty. Under the cluster-safe layout the outbox is one stream per hash slot in use,
    /// <c>{StreamKey}:{tag}</c> (the tag in braces, e.g. <c>zndraw-storage:history:{a1}</c>), listed in the set <c>{StreamKey}:shards</c>, so the key must not contain <c>{</c> or <c>}</c> there.
    /// The streams belong to the dispatchers: do not attach other consumer groups (trimming follows this library's group only).</value>
    public string StreamKey { get; set; } = DefaultStreamKey;

    /// <summary>The consumer group shared by every dispatcher of the outbox.</summary>
    /// <value>Default <c>zndraw-storage-history</c>; not empty.</value>
    public string ConsumerGroup { get; set; } = DefaultConsumerGroup;

    /// <summary>This dispatcher's consumer name inside the group.</summary>
    /// <value>Default <see langword="null"/>: machine name, process id and a random suffix, unique per dispatcher instance.</value>
    public string? ConsumerName { get; set; }

    /// <summary>How many outbox entries the dispatcher reads and hands to the sink at once.</summary>
    /// <value>Default 1024; 1 to 10,000. A batch is one sink transaction: larger batches amortise its fixed cost (round trips, commit); the dispatcher reads only what is there, so a small backlog still goes out at once.</value>
    public int BatchSize { get; set; } = 1024;

    /// <summary>The longest pause between two reads of an empty outbox (the pause grows from a few milliseconds up to this).</summary>
    /// <value>Default 500 ms; 1 ms to 1 minute.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an entry stays unacknowledged with another consumer before this dispatcher reclaims it (<c>XAUTOCLAIM</c>).</summary>
    /// <value>Default 30 s; 10 ms to 1 day. Shorter than a sink write means a live peer's batch is delivered twice (harmless, the sink is idempotent, but wasted work).</value>
    public TimeSpan ClaimIdleTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first pause after a failed sink write or Redis read; it doubles on each further failure.</summary>
    /// <value>Default 200 ms; 1 ms to <see cref="RetryMaxDelay"/>.</value>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest pause between two retries.</summary>
    /// <value>Default 30 s; at least <see cref="RetryInitialDelay"/>, at most 1 hour.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often acknowledged entries are trimmed from the outbox (<c>XTRIM MINID</c>).</summary>
    /// <value>Default 5 s; zero trims after every delivered batch; at most 1 hour.</value>
    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Rejects <see cref="HistoryOptions"/> outside their documented ranges at start.</summary>
internal sealed class HistoryOptionsValidator : IValidateOptions<HistoryOptions>
{
    public ValidateOptionsResult Validate(string? name, HistoryOptions options)
    {
        var failures = new List<string>();
        if (!Enum.IsDefined(options.Mode))
        {
            failures.Add($"{nameof(HistoryOptions.Mode)} {options.Mode} is not a history mode.");
        }

        if (string.IsNullOrWhiteSpace(options.StreamKey))
        {
            failures.Add($"{nameof(HistoryOptions.StreamKey)} must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerGroup))
        {
            failures.Add($"{nameof(HistoryOptions.ConsumerGroup)} must not be empty.");
        }

        if (options.ConsumerName is { } consumer && string.IsNullOrWhiteSpace(consumer))
        {
            failures.Add($"{nameof(HistoryOptions.ConsumerName)} must be null or not blank.");
        }

        if (options.BatchSize is < 1 or > 10_000)
        {
            failures.Add($"{nameof(HistoryOptions.BatchSize)} must be 1 to 10000 (is {options.BatchSize}).");
        }

        Range(failures, nameof(HistoryOptions.PollInterval), options.PollInterval, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
        Range(failures, nameof(HistoryOptions.ClaimIdleTime), options.ClaimIdleTime, TimeSpan.FromMilliseconds(10), TimeSpan.FromDays(1));
        Range(failures, nameof(HistoryOptions.RetryInitialDelay), options.RetryInitialDelay, TimeSpan.FromMilliseconds(1), options.RetryMaxDelay);
        Range(failures, nameof(HistoryOptions.RetryMaxDelay), options.RetryMaxDelay, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(1));
        Range(failures, nameof(HistoryOptions.TrimInterval), options.TrimInterval, TimeSpan.Zero, TimeSpan.FromHours(1));
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string name, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{name} must be {min} to {max} (is {value}).");
        }
    }
}
