using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Keeps the index sets true while other writers (ZnDraw's Python server) create and delete rooms and users: a
/// reconcile (<see cref="IndexMaintenance"/>'s scan) right after host start and every
/// <see cref="ZnDrawIndexReconciliationOptions.Interval"/>, plus keyspace notifications of room, user and admin keys,
/// each checked and applied within about a second. Off the request path; never stops the host: a failure is logged and
/// the next interval tries again. See <c>docs/index-reconciliation.md</c>.
/// </summary>
/// <remarks>
/// Telemetry: each periodic pass is a <c>ZnDraw.Storage</c> operation <c>index.reconcile</c> and each applied batch of
/// notified entries one named <c>index.apply</c> (root spans of their own, <c>db.system.name=redis</c>, with the
/// duration and error metrics of every operation); a failed pass or batch is a failed operation.
/// </remarks>
internal sealed partial class IndexReconciler : BackgroundService
{
    /// <summary>The server setting the notifications depend on.</summary>
    internal const string NotifySetting = "notify-keyspace-events";

    /// <summary>The event classes needed: <c>$</c> (SET), <c>h</c> (HSET, HDEL), <c>g</c> (DEL, RENAME, ...), <c>x</c> (expired).</summary>
    internal const string NeededClasses = "$hgx";

    private const int MaxEntriesPerBatch = 1000;
    private const int QueueCapacity = 100_000;

    private readonly ZnDrawConnection _connection;
    private readonly Func<RedisStoreContext> _context;
    private readonly ZnDrawIndexReconciliationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<IndexEntry> _dirty = Channel.CreateBounded<IndexEntry>(new BoundedChannelOptions(QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.DropWrite, // the next periodic reconcile catches up
        SingleReader = true,
    });

    public IndexReconciler(
        ZnDrawConnection connection,
        Func<RedisStoreContext> context,
        IOptions<ZnDrawStorageOptions> options,
        TimeProvider? timeProvider,
        ILogger<IndexReconciler>? logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _context = context;
        _options = options.Value.IndexReconciliation;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger<IndexReconciler>.Instance;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            LogDisabled(_logger);
            return;
        }

        await Task.Yield(); // host start never waits for the first scan
        Activity.Current = null; // each pass is a trace of its own, not a child of whatever started the host
        IndexMaintenance? maintenance = null;
        Subscription? subscription = null;
        Task? applying = null;
        bool failing = false;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                StorageOperation op = default;
                bool started = false;
                try
                {
                    // While Redis is down (a host started without it, or an outage) wait quietly, before the pass's
                    // span starts (waiting is not reconciling): the connection itself has said so once, and a
                    // reconcile could only fail.
                    await _connection.WaitUntilConnectedAsync(stoppingToken).ConfigureAwait(false);
                    op = StorageOperation.Start("index.reconcile", DbSystem.Redis);
                    started = true;
                    RedisStoreContext context = _context();
                    maintenance ??= new IndexMaintenance(context);
                    if (_options.UseKeyspaceNotifications && subscription is null)
                    {
                        try
                        {
                            subscription = await SubscribeAsync(context, stoppingToken).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (RedisErrors.Permission(ex, "subscribe to keyspace notifications", feature: ZnDrawAclFeatures.KeyspaceNotifications) is { } denied)
                        {
                            throw denied; // logged below as what it is: a permission the ACL rule lacks, named
                        }

                        applying ??= ApplyNotificationsAsync(maintenance, stoppingToken);
                    }

                    ReindexResult result = await maintenance.ReindexAsync(_options.PageSize, _options.PauseBetweenPages, stoppingToken).ConfigureAwait(false);
                    LogReconciled(_logger, result.KeysScanned, result.Rooms, result.Users, result.Admins, result.StaleEntriesRemoved);
                    if (failing)
                    {
                        LogRecovered(_logger);
                        failing = false;
                    }
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    if (started)
                    {
                        op.RecordFailure(ex);
                    }

                    if (!failing)
                    {
                        LogFailed(_logger, ex, _options.Interval);
                        failing = true;
                    }
                    else
                    {
                        LogStillFailing(_logger, ex.Message);
                    }
                }
                finally
                {
                    if (started)
                    {
                        op.Dispose();
                    }
                }

                try
                {
                    await Task.Delay(_options.Interval, _time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        finally
        {
            _dirty.Writer.TryComplete();
            if (subscription is not null)
            {
                await subscription.DisposeAsync().ConfigureAwait(false);
            }

            if (applying is not null)
            {
                await applying.ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Which flags of <paramref name="flags"/> (the value of <c>notify-keyspace-events</c>) are missing for this
    /// reconciler: <c>K</c> unless <c>K</c> or <c>E</c> is there, and each of <c>$hgx</c> unless <c>A</c> is there.
    /// </summary>
    internal static string MissingFlags(string flags)
    {
        var missing = new System.Text.StringBuilder(5);
        if (!flags.Contains('K', StringComparison.Ordinal) && !flags.Contains('E', StringComparison.Ordinal))
        {
            missing.Append('K');
        }

        if (!flags.Contains('A', StringComparison.Ordinal))
        {
            foreach (char c in NeededClasses)
            {
                if (!flags.Contains(c, StringComparison.Ordinal))
                {
                    missing.Append(c);
                }
            }
        }

        return missing.ToString();
    }

    /// <summary>
    /// Checks (and, when allowed, completes) the server's <c>notify-keyspace-events</c>, then subscribes. Returns a
    /// subscription even when the setting could not be read or lacks flags (a server that emits the events anyway is
    /// then still heard); <see langword="null"/> is never returned, so the check and its warning happen once per start.
    /// </summary>
    private async Task<Subscription> SubscribeAsync(RedisStoreContext context, CancellationToken cancellationToken)
    {
        IServer[] primaries = [.. context.Multiplexer.GetServers().Where(static s => !s.IsReplica)];
        if (primaries.Any(static s => s.ServerType == ServerType.Cluster))
        {
            LogClusterWithoutNotifications(_logger, _options.Interval);
            return Subscription.None;
        }

        IServer? server = primaries.FirstOrDefault(static s => s.IsConnected);
        if (server is null)
        {
            throw new InvalidOperationException("No connected Redis server to read notify-keyspace-events from; retried at the next interval.");
        }

        bool keyevents = false;
        try
        {
            string flags = await ReadFlagsAsync(server, cancellationToken).ConfigureAwait(false);
            string missing = MissingFlags(flags);
            keyevents = !flags.Contains('K', StringComparison.Ordinal) && flags.Contains('E', StringComparison.Ordinal);
            if (missing.Length > 0)
            {
                if (_options.ConfigureKeyspaceNotifications)
                {
                    await RedisStoreContext.WaitAsync(server.ExecuteAsync("CONFIG", "SET", NotifySetting, flags + missing), cancellationToken).ConfigureAwait(false);
                    LogConfigured(_logger, NotifySetting, flags + missing, flags);
                }
                else
                {
                    LogNotificationsOff(_logger, NotifySetting, flags, missing, _options.Interval);
                }
            }
        }
        catch (RedisCommandException ex)
        {
            // The connection is not in admin mode (StackExchange.Redis refuses CONFIG before sending it): the usual
            // host, not a fault. Said once at Information; notifications still work if the server emits them.
            LogSettingNotChecked(_logger, NotifySetting, ex.Message, _options.Interval);
        }
        catch (RedisServerException ex)
        {
            // The server refused: no CONFIG permission (ACL) or CONFIG renamed.
            LogSettingInaccessible(_logger, NotifySetting, ex.Message, _options.Interval);
        }

        ISubscriber subscriber = context.Multiplexer.GetSubscriber();
        int database = context.Database.Database;
        KeySpace space = context.Keys;
        var queues = new List<ChannelMessageQueue>();
        if (keyevents)
        {
            // Key-event channels carry the key in the message: one channel per event, every key (filtered here).
            foreach (string name in (string[])["set", "hset", "hdel", "del", "expired", "evicted", "rename_from", "rename_to"])
            {
                ChannelMessageQueue queue = await RedisStoreContext.WaitAsync(subscriber.SubscribeAsync(RedisChannel.Literal($"__keyevent@{database}__:{name}")), cancellationToken).ConfigureAwait(false);
                queue.OnMessage(message => Enqueue(space, message.Message.ToString()));
                queues.Add(queue);
            }
        }
        else
        {
            // Key-space channels carry the key in the channel name: only the room, user and admin keys are subscribed.
            string head = $"__keyspace@{database}__:";
            string prefix = IndexMaintenance.EscapeGlob(space.Prefix);
            foreach (string pattern in (string[])[prefix + "room:*:current_frame", prefix + "user:*", prefix + "admin:user:*"])
            {
                ChannelMessageQueue queue = await RedisStoreContext.WaitAsync(subscriber.SubscribeAsync(RedisChannel.Pattern(head + pattern)), cancellationToken).ConfigureAwait(false);
                queue.OnMessage(message => Enqueue(space, message.Channel.ToString()[head.Length..]));
                queues.Add(queue);
            }
        }

        LogSubscribed(_logger, keyevents ? "__keyevent" : "__keyspace", database);
        return new Subscription(queues);
    }

    private void Enqueue(KeySpace space, string key)
    {
        if (IndexMaintenance.TryReadIndexEntry(space, key, out IndexEntry entry))
        {
            _dirty.Writer.TryWrite(entry);
        }
    }

    /// <summary>Applies the entries named by notifications, in batches of the entries queued meanwhile (deduplicated).</summary>
    private async Task ApplyNotificationsAsync(IndexMaintenance maintenance, CancellationToken stoppingToken)
    {
        Activity.Current = null; // started inside the first pass: its batches are not children of that pass
        ChannelReader<IndexEntry> reader = _dirty.Reader;
        var batch = new HashSet<IndexEntry>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < MaxEntriesPerBatch && reader.TryRead(out IndexEntry entry))
                {
                    batch.Add(entry);
                }

                using var op = StorageOperation.Start("index.apply", DbSystem.Redis);
                try
                {
                    (long added, long removed) = await maintenance.ReconcileEntriesAsync([.. batch], stoppingToken).ConfigureAwait(false);
                    LogApplied(_logger, batch.Count, added, removed);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    op.RecordFailure(ex);
                    LogApplyFailed(_logger, batch.Count, ex.Message); // the next periodic reconcile catches up
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static async Task<string> ReadFlagsAsync(IServer server, CancellationToken cancellationToken)
    {
        RedisResult reply = await RedisStoreContext.WaitAsync(server.ExecuteAsync("CONFIG", "GET", NotifySetting), cancellationToken).ConfigureAwait(false);
        RedisResult[]? parts = (RedisResult[]?)reply;
        return parts is { Length: >= 2 } ? parts[1].ToString() ?? string.Empty : string.Empty;
    }


    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerDisabled, Level = LogLevel.Debug, Message = "Index reconciliation is disabled (IndexReconciliation.Enabled = false).")]
    private static partial void LogDisabled(ILogger logger);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerReconciled, Level = LogLevel.Debug, Message = "Index reconciled: {KeysScanned} keys scanned, {Rooms} rooms, {Users} users, {Admins} admins, {Removed} stale entries removed.")]
    private static partial void LogReconciled(ILogger logger, long keysScanned, int rooms, int users, int admins, int removed);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerFailed, Level = LogLevel.Warning, Message = "Index reconciliation failed; retrying every {Interval}.")]
    private static partial void LogFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerStillFailing, Level = LogLevel.Debug, Message = "Index reconciliation still failing: {Reason}")]
    private static partial void LogStillFailing(ILogger logger, string reason);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerRecovered, Level = LogLevel.Information, Message = "Index reconciliation works again.")]
    private static partial void LogRecovered(ILogger logger);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerSettingInaccessible, Level = LogLevel.Warning, Message = "Cannot read or change the Redis setting {Setting} ({Reason}); the keyspace notifications are used if the server emits them, otherwise rooms and users other writers create or delete reach the listings at the next reconcile, every {Interval}. Set it on the server (e.g. CONFIG SET notify-keyspace-events K$hgx) for updates within a second.")]
    private static partial void LogSettingInaccessible(ILogger logger, string setting, string reason, TimeSpan interval);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerSettingNotChecked, Level = LogLevel.Information, Message = "Did not check the Redis setting {Setting} ({Reason}); the keyspace notifications are used if the server emits them, otherwise rooms and users other writers create or delete reach the listings at the next reconcile, every {Interval}. Enable allowAdmin on the connection to have it checked at start.")]
    private static partial void LogSettingNotChecked(ILogger logger, string setting, string reason, TimeSpan interval);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerNotificationsOff, Level = LogLevel.Warning, Message = "The Redis setting {Setting} is \"{Flags}\" and lacks \"{Missing}\"; rooms and users other writers create or delete reach the listings at the next reconcile, every {Interval}. Add the flags on the server, or set IndexReconciliation.ConfigureKeyspaceNotifications to let the library add them.")]
    private static partial void LogNotificationsOff(ILogger logger, string setting, string flags, string missing, TimeSpan interval);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerConfigured, Level = LogLevel.Information, Message = "Set the Redis setting {Setting} to \"{Flags}\" (was \"{Previous}\").")]
    private static partial void LogConfigured(ILogger logger, string setting, string flags, string previous);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerClusterWithoutNotifications, Level = LogLevel.Information, Message = "Keyspace notifications are not used on a Redis Cluster (each node emits its own); reconciling every {Interval}.")]
    private static partial void LogClusterWithoutNotifications(ILogger logger, TimeSpan interval);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerSubscribed, Level = LogLevel.Debug, Message = "Subscribed to {Channels}@{Database}__ notifications of room, user and admin keys.")]
    private static partial void LogSubscribed(ILogger logger, string channels, int database);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerApplied, Level = LogLevel.Debug, Message = "Applied {Entries} notified index entries: {Added} added, {Removed} removed.")]
    private static partial void LogApplied(ILogger logger, int entries, long added, long removed);

    [LoggerMessage(EventId = ZnDrawEventIds.ReconcilerApplyFailed, Level = LogLevel.Debug, Message = "Applying {Entries} notified index entries failed ({Reason}); the next reconcile catches up.")]
    private static partial void LogApplyFailed(ILogger logger, int entries, string reason);

    /// <summary>The channel subscriptions (none on a cluster); unsubscribed at host stop.</summary>
    private sealed class Subscription(List<ChannelMessageQueue> queues) : IAsyncDisposable
    {
        public static Subscription None { get; } = new([]);

        public async ValueTask DisposeAsync()
        {
            foreach (ChannelMessageQueue queue in queues)
            {
                try
                {
                    await queue.UnsubscribeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
                {
                    // the connection is already gone: nothing left to unsubscribe
                }
            }
        }
    }
}
