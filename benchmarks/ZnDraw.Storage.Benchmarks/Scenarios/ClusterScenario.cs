using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// What the Redis Cluster costs and gives (informational on a 2-core machine, where the client and all six nodes share
/// the cores): 64 concurrent callers on the 3-primary cluster against one server; the cost of
/// <see cref="ZnDrawReplicationOptions.WaitForReplicas"/> = 1 on a lock acquire (paired against 0); and the time until
/// every slot serves writes again after a primary of the dedicated failover cluster is SIGKILLed.
/// </summary>
internal static class ClusterScenario
{
    /// <summary>The dedicated failover cluster (node timeout 1 s) that scripts/bench.sh starts.</summary>
    public const string FailoverVariable = "ZNDRAW_REDIS_CLUSTER_FAILOVER";

    private const int SlotCount = 16384;
    private static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(5);

    public static async Task<List<ScenarioResult>> RunAsync(ScenarioSizes sizes)
    {
        var results = new List<ScenarioResult>();
        if (!BenchmarkCluster.Available)
        {
            Console.WriteLine($"cluster scenarios: skipped ({BenchmarkCluster.EnvironmentVariable} is not set)");
            return results;
        }

        results.AddRange(await ThroughputAsync(sizes).ConfigureAwait(false));
        results.Add(await WaitCostAsync(sizes).ConfigureAwait(false));
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(FailoverVariable)))
        {
            Console.WriteLine($"failover scenario: skipped ({FailoverVariable} is not set)");
        }
        else
        {
            results.Add(await FailoverAsync().ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>
    /// 64 callers, each on a room of its own (so the rooms spread over the cluster's slots), through one multiplexer:
    /// room get and lock acquire+release, on the 3-primary cluster against one server, both in the cluster-safe layout
    /// (the same commands), in ABBA blocks of rounds.
    /// </summary>
    private static async Task<List<ScenarioResult>> ThroughputAsync(ScenarioSizes sizes)
    {
        var space = new KeySpace(null, KeyLayout.ClusterSafe);
        var one = new RedisStoreContext(BenchmarkRedis.Connection, space, database: BenchmarkRedis.MainDb);
        var cluster = BenchmarkCluster.Context();
        string[] rooms = [.. Enumerable.Range(0, ThroughputScenario.Callers).Select(i => "bench-cluster-tp-" + i.ToString(CultureInfo.InvariantCulture))];
        foreach (RedisStoreContext context in new[] { one, cluster })
        {
            var repository = new RoomRepository(context);
            foreach (string room in rooms)
            {
                await repository.CreateAsync(room, "throughput").ConfigureAwait(false);
            }
        }

        Func<Task> RoomGet(RedisStoreContext context)
        {
            var repository = new RoomRepository(context);
            int next = -1;
            return async () => await repository.GetByIdAsync(rooms[(uint)Interlocked.Increment(ref next) % rooms.Length]).ConfigureAwait(false);
        }

        Func<Task> LockCycle(RedisStoreContext context)
        {
            var locks = new LockRepository(context);
            int next = -1;
            return async () =>
            {
                int i = Interlocked.Increment(ref next);
                string room = rooms[(uint)i % rooms.Length];
                string target = "t" + ((uint)i % 1024).ToString(CultureInfo.InvariantCulture);
                if (await locks.AcquireAsync(room, target, "bench", LockTtl).ConfigureAwait(false))
                {
                    await locks.ReleaseAsync(room, target, "bench").ConfigureAwait(false);
                }
            };
        }

        int blocks = Math.Max(1, sizes.ThroughputRounds / 2);
        return
        [
            await CompareAsync("64 callers: Room.GetById, 3-primary cluster vs one server", RoomGet(one), RoomGet(cluster), sizes.ThroughputRound, blocks).ConfigureAwait(false),
            await CompareAsync("64 callers: lock acquire+release, 3-primary cluster vs one server", LockCycle(one), LockCycle(cluster), sizes.ThroughputRound, blocks).ConfigureAwait(false),
        ];
    }

    private static async Task<ScenarioResult> CompareAsync(string name, Func<Task> oneServer, Func<Task> cluster, TimeSpan round, int blocks)
    {
        await ThroughputScenario.RoundAsync(oneServer, TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
        await ThroughputScenario.RoundAsync(cluster, TimeSpan.FromMilliseconds(300)).ConfigureAwait(false);
        var a = new List<double>();
        var b = new List<double>();
        var ratios = new List<double>();
        for (int i = 0; i < blocks; i++)
        {
            double a1, b1, b2, a2;
            if (i % 2 == 0)
            {
                a1 = await ThroughputScenario.RoundAsync(oneServer, round).ConfigureAwait(false);
                b1 = await ThroughputScenario.RoundAsync(cluster, round).ConfigureAwait(false);
                b2 = await ThroughputScenario.RoundAsync(cluster, round).ConfigureAwait(false);
                a2 = await ThroughputScenario.RoundAsync(oneServer, round).ConfigureAwait(false);
            }
            else
            {
                b1 = await ThroughputScenario.RoundAsync(cluster, round).ConfigureAwait(false);
                a1 = await ThroughputScenario.RoundAsync(oneServer, round).ConfigureAwait(false);
                a2 = await ThroughputScenario.RoundAsync(oneServer, round).ConfigureAwait(false);
                b2 = await ThroughputScenario.RoundAsync(cluster, round).ConfigureAwait(false);
            }

            a.AddRange([a1, a2]);
            b.AddRange([b1, b2]);
            ratios.Add((b1 + b2) / (a1 + a2));
        }

        return new ScenarioResult("Cluster", name, ThroughputScenario.Median(b), ThroughputScenario.Median(a), "ops/s",
            string.Create(CultureInfo.InvariantCulture, $"library on both, cluster-safe layout; {ThroughputScenario.Callers} callers, {blocks} ABBA block(s) of 4 rounds of {round.TotalSeconds:0.#} s; cluster ÷ one server (median of blocks) {ThroughputScenario.Median(ratios):0.000}×; 2 cores shared by the client and all nodes: informational"))
        {
            PairedRatio = ThroughputScenario.Median(ratios),
        };
    }

    /// <summary>
    /// Lock acquire on the cluster with <see cref="ZnDrawReplicationOptions.WaitForReplicas"/> = 1 against 0, one caller,
    /// interleaved in ABBA blocks; every call takes a new lock (its own target, TTL 5 s), so each one writes and waits.
    /// </summary>
    private static async Task<ScenarioResult> WaitCostAsync(ScenarioSizes sizes)
    {
        const string Room = "bench-cluster-wait";
        var plain = new LockRepository(BenchmarkCluster.Context());
        var waiting = new LockRepository(BenchmarkCluster.Context(new ZnDrawReplicationOptions { WaitForReplicas = 1, Timeout = TimeSpan.FromSeconds(1) }));
        long next = 0;
        Func<Task> Acquire(LockRepository locks) => async () =>
        {
            string target = "t" + Interlocked.Increment(ref next).ToString(CultureInfo.InvariantCulture);
            if (!await locks.AcquireAsync(Room, target, "bench", LockTtl).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"lock {target} was not free");
            }
        };

        Func<Task> off = Acquire(plain), on = Acquire(waiting);
        const int Block = 16;
        int blocks = sizes.PairedBudget < TimeSpan.FromSeconds(1) ? 15 : 60;
        for (int i = 0; i < 64; i++)
        {
            await off().ConfigureAwait(false);
            await on().ConfigureAwait(false);
        }

        var ratios = new double[blocks];
        var control = new double[blocks];
        var offTimes = new double[blocks];
        var onTimes = new double[blocks];
        for (int b = 0; b < blocks; b++)
        {
            double o1, w1, w2, o2;
            if ((b & 1) == 0)
            {
                o1 = await TimeAsync(off, Block).ConfigureAwait(false);
                w1 = await TimeAsync(on, Block).ConfigureAwait(false);
                w2 = await TimeAsync(on, Block).ConfigureAwait(false);
                o2 = await TimeAsync(off, Block).ConfigureAwait(false);
            }
            else
            {
                w1 = await TimeAsync(on, Block).ConfigureAwait(false);
                o1 = await TimeAsync(off, Block).ConfigureAwait(false);
                o2 = await TimeAsync(off, Block).ConfigureAwait(false);
                w2 = await TimeAsync(on, Block).ConfigureAwait(false);
            }

            ratios[b] = (w1 + w2) / (o1 + o2);
            control[b] = o2 / o1;
            offTimes[b] = (o1 + o2) / (2.0 * Block);
            onTimes[b] = (w1 + w2) / (2.0 * Block);
        }

        double offMicros = Median(offTimes), onMicros = Median(onTimes);
        return new ScenarioResult("Cluster", "lock acquire, WaitForReplicas=1 vs 0 (WAIT cost)", onMicros, offMicros, "µs/call",
            string.Create(CultureInfo.InvariantCulture, $"one caller on the cluster, {blocks} ABBA blocks of {Block} calls; WAIT 1 adds {onMicros - offMicros:0.0} µs per covered call (one more round trip to the same primary); paired ratio {Median(ratios):0.000}×, A/A control {Median(control):0.000}×"))
        {
            PairedRatio = Median(ratios),
        };
    }

    /// <summary>
    /// SIGKILLs the primary serving slot 0 of the dedicated failover cluster (after checking that its pid, read with
    /// INFO server, belongs to a node of that cluster, which scripts/bench.sh started), then writes one key per slot
    /// (16,384 SETs, pipelined) in rounds until a round succeeds on every slot. Reports the time from the kill to the end
    /// of that round. The client fails commands to a lost node at once (BacklogPolicy.FailFast) and re-reads the cluster
    /// layout after a failed round, as a host's retry would find it.
    /// </summary>
    private static async Task<ScenarioResult> FailoverAsync()
    {
        string nodes = Environment.GetEnvironmentVariable(FailoverVariable)!;
        using ConnectionMultiplexer connection = BenchmarkCluster.Connect(nodes, o =>
        {
            o.AbortOnConnectFail = false;
            o.BacklogPolicy = BacklogPolicy.FailFast;
            o.ConnectTimeout = 1000;
            o.AsyncTimeout = 2000;
        });
        IDatabase db = connection.GetDatabase();
        RedisKey[] keys = KeyPerSlot(connection);
        (int failed, _) = await WriteEverySlotAsync(db, keys).ConfigureAwait(false);
        if (failed > 0)
        {
            throw new InvalidOperationException($"failover cluster: {failed} of {SlotCount} writes failed before the kill.");
        }

        IServer victim = connection.GetServer(keys[0]);
        string endpoint = victim.EndPoint.ToString()!.Replace("Unspecified/", string.Empty, StringComparison.Ordinal);
        if (!nodes.Split(',').Any(n => string.Equals(n.Trim(), endpoint, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"failover cluster: the primary {endpoint} is not one of {FailoverVariable}.");
        }

        string info = (await victim.InfoRawAsync("server").ConfigureAwait(false))!;
        int pid = int.Parse(info.Split('\n').Select(l => l.Trim()).First(l => l.StartsWith("process_id:", StringComparison.Ordinal))["process_id:".Length..], CultureInfo.InvariantCulture);
        string port = endpoint[(endpoint.LastIndexOf(':') + 1)..];
        using (Process process = Process.GetProcessById(pid))
        {
            // Only the redis-server of that node (its command line names its port), never anything else.
            string commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
            if (!commandLine.Contains("redis-server", StringComparison.Ordinal) || !commandLine.Contains(":" + port, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"failover cluster: pid {pid} ({commandLine}) is not the node {endpoint}.");
            }

            process.Kill(); // SIGKILL
        }

        var watch = Stopwatch.StartNew();
        int rounds = 0, failedWrites = 0;
        TimeSpan resumed = TimeSpan.Zero;
        while (watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            rounds++;
            (int failures, _) = await WriteEverySlotAsync(db, keys).ConfigureAwait(false);
            if (failures == 0)
            {
                resumed = watch.Elapsed;
                break;
            }

            failedWrites += failures;
            await connection.ConfigureAsync().ConfigureAwait(false);
            await Task.Delay(50).ConfigureAwait(false);
        }

        if (resumed == TimeSpan.Zero)
        {
            throw new InvalidOperationException($"failover cluster: writes did not resume on every slot within 30 s of killing {endpoint}.");
        }

        return new ScenarioResult("Cluster", "time to resume writes on every slot after SIGKILL of a primary", resumed.TotalSeconds, 1.0, "s",
            string.Create(CultureInfo.InvariantCulture, $"dedicated cluster, 3 primaries + 3 replicas, cluster-node-timeout 1 s (the baseline column); {rounds} write rounds of 16,384 SETs (one key per slot), {failedWrites} writes failed meanwhile; the client fails fast and re-reads the layout after a failed round; informational"));
    }

    /// <summary>One key per hash slot (<c>fo:{n}</c>, the smallest n whose tag hashes to that slot).</summary>
    private static RedisKey[] KeyPerSlot(ConnectionMultiplexer connection)
    {
        var keys = new RedisKey[SlotCount];
        int found = 0;
        for (int n = 0; found < SlotCount; n++)
        {
            RedisKey key = "fo:{" + n.ToString(CultureInfo.InvariantCulture) + "}";
            int slot = connection.HashSlot(key);
            if (keys[slot] == default(RedisKey))
            {
                keys[slot] = key;
                found++;
            }
        }

        return keys;
    }

    private static async Task<(int Failed, TimeSpan Took)> WriteEverySlotAsync(IDatabase db, RedisKey[] keys)
    {
        long start = Stopwatch.GetTimestamp();
        var writes = new Task[keys.Length];
        for (int i = 0; i < keys.Length; i++)
        {
            writes[i] = db.StringSetAsync(keys[i], i);
        }

        int failed = 0;
        foreach (Task write in writes)
        {
            try
            {
                await write.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                failed++;
            }
        }

        return (failed, Stopwatch.GetElapsedTime(start));
    }

    private static async Task<double> TimeAsync(Func<Task> call, int count)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < count; i++)
        {
            await call().ConfigureAwait(false);
        }

        return Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    private static double Median(double[] values)
    {
        double[] sorted = [.. values];
        Array.Sort(sorted);
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
