using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// Durable mode: moves events from the Redis outbox stream to the <see cref="IHistorySink"/>.
/// Does nothing in the other modes (and then resolves neither Redis nor the sink).
/// </summary>
/// <remarks>
/// <para>Each dispatcher is a consumer of one consumer group. A cycle: reclaim entries left idle by
/// a stalled or crashed peer (<c>XAUTOCLAIM</c>), otherwise read new entries (<c>XREADGROUP &gt;</c>);
/// hand the batch to the sink, retrying with exponential backoff until it succeeds; only then
/// acknowledge (<c>XACK</c>); now and then trim the stream below the oldest entry still pending
/// (<c>XTRIM MINID</c>). The next batch is read and parsed while the sink stores the current one
/// (a pipeline of one): batches still reach the sink one at a time and in stream order.</para>
/// <para>Delivery is at least once: an entry is acknowledged only after the sink committed it. A
/// dispatcher stopped or crashing between commit and acknowledgement leaves the entry pending; a
/// later dispatcher reclaims it and delivers it again, and the sink's idempotency (one row per event
/// id) makes the stored result exactly once.</para>
/// <para>Telemetry: each batch handed to the sink is a <c>ZnDraw.Storage</c> operation <c>history.deliver</c> (a root
/// span of its own, covering the sink's retries and the acknowledgement; <c>db.system.name</c> is the sink's backend
/// when the sink is one of the library's). Retried sink failures are counted on
/// <c>zndraw.storage.history.sink_failures</c>, not as a failed operation: the batch still arrives.</para>
/// </remarks>
internal sealed class HistoryDispatcher : BackgroundService
{
    private static readonly TimeSpan MinPoll = TimeSpan.FromMilliseconds(5);

    private readonly IServiceProvider _services;
    private readonly HistoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisKey _stream;
    private readonly string _consumer;
    private readonly HistoryOutbox _outbox;

    public HistoryDispatcher(
        IServiceProvider services,
        IOptions<HistoryOptions> options,
        TimeProvider? timeProvider = null,
        ILogger<HistoryDispatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options.Value;
        _time = timeProvider ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _stream = _options.StreamKey;
        _outbox = new HistoryOutbox(_stream);
        _consumer = _options.ConsumerName ?? string.Create(
            CultureInfo.InvariantCulture, $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}");
    }

    /// <summary>This dispatcher's consumer name in the group.</summary>
    public string ConsumerName => _consumer;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sink = _services.GetService<IHistorySink>();
        if (_options.Mode != HistoryMode.Durable || sink is null)
        {
            return;
        }

        IDatabase database;
        if (_services.GetService<ZnDrawConnection>() is { } connection)
        {
            // The library's connection (the host's multiplexer when it registered one) and the database the outbox is
            // written to. While Redis is down (a host started without it) wait quietly instead of warning per retry.
            try
            {
                await connection.WaitUntilConnectedAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            database = _services.GetRequiredService<RedisStoreContext>().Database;
        }
        else
        {
            database = _services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        }

        Activity.Current = null; // each batch is a trace of its own, not a child of whatever started the host
        try
        {
            await RunAsync(database, sink, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever was read and not acknowledged stays pending for the next dispatcher.
        }

        await LeaveGroupAsync(database).ConfigureAwait(false);
    }

    /// <summary>
    /// On a graceful stop, removes this consumer from the group when it holds no pending entries, so
    /// that per-process consumer names do not pile up. A consumer with pending entries stays: deleting
    /// it would drop them from the group's pending list, and a peer must reclaim them instead.
    /// </summary>
    private async Task LeaveGroupAsync(IDatabase database)
    {
        try
        {
            var consumers = await database.StreamConsumerInfoAsync(_stream, _options.ConsumerGroup).ConfigureAwait(false);
            if (Array.Exists(consumers, c => c.Name == _consumer && c.PendingMessageCount == 0))
            {
                await database.StreamDeleteConsumerAsync(_stream, _options.ConsumerGroup, _consumer).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            HistoryLog.AckFailed(_logger, ex, _stream.ToString() ?? string.Empty);
        }
    }

    private async Task RunAsync(IDatabase database, IHistorySink sink, CancellationToken ct)
    {
        await RetryRedisAsync(() => EnsureGroupAsync(database), ct).ConfigureAwait(false);
        HistoryLog.DispatcherStarted(_logger, _consumer, _stream.ToString() ?? string.Empty, _options.ConsumerGroup);

        RedisValue ownPending = "0"; // first our own pending entries (a restart under a fixed consumer name)
        RedisValue claimCursor = "0-0";
        var nextClaim = _time.GetTimestamp();
        var lastTrim = _time.GetTimestamp();
        var idle = MinPoll;
        var failures = 0;

        // A pipeline of one: the next batch is read and parsed while the sink stores the current one.
        // Batches still reach the sink one at a time and in order, and each is acknowledged only after
        // the sink committed it; a stop leaves the batch in flight and the one read ahead pending.
        Task delivering = Task.CompletedTask;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                StreamEntry[] entries;
                try
                {
                    entries = [];
                    if (!ownPending.IsNull)
                    {
                        entries = await database.StreamReadGroupAsync(_stream, _options.ConsumerGroup, _consumer, ownPending, _options.BatchSize)
                            .WaitAsync(ct).ConfigureAwait(false);
                        if (entries.Length == 0)
                        {
                            ownPending = RedisValue.Null;
                        }
                        else
                        {
                            ownPending = entries[^1].Id;
                        }
                    }

                    // Not while a batch of ours is in flight: its entries are pending under this consumer and, behind
                    // a slow sink, idle long enough to be claimed back and delivered twice.
                    if (entries.Length == 0 && delivering.IsCompleted && _time.GetTimestamp() >= nextClaim)
                    {
                        var claimed = await database.StreamAutoClaimAsync(
                                _stream, _options.ConsumerGroup, _consumer, (long)_options.ClaimIdleTime.TotalMilliseconds, claimCursor, _options.BatchSize)
                            .WaitAsync(ct).ConfigureAwait(false);
                        entries = claimed.ClaimedEntries ?? [];
                        claimCursor = claimed.NextStartId;
                        if (claimCursor.IsNullOrEmpty || claimCursor == "0-0")
                        {
                            claimCursor = "0-0";
                            nextClaim = _time.GetTimestamp() + (long)(_options.ClaimIdleTime.TotalSeconds / 2 * _time.TimestampFrequency);
                        }

                        if (entries.Length > 0)
                        {
                            HistoryMetrics.Reclaimed.Add(entries.Length);
                            HistoryLog.Reclaimed(_logger, _consumer, entries.Length);
                        }
                    }

                    if (entries.Length == 0)
                    {
                        entries = await database.StreamReadGroupAsync(_stream, _options.ConsumerGroup, _consumer, StreamPosition.NewMessages, _options.BatchSize)
                            .WaitAsync(ct).ConfigureAwait(false);
                    }

                    failures = 0;
                }
                catch (Exception ex) when (ex is RedisException or TimeoutException && !ct.IsCancellationRequested)
                {
                    var delay = Backoff(++failures);
                    HistoryLog.OutboxUnavailable(_logger, ex, _stream.ToString() ?? string.Empty, delay);
                    if (ex is RedisServerException { Message: var m } && m.StartsWith("NOGROUP", StringComparison.Ordinal))
                    {
                        await RetryRedisAsync(() => EnsureGroupAsync(database), ct).ConfigureAwait(false);
                    }

                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                    continue;
                }

                if (entries.Length == 0 && !delivering.IsCompleted)
                {
                    // Caught up while the last batch is being stored: wait for it, then read again at once.
                    var done = delivering;
                    delivering = Task.CompletedTask;
                    await done.ConfigureAwait(false);
                    continue;
                }

                if (entries.Length == 0)
                {
                    if (_time.GetElapsedTime(lastTrim) >= _options.TrimInterval)
                    {
                        await TrimAsync(database, ct).ConfigureAwait(false);
                        lastTrim = _time.GetTimestamp();
                    }

                    await Task.Delay(idle, _time, ct).ConfigureAwait(false);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, _options.PollInterval.Ticks));
                    continue;
                }

                idle = MinPoll;
                var events = Parse(entries);
                var previous = delivering;
                delivering = Task.CompletedTask;
                await previous.ConfigureAwait(false);
                // On the thread pool: a sink that completes synchronously (SQLite) must not block the next read.
                delivering = Task.Run(() => DeliverAsync(database, sink, entries, events, ct), CancellationToken.None);
                if (_time.GetElapsedTime(lastTrim) >= _options.TrimInterval)
                {
                    await TrimAsync(database, ct).ConfigureAwait(false);
                    lastTrim = _time.GetTimestamp();
                }
            }
        }
        finally
        {
            try
            {
                await delivering.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
        }
    }

    /// <summary>The events of a batch; unreadable entries are logged, counted and left out (they are acknowledged with the batch).</summary>
    private List<HistoryEvent> Parse(StreamEntry[] entries)
    {
        var events = new List<HistoryEvent>(entries.Length);
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].IsNull || entries[i].Values is null || entries[i].Values.Length == 0)
            {
                continue; // trimmed or deleted while pending: nothing to deliver, acknowledge it
            }

            try
            {
                events.Add(_outbox.Parse(entries[i]));
            }
            catch (StorageDataException ex)
            {
                HistoryMetrics.PoisonEntries.Add(1);
                HistoryLog.PoisonEntry(_logger, ex, entries[i].Id.ToString());
            }
        }

        return events;
    }

    /// <summary>Stores a batch (retrying until the sink succeeds or the dispatcher stops), then acknowledges it.</summary>
    private async Task DeliverAsync(IDatabase database, IHistorySink sink, StreamEntry[] entries, List<HistoryEvent> events, CancellationToken ct)
    {
        using var op = StorageOperation.Start("history.deliver", DbSystem.Of(sink));
        try
        {
            var ids = new RedisValue[entries.Length];
            for (var i = 0; i < entries.Length; i++)
            {
                ids[i] = entries[i].Id;
            }

            if (events.Count > 0)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        await sink.WriteAsync(events, ct).ConfigureAwait(false);
                        break;
                    }
                    catch (Exception ex) when (!ct.IsCancellationRequested)
                    {
                        HistoryMetrics.SinkFailures.Add(1);
                        var delay = Backoff(attempt);
                        HistoryLog.BatchFailed(_logger, ex, events.Count, delay);
                        await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                    }
                }

                HistoryMetrics.Delivered.Add(events.Count);
                HistoryLog.Delivered(_logger, events.Count);
            }

            try
            {
                // Not cancellable on purpose: the batch is stored, acknowledging it saves a redelivery.
                await database.StreamAcknowledgeAsync(_stream, _options.ConsumerGroup, ids).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                HistoryLog.AckFailed(_logger, ex, _stream.ToString() ?? string.Empty);
            }
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>Removes entries every dispatcher has acknowledged: all below the oldest pending one (or up to the last delivered one).</summary>
    private async Task TrimAsync(IDatabase database, CancellationToken ct)
    {
        try
        {
            var pendingTask = database.StreamPendingAsync(_stream, _options.ConsumerGroup);
            var groupsTask = database.StreamGroupInfoAsync(_stream);
            var pending = await pendingTask.WaitAsync(ct).ConfigureAwait(false);
            var groups = await groupsTask.WaitAsync(ct).ConfigureAwait(false);

            RedisValue minId;
            if (pending.PendingMessageCount > 0)
            {
                minId = pending.LowestPendingMessageId;
            }
            else
            {
                var group = Array.Find(groups, g => g.Name == _options.ConsumerGroup);
                if (group.LastDeliveredId is null || !TryNext(group.LastDeliveredId, out var next))
                {
                    return;
                }

                minId = next;
            }

            await database.StreamTrimByMinIdAsync(_stream, minId).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            HistoryLog.AckFailed(_logger, ex, _stream.ToString() ?? string.Empty);
        }
    }

    /// <summary>The stream id right after <paramref name="id"/> (<c>ms-seq</c> to <c>ms-(seq+1)</c>).</summary>
    internal static bool TryNext(string id, out string next)
    {
        next = string.Empty;
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !ulong.TryParse(id.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            || !ulong.TryParse(id.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)
            || (ms == 0 && seq == 0))
        {
            return false;
        }

        next = seq == ulong.MaxValue
            ? string.Create(CultureInfo.InvariantCulture, $"{ms + 1}-0")
            : string.Create(CultureInfo.InvariantCulture, $"{ms}-{seq + 1}");
        return true;
    }

    private async Task EnsureGroupAsync(IDatabase database)
    {
        try
        {
            await database.StreamCreateConsumerGroupAsync(_stream, _options.ConsumerGroup, StreamPosition.Beginning, createStream: true).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // The group exists: another dispatcher (or an earlier run) created it.
        }
    }

    private async Task RetryRedisAsync(Func<Task> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action().WaitAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException && !ct.IsCancellationRequested)
            {
                var delay = Backoff(attempt);
                HistoryLog.OutboxUnavailable(_logger, ex, _stream.ToString() ?? string.Empty, delay);
                await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Exponential backoff with ±20 % jitter, capped at <see cref="HistoryOptions.RetryMaxDelay"/>.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var baseTicks = _options.RetryInitialDelay.Ticks * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(baseTicks, _options.RetryMaxDelay.Ticks);
#pragma warning disable CA5394 // Jitter, not security.
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
#pragma warning restore CA5394
        return TimeSpan.FromTicks((long)Math.Min(capped * jitter, _options.RetryMaxDelay.Ticks));
    }
}
