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
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// Durable mode: moves events from the Redis outbox (every shard of it) to the <see cref="IHistorySink"/>.
/// Does nothing in the other modes (and then resolves neither Redis nor the sink).
/// </summary>
/// <remarks>
/// <para>The outbox is a set of shards (<see cref="HistoryOutbox"/>): the stream <see cref="HistoryOptions.StreamKey"/>,
/// the only one under ZnDraw's layout, and under the cluster-safe layout one stream per hash slot in use, listed in the
/// registry set. At start the dispatcher reads the registry and sweeps the 16384 possible shard keys (pipelined
/// <c>EXISTS</c>, in chunks) for shards the registry lost (after a failover), adding them back; while it runs it watches
/// the registry (<c>SCARD</c> every poll, <c>SMEMBERS</c> when the count changes and every few seconds). One server is the
/// one-shard case of the same code.</para>
/// <para>Each dispatcher is a consumer of one consumer group per shard (<c>XGROUP CREATE … MKSTREAM</c>). A poll sends one
/// command per due shard, pipelined: its own pending entries after a restart (<c>XREADGROUP</c> from 0), else entries
/// left idle by a stalled or crashed peer (<c>XAUTOCLAIM</c>, now and then), else new entries (<c>XREADGROUP &gt;</c>).
/// A shard that had nothing is read again after a pause that doubles up to <see cref="HistoryOptions.PollInterval"/>,
/// so idle shards cost little while busy ones are read at once. A poll reads at most a few batches (a long run of each
/// shard rather than a few entries of every shard). The entries of a poll go to the sink in batches of at most
/// <see cref="HistoryOptions.BatchSize"/>, retried with exponential backoff until the sink succeeds; only then are they
/// acknowledged (<c>XACK</c>, per shard). Now and then each shard that delivered is trimmed below its oldest entry
/// still pending (<c>XTRIM MINID</c>). The next poll is read and parsed while the sink stores the current one (a pipeline
/// of one): polls still reach the sink one at a time, and each shard's entries in stream order.</para>
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
    private static readonly TimeSpan RegistryRefresh = TimeSpan.FromSeconds(5);
    private const int SweepChunk = 1024;
    private const int PollBatches = 8;

    private readonly IServiceProvider _services;
    private readonly HistoryOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _consumer;
    private readonly HistoryOutbox _outbox;
    private readonly List<Shard> _shards = [];
    private readonly HashSet<int> _knownSlots = [];
    private long _registryCount = -1;
    private long _lastRegistryRead;

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
        _outbox = new HistoryOutbox(_options.StreamKey);
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
    /// On a graceful stop, removes this consumer from each shard's group when it holds no pending entries there, so
    /// that per-process consumer names do not pile up. A consumer with pending entries stays: deleting
    /// it would drop them from the group's pending list, and a peer must reclaim them instead.
    /// </summary>
    private async Task LeaveGroupAsync(IDatabase database)
    {
        var infos = _shards.ConvertAll(s => (Shard: s, Info: database.StreamConsumerInfoAsync(s.Key, _options.ConsumerGroup)));
        var leaving = new List<(Shard Shard, Task Delete)>();
        foreach (var (shard, info) in infos)
        {
            try
            {
                var consumers = await info.ConfigureAwait(false);
                if (Array.Exists(consumers, c => c.Name == _consumer && c.PendingMessageCount == 0))
                {
                    leaving.Add((shard, database.StreamDeleteConsumerAsync(shard.Key, _options.ConsumerGroup, _consumer)));
                }
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                HistoryLog.AckFailed(_logger, Reported(ex), shard.Name);
            }
        }

        foreach (var (shard, delete) in leaving)
        {
            try
            {
                await delete.ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                HistoryLog.AckFailed(_logger, Reported(ex), shard.Name);
            }
        }
    }

    private async Task RunAsync(IDatabase database, IHistorySink sink, CancellationToken ct)
    {
        await RetryRedisAsync(() => DiscoverAsync(database), ct).ConfigureAwait(false);
        HistoryLog.DispatcherStarted(_logger, _consumer, _outbox.Name, _options.ConsumerGroup);

        var lastTrim = _time.GetTimestamp();
        var failures = 0;
        Task<List<int>>? sweep = SweepAsync(database, [.. _knownSlots]);

        // A pipeline of one: the next poll is read and parsed while the sink stores the current one.
        // Polls still reach the sink one at a time and in order, and each entry is acknowledged only after
        // the sink committed it; a stop leaves the poll in flight and the one read ahead pending.
        Task delivering = Task.CompletedTask;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                Poll poll;
                try
                {
                    if (sweep is { IsCompleted: true } swept)
                    {
                        sweep = null;
                        try
                        {
                            await MergeSweptAsync(database, await swept.ConfigureAwait(false), ct).ConfigureAwait(false);
                        }
                        catch (Exception ex) when (IsRedisFailure(ex))
                        {
                            // Redis unreachable: the sweep runs again, and the failure goes through the backoff below.
                            sweep = SweepAsync(database, [.. _knownSlots]);
                            throw;
                        }
                    }

                    await RefreshShardsAsync(database, ct).ConfigureAwait(false);

                    // No reclaiming while a poll of ours is in flight: its entries are pending under this consumer and,
                    // behind a slow sink, idle long enough to be claimed back and delivered twice.
                    poll = await ReadAsync(database, canClaim: delivering.IsCompleted, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (IsRedisFailure(ex) && !ct.IsCancellationRequested)
                {
                    var delay = Backoff(++failures);
                    HistoryLog.OutboxUnavailable(_logger, Reported(ex), _outbox.Name, delay);
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                    continue;
                }

                if (poll.Failure is null)
                {
                    failures = 0;
                }

                if (poll.Count == 0 && !delivering.IsCompleted)
                {
                    // Caught up while the last poll is being stored: wait for it, then read again at once.
                    var done = delivering;
                    delivering = Task.CompletedTask;
                    await done.ConfigureAwait(false);
                    continue;
                }

                if (poll.Count > 0)
                {
                    var previous = delivering;
                    delivering = Task.CompletedTask;
                    await previous.ConfigureAwait(false);
                    // On the thread pool: a sink that completes synchronously (SQLite) must not block the next read.
                    delivering = Task.Run(() => DeliverAsync(database, sink, poll.Parts, ct), CancellationToken.None);
                }

                if (_time.GetElapsedTime(lastTrim) >= _options.TrimInterval)
                {
                    await TrimAsync(database, ct).ConfigureAwait(false);
                    lastTrim = _time.GetTimestamp();
                }

                if (poll.Failure is { } failure)
                {
                    // Some shards could not be read (their node is down or failing over): the others were, and are
                    // being delivered; pause before the next poll.
                    var delay = Backoff(++failures);
                    HistoryLog.OutboxUnavailable(_logger, Reported(failure), _outbox.Name, delay);
                    await Task.Delay(delay, _time, ct).ConfigureAwait(false);
                }
                else if (poll.Count == 0)
                {
                    await Task.Delay(NextDue(), _time, ct).ConfigureAwait(false);
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

    /// <summary>How long until the first shard is due again (at least the shortest pause, at most the poll interval).</summary>
    private TimeSpan NextDue()
    {
        var now = _time.GetTimestamp();
        var wait = _options.PollInterval;
        foreach (var shard in _shards)
        {
            if (!shard.GroupReady)
            {
                continue;
            }

            var ticks = (shard.NextRead - now) * TimeSpan.TicksPerSecond / _time.TimestampFrequency;
            if (ticks < wait.Ticks)
            {
                wait = TimeSpan.FromTicks(Math.Max(ticks, 0));
            }
        }

        return wait < MinPoll ? MinPoll : wait;
    }

    /// <summary>At start: the base stream and the registered shards, each with the group.</summary>
    private async Task DiscoverAsync(IDatabase database)
    {
        if (_shards.Count == 0)
        {
            _shards.Add(new Shard(_outbox.StreamKey, -1, _time.GetTimestamp()));
        }

        await ReadRegistryAsync(database).ConfigureAwait(false);
        await EnsureGroupsAsync(database).ConfigureAwait(false);
    }

    /// <summary>
    /// The shards the registry lost (after a failover): a pipelined <c>EXISTS</c> over the 16384 candidate keys, in chunks,
    /// for the slots not in <paramref name="known"/>. A fixed, bounded cost independent of the key space (a <c>SCAN</c>
    /// would walk every key of every primary). Runs beside the first polls, so it delays no delivery.
    /// </summary>
    private async Task<List<int>> SweepAsync(IDatabase database, HashSet<int> known)
    {
        var swept = new List<int>();
        var checks = new Task<bool>[SweepChunk];
        for (var first = 0; first < OutboxSlots.Count; first += SweepChunk)
        {
            for (var i = 0; i < SweepChunk; i++)
            {
                checks[i] = known.Contains(first + i) ? Task.FromResult(false) : database.KeyExistsAsync(_outbox.ShardKey(first + i));
            }

            for (var i = 0; i < SweepChunk; i++)
            {
                if (await checks[i].ConfigureAwait(false))
                {
                    swept.Add(first + i);
                }
            }
        }

        return swept;
    }

    /// <summary>Takes the shards the sweep found: registered again (so that later dispatchers find them), then consumed.</summary>
    private async Task MergeSweptAsync(IDatabase database, List<int> swept, CancellationToken ct)
    {
        var added = swept.FindAll(s => !_knownSlots.Contains(s));
        if (added.Count > 0)
        {
            await database.SetAddAsync(_outbox.RegistryKey, added.ConvertAll(s => (RedisValue)s).ToArray()).WaitAsync(ct).ConfigureAwait(false);
            foreach (var slot in added)
            {
                AddShard(slot);
            }

            await EnsureGroupsAsync(database).WaitAsync(ct).ConfigureAwait(false);
        }

        HistoryLog.ShardsFound(_logger, _consumer, _shards.Count, added.Count);
    }

    /// <summary>Picks up shards registered since the last poll (<c>SCARD</c>, and <c>SMEMBERS</c> when it changed or now and then).</summary>
    private async Task RefreshShardsAsync(IDatabase database, CancellationToken ct)
    {
        var count = await database.SetLengthAsync(_outbox.RegistryKey).WaitAsync(ct).ConfigureAwait(false);
        if (count != _registryCount || _time.GetElapsedTime(_lastRegistryRead) >= RegistryRefresh)
        {
            await ReadRegistryAsync(database).WaitAsync(ct).ConfigureAwait(false);
        }

        if (_shards.Exists(s => !s.GroupReady))
        {
            await EnsureGroupsAsync(database).WaitAsync(ct).ConfigureAwait(false);
        }
    }

    private async Task ReadRegistryAsync(IDatabase database)
    {
        var members = await database.SetMembersAsync(_outbox.RegistryKey).ConfigureAwait(false);
        _registryCount = members.Length;
        _lastRegistryRead = _time.GetTimestamp();
        foreach (var member in members)
        {
            if (member.TryParse(out int slot) && slot is >= 0 and < OutboxSlots.Count)
            {
                AddShard(slot);
            }
        }
    }

    private void AddShard(int slot)
    {
        if (_knownSlots.Add(slot))
        {
            _shards.Add(new Shard(_outbox.ShardKey(slot), slot, _time.GetTimestamp()));
        }
    }

    /// <summary>Creates the group on every shard that may lack it (pipelined <c>XGROUP CREATE … MKSTREAM</c>; an existing group is fine).</summary>
    private async Task EnsureGroupsAsync(IDatabase database)
    {
        var creating = new List<(Shard Shard, Task<bool> Create)>();
        foreach (var shard in _shards)
        {
            if (!shard.GroupReady)
            {
                creating.Add((shard, database.StreamCreateConsumerGroupAsync(shard.Key, _options.ConsumerGroup, StreamPosition.Beginning, createStream: true)));
            }
        }

        Exception? failure = null;
        foreach (var (shard, create) in creating)
        {
            try
            {
                await create.ConfigureAwait(false);
                shard.GroupReady = true;
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
            {
                shard.GroupReady = true; // another dispatcher (or an earlier run) created it
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                failure ??= ex;
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>One poll: a command per due shard, all pipelined; each shard's entries in stream order.</summary>
    private async Task<Poll> ReadAsync(IDatabase database, bool canClaim, CancellationToken ct)
    {
        var now = _time.GetTimestamp();
        var due = _shards.FindAll(s => s.GroupReady && s.NextRead <= now);
        if (due.Count == 0)
        {
            return Poll.Empty;
        }

        // Together at most PollBatches batches: a busy shard alone reads a whole batch, many shards a share each (at least
        // one). Several batches per poll keep each shard's share long, so a sink batch holds long runs of consecutive
        // events (cheap for the sink's index) rather than a few events of every shard.
        var count = Math.Clamp(((_options.BatchSize * PollBatches) + due.Count - 1) / due.Count, 1, _options.BatchSize);
        var reads = new Task[due.Count];
        var kinds = new ReadKind[due.Count];
        for (var i = 0; i < due.Count; i++)
        {
            var shard = due[i];
            if (!shard.OwnPending.IsNull)
            {
                kinds[i] = ReadKind.OwnPending;
                reads[i] = database.StreamReadGroupAsync(shard.Key, _options.ConsumerGroup, _consumer, shard.OwnPending, count);
            }
            else if (canClaim && now >= shard.NextClaim)
            {
                kinds[i] = ReadKind.Claim;
                reads[i] = database.StreamAutoClaimAsync(
                    shard.Key, _options.ConsumerGroup, _consumer, (long)_options.ClaimIdleTime.TotalMilliseconds, shard.ClaimCursor, count);
            }
            else
            {
                kinds[i] = ReadKind.New;
                reads[i] = database.StreamReadGroupAsync(shard.Key, _options.ConsumerGroup, _consumer, StreamPosition.NewMessages, count);
            }
        }

        try
        {
            await Task.WhenAll(reads).WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Looked at per shard below.
        }

        var parts = new List<Part>();
        var total = 0;
        Exception? failure = null;
        for (var i = 0; i < due.Count; i++)
        {
            var shard = due[i];
            StreamEntry[] entries;
            try
            {
                entries = kinds[i] == ReadKind.Claim
                    ? Claimed(shard, await ((Task<StreamAutoClaimResult>)reads[i]).ConfigureAwait(false))
                    : await ((Task<StreamEntry[]>)reads[i]).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                // The shard or its group is gone (deleted, or lost in a failover): create it again at the next poll.
                shard.GroupReady = false;
                shard.OwnPending = "0";
                continue;
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                // The read may have run: whatever it handed to this consumer is read again from the pending list.
                shard.OwnPending = "0";
                failure ??= ex;
                continue;
            }

            switch (kinds[i])
            {
                case ReadKind.OwnPending:
                    shard.OwnPending = entries.Length == 0 ? RedisValue.Null : entries[^1].Id;
                    break;
                case ReadKind.New when entries.Length == 0:
                    shard.Idle = TimeSpan.FromTicks(Math.Min(shard.Idle.Ticks * 2, _options.PollInterval.Ticks));
                    shard.NextRead = now + (long)(shard.Idle.TotalSeconds * _time.TimestampFrequency);
                    break;
                case ReadKind.New:
                    shard.Idle = MinPoll;
                    break;
            }

            if (entries.Length > 0)
            {
                parts.Add(new Part(shard, entries, Parse(shard, entries)));
                total += entries.Length;
            }
        }

        return new Poll(parts, total, failure);
    }

    private StreamEntry[] Claimed(Shard shard, StreamAutoClaimResult claimed)
    {
        var entries = claimed.ClaimedEntries ?? [];
        shard.ClaimCursor = claimed.NextStartId;
        if (shard.ClaimCursor.IsNullOrEmpty || shard.ClaimCursor == "0-0")
        {
            shard.ClaimCursor = "0-0";
            shard.NextClaim = _time.GetTimestamp() + (long)(_options.ClaimIdleTime.TotalSeconds / 2 * _time.TimestampFrequency);
        }

        if (entries.Length > 0)
        {
            HistoryMetrics.Reclaimed.Add(entries.Length);
            HistoryLog.Reclaimed(_logger, _consumer, entries.Length);
        }

        return entries;
    }

    /// <summary>The events of a shard's entries; unreadable entries are logged, counted and left out (they are acknowledged with the batch).</summary>
    private List<HistoryEvent> Parse(Shard shard, StreamEntry[] entries)
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
                HistoryLog.PoisonEntry(_logger, ex, shard.Name + " " + entries[i].Id.ToString());
            }
        }

        return events;
    }

    /// <summary>Hands a poll to the sink in batches of at most <see cref="HistoryOptions.BatchSize"/> events, each acknowledged once stored.</summary>
    private async Task DeliverAsync(IDatabase database, IHistorySink sink, List<Part> parts, CancellationToken ct)
    {
        var batch = new List<Part>();
        var events = 0;
        foreach (var part in parts)
        {
            if (events > 0 && events + part.Events.Count > _options.BatchSize)
            {
                await DeliverBatchAsync(database, sink, batch, events, ct).ConfigureAwait(false);
                batch.Clear();
                events = 0;
            }

            batch.Add(part);
            events += part.Events.Count;
        }

        if (batch.Count > 0)
        {
            await DeliverBatchAsync(database, sink, batch, events, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Stores a batch (retrying until the sink succeeds or the dispatcher stops), then acknowledges it, shard by shard (pipelined).</summary>
    private async Task DeliverBatchAsync(IDatabase database, IHistorySink sink, List<Part> batch, int count, CancellationToken ct)
    {
        using var op = StorageOperation.Start("history.deliver", DbSystem.Of(sink));
        try
        {
            if (count > 0)
            {
                List<HistoryEvent> events;
                if (batch.Count == 1)
                {
                    events = batch[0].Events;
                }
                else
                {
                    events = new List<HistoryEvent>(count);
                    foreach (var part in batch)
                    {
                        events.AddRange(part.Events);
                    }

                    // Shards interleave in time: in event id order (time first) the sink's unique index takes the batch at
                    // its end, as it does one shard's entries, instead of at as many places as there are shards.
                    events.Sort(static (x, y) => string.CompareOrdinal(x.EventId, y.EventId));
                }

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

            // Not cancellable on purpose: the batch is stored, acknowledging it saves a redelivery.
            var acks = new Task[batch.Count];
            for (var p = 0; p < batch.Count; p++)
            {
                var entries = batch[p].Entries;
                var ids = new RedisValue[entries.Length];
                for (var i = 0; i < entries.Length; i++)
                {
                    ids[i] = entries[i].Id;
                }

                acks[p] = database.StreamAcknowledgeAsync(batch[p].Shard.Key, _options.ConsumerGroup, ids);
            }

            for (var p = 0; p < batch.Count; p++)
            {
                try
                {
                    await acks[p].ConfigureAwait(false);
                    batch[p].Shard.Delivered = true;
                }
                catch (Exception ex) when (IsRedisFailure(ex))
                {
                    HistoryLog.AckFailed(_logger, Reported(ex), batch[p].Shard.Name);
                }
            }
        }
        catch (Exception ex) when (op.RecordFailure(ex))
        {
            throw;
        }
    }

    /// <summary>
    /// Removes, in each shard that delivered since the last trim, the entries every dispatcher has acknowledged: all below
    /// the oldest pending one (or up to the last delivered one). The reads of all shards are pipelined, then the trims.
    /// </summary>
    private async Task TrimAsync(IDatabase database, CancellationToken ct)
    {
        var shards = _shards.FindAll(s => s.Delivered);
        if (shards.Count == 0)
        {
            return;
        }

        var reads = new List<(Shard Shard, Task<StreamPendingInfo> Pending, Task<StreamGroupInfo[]> Groups)>(shards.Count);
        foreach (var shard in shards)
        {
            shard.Delivered = false; // an acknowledgement from now on marks it again
            reads.Add((shard, database.StreamPendingAsync(shard.Key, _options.ConsumerGroup), database.StreamGroupInfoAsync(shard.Key)));
        }

        var trims = new List<(Shard Shard, Task Trim)>(shards.Count);
        foreach (var (shard, pendingTask, groupsTask) in reads)
        {
            try
            {
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
                        continue;
                    }

                    minId = next;
                }

                trims.Add((shard, database.StreamTrimByMinIdAsync(shard.Key, minId)));
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                HistoryLog.AckFailed(_logger, Reported(ex), shard.Name);
            }
        }

        foreach (var (shard, trim) in trims)
        {
            try
            {
                await trim.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsRedisFailure(ex))
            {
                HistoryLog.AckFailed(_logger, Reported(ex), shard.Name);
            }
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

    private async Task RetryRedisAsync(Func<Task> action, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await action().WaitAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (IsRedisFailure(ex) && !ct.IsCancellationRequested)
            {
                var delay = Backoff(attempt);
                HistoryLog.OutboxUnavailable(_logger, Reported(ex), _outbox.Name, delay);
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

    private enum ReadKind
    {
        New,
        OwnPending,
        Claim,
    }

    /// <summary>One shard of the outbox and where this dispatcher stands in it.</summary>
    private sealed class Shard(RedisKey key, int slot, long now)
    {
        public RedisKey Key { get; } = key;

        /// <summary>The hash slot, or -1 for the base stream.</summary>
        public int Slot { get; } = slot;

        public string Name { get; } = key.ToString() ?? string.Empty;

        /// <summary>False until the group exists on this shard (created at discovery, again after <c>NOGROUP</c>).</summary>
        public bool GroupReady { get; set; }

        /// <summary>The next own pending entry to read again (from 0 at start: a restart under a fixed consumer name), or null.</summary>
        public RedisValue OwnPending { get; set; } = "0";

        public RedisValue ClaimCursor { get; set; } = "0-0";

        public long NextClaim { get; set; } = now;

        public long NextRead { get; set; } = now;

        public TimeSpan Idle { get; set; } = MinPoll;

        /// <summary>Something was acknowledged since the last trim (set by the delivery, cleared by the trim).</summary>
        public bool Delivered
        {
            get => Volatile.Read(ref _delivered);
            set => Volatile.Write(ref _delivered, value);
        }

        private bool _delivered;
    }

    /// <summary>The entries one shard gave in a poll, and their events.</summary>
    private sealed record Part(Shard Shard, StreamEntry[] Entries, List<HistoryEvent> Events);

    /// <summary>What a poll read: the parts, their entry count, and the first failure of a shard that could not be read.</summary>
    private sealed record Poll(List<Part> Parts, int Count, Exception? Failure)
    {
        public static Poll Empty { get; } = new([], 0, null);
    }

    /// <summary>
    /// A failure of Redis or of the connection to it (<see cref="RedisErrors.IsClientFailure"/>, which also knows the
    /// transport faults StackExchange.Redis 2.x lets through, or a timeout): the dispatcher backs off and tries again.
    /// </summary>
    /// <summary>
    /// What a failure is logged as: a refused command (NOPERM, an ACL rule without a permission the outbox needs) as the
    /// <see cref="StoragePermissionException"/> that names the command and the feature set, anything else as it is.
    /// </summary>
    private static Exception Reported(Exception exception) =>
        RedisErrors.Permission(exception, "deliver durable history", feature: ZnDrawAclFeatures.DurableHistory) ?? exception;

    private static bool IsRedisFailure(Exception exception) => RedisErrors.IsClientFailure(exception) || exception is TimeoutException;
}
