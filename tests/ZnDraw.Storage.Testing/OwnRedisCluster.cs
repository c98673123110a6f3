using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// A Redis Cluster a test owns: 3 primaries and 3 replicas as child redis-server processes on free loopback ports, no
/// persistence, created with <c>redis-cli --cluster create … --cluster-replicas 1</c>. For fault tests that the shared
/// cluster of <c>scripts/test.sh</c> must not suffer: SIGKILL a primary, wait for its replica's promotion, move slots
/// between primaries. Dispose stops every process it started and deletes its folder.
/// </summary>
/// <remarks>
/// Administration goes through <see cref="RespCommand"/> (a fresh connection per command to one node), never through the
/// client under test. <c>cluster-require-full-coverage</c> keeps Redis's default (yes): while a killed primary's slots
/// are unserved, every node answers <c>CLUSTERDOWN</c>, as a production cluster does.
/// </remarks>
public sealed class OwnRedisCluster : IAsyncDisposable
{
    /// <summary>The number of hash slots of a Redis Cluster.</summary>
    public const int SlotCount = 16384;

    private static readonly TimeSpan ReadyBound = TimeSpan.FromSeconds(30);

    private readonly string _directory;
    private readonly List<OwnRedisServer> _servers = [];
    private readonly Dictionary<int, IReadOnlyList<(int First, int Last)>> _slotsOfKilled = [];

    private OwnRedisCluster(string directory, TimeSpan nodeTimeout)
    {
        _directory = directory;
        NodeTimeout = nodeTimeout;
    }

    /// <summary><c>cluster-node-timeout</c>: how long a node may be unreachable before it is considered failing.</summary>
    public TimeSpan NodeTimeout { get; }

    /// <summary>The ports of every node started (primaries and replicas, running or killed).</summary>
    public IReadOnlyList<int> Ports => [.. _servers.Select(s => s.Port)];

    /// <summary>A StackExchange.Redis connection string naming every node (<c>127.0.0.1:port,…</c>).</summary>
    public string ConnectionString => string.Join(',', _servers.Select(s => $"127.0.0.1:{s.Port.ToString(CultureInfo.InvariantCulture)}"));

    /// <summary>Starts 6 nodes, creates the cluster (3 primaries with one replica each) and waits until it is ready.</summary>
    /// <param name="nodeTimeout"><c>cluster-node-timeout</c>; default 1500 ms (Redis's default is 15 s), at most 5 s.</param>
    /// <exception cref="InvalidOperationException">A node did not start, or the cluster was not ready within 30 s.</exception>
    public static async Task<OwnRedisCluster> StartAsync(TimeSpan? nodeTimeout = null)
    {
        TimeSpan timeout = nodeTimeout ?? TimeSpan.FromMilliseconds(1500);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeout, TimeSpan.FromSeconds(5), nameof(nodeTimeout));
        var cluster = new OwnRedisCluster(Directory.CreateTempSubdirectory("zndraw-cluster-").FullName, timeout);
        try
        {
            string[] clusterArguments =
            [
                "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", ((int)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture),
                // a replica may always take over (the default refuses one whose link was down for long: not a test's concern)
                "--cluster-replica-validity-factor", "0",
                // the replicas' first full sync starts at once (the default waits 5 s for more replicas to join it)
                "--repl-diskless-sync-delay", "0",
            ];
            Task<OwnRedisServer>[] starting = [.. Enumerable.Range(0, 6).Select(i => OwnRedisServer.StartAsync(
                arguments: clusterArguments, directory: Path.Combine(cluster._directory, i.ToString(CultureInfo.InvariantCulture))))];
            try
            {
                await Task.WhenAll(starting);
            }
            finally
            {
                cluster._servers.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }

            await cluster.CreateAsync();
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>The slot the cluster computes for <paramref name="key"/> (<c>CLUSTER KEYSLOT</c>).</summary>
    public async Task<int> KeySlotAsync(string key) =>
        (int)(long)(await RespCommand.SendAsync(AnyLivePort(), null, CancellationToken.None, "CLUSTER", "KEYSLOT", key))!;

    /// <summary>The nodes as a live node sees them now (<c>CLUSTER NODES</c>).</summary>
    public async Task<IReadOnlyList<ClusterNode>> NodesAsync()
    {
        string text = (await RespCommand.TextAsync(AnyLivePort(), CancellationToken.None, "CLUSTER", "NODES"))!;
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ClusterNode.Parse)];
    }

    /// <summary>The primary that serves <paramref name="slot"/> now, as a live node sees it.</summary>
    public async Task<ClusterNode> PrimaryOfSlotAsync(int slot)
    {
        IReadOnlyList<ClusterNode> nodes = await NodesAsync();
        return nodes.FirstOrDefault(n => n.IsPrimary && !n.IsFailed && n.Serves(slot))
            ?? throw new InvalidOperationException($"No live primary serves slot {slot}.");
    }

    /// <summary>The primary that serves <paramref name="key"/> now.</summary>
    public async Task<ClusterNode> PrimaryOfKeyAsync(string key) => await PrimaryOfSlotAsync(await KeySlotAsync(key));

    /// <summary>SIGKILLs the node on <paramref name="port"/> (one this cluster started) and waits until the process is gone; remembers the slots it served.</summary>
    public async Task KillAsync(int port)
    {
        OwnRedisServer server = Server(port);
        ClusterNode? node = (await NodesAsync()).FirstOrDefault(n => n.Port == port);
        _slotsOfKilled[port] = node?.Slots ?? [];
        await server.KillAsync();
    }

    /// <summary>
    /// Waits until a replica has taken over every slot the killed primary <paramref name="port"/> served and every live node
    /// says <c>cluster_state:ok</c>; returns the new primary.
    /// </summary>
    /// <exception cref="TimeoutException">Not within <paramref name="bound"/>.</exception>
    public async Task<ClusterNode> WaitForPromotionAsync(int port, TimeSpan bound)
    {
        IReadOnlyList<(int First, int Last)> slots = _slotsOfKilled.TryGetValue(port, out var killed) && killed.Count > 0
            ? killed
            : throw new InvalidOperationException($"127.0.0.1:{port} was not a primary killed by KillAsync.");
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                IReadOnlyList<ClusterNode> nodes = await NodesAsync();
                ClusterNode? promoted = nodes.FirstOrDefault(n => n.IsPrimary && !n.IsFailed && n.Port != port
                    && slots.All(r => n.Serves(r.First) && n.Serves(r.Last)));
                if (promoted is not null && await AllLiveAsync("cluster_state:ok"))
                {
                    return promoted;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException or RespErrorException)
            {
                // a node is busy failing over: ask again
            }

            if (clock.Elapsed > bound)
            {
                throw new TimeoutException($"No replica took over from 127.0.0.1:{port} within {bound.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Moves slots <paramref name="first"/>..<paramref name="last"/> with their keys from the primary on
    /// <paramref name="fromPort"/> to the primary on <paramref name="toPort"/>, slot by slot as <c>redis-cli --cluster
    /// reshard</c> does: <c>CLUSTER SETSLOT IMPORTING/MIGRATING</c>, <c>MIGRATE … KEYS</c> in batches, then
    /// <c>SETSLOT NODE</c> on both and on the other primaries.
    /// </summary>
    /// <param name="fromPort">The primary serving every slot of the range now.</param>
    /// <param name="toPort">The primary to serve them.</param>
    /// <param name="first">The first slot of the range.</param>
    /// <param name="last">The last slot of the range.</param>
    /// <param name="pausePerSlot">A pause while each slot is in migration (importing/migrating) after its first batch, so that callers meet the ASK/TRYAGAIN window.</param>
    /// <returns>The number of keys moved.</returns>
    public async Task<long> MoveSlotsAsync(int fromPort, int toPort, int first, int last, TimeSpan pausePerSlot = default)
    {
        IReadOnlyList<ClusterNode> nodes = await NodesAsync();
        ClusterNode source = nodes.Single(n => n.Port == fromPort && n.IsPrimary);
        ClusterNode target = nodes.Single(n => n.Port == toPort && n.IsPrimary);
        long moved = 0;
        for (int slot = first; slot <= last; slot++)
        {
            if (!source.Serves(slot))
            {
                throw new InvalidOperationException($"Slot {slot} is not served by 127.0.0.1:{fromPort}.");
            }

            string s = slot.ToString(CultureInfo.InvariantCulture);
            await Admin(toPort, "CLUSTER", "SETSLOT", s, "IMPORTING", source.Id);
            await Admin(fromPort, "CLUSTER", "SETSLOT", s, "MIGRATING", target.Id);
            bool paused = false;
            while (true)
            {
                var keys = (object?[])(await Admin(fromPort, "CLUSTER", "GETKEYSINSLOT", s, "100"))!;
                if (keys.Length == 0)
                {
                    break;
                }

                string[] migrate = ["MIGRATE", "127.0.0.1", toPort.ToString(CultureInfo.InvariantCulture), string.Empty, "0", "5000", "KEYS", .. keys.Cast<string>()];
                await Admin(fromPort, migrate);
                moved += keys.Length;
                if (!paused && pausePerSlot > TimeSpan.Zero)
                {
                    paused = true;
                    await Task.Delay(pausePerSlot);
                }
            }

            // As redis-cli: the target first (it must own the slot before the source lets go), then the source, then the rest.
            await Admin(toPort, "CLUSTER", "SETSLOT", s, "NODE", target.Id);
            await Admin(fromPort, "CLUSTER", "SETSLOT", s, "NODE", target.Id);
            foreach (ClusterNode other in nodes.Where(n => n.IsPrimary && !n.IsFailed && n.Port != fromPort && n.Port != toPort))
            {
                await Admin(other.Port, "CLUSTER", "SETSLOT", s, "NODE", target.Id);
            }
        }

        return moved;
    }

    /// <summary>Kills every node this cluster started and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (OwnRedisServer server in _servers)
        {
            await server.DisposeAsync();
        }

        _servers.Clear();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static Task<object?> Admin(int port, params string[] arguments) => RespCommand.SendAsync(port, null, CancellationToken.None, arguments);

    private OwnRedisServer Server(int port) =>
        _servers.FirstOrDefault(s => s.Port == port) ?? throw new ArgumentException($"No node of this cluster is on port {port}.", nameof(port));

    private int AnyLivePort() => _servers.First(s => s.IsRunning).Port;

    private async Task CreateAsync()
    {
        var create = new ProcessStartInfo("redis-cli")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        create.ArgumentList.Add("--cluster");
        create.ArgumentList.Add("create");
        foreach (OwnRedisServer server in _servers)
        {
            create.ArgumentList.Add($"127.0.0.1:{server.Port.ToString(CultureInfo.InvariantCulture)}");
        }

        create.ArgumentList.Add("--cluster-replicas");
        create.ArgumentList.Add("1");
        create.ArgumentList.Add("--cluster-yes");
        using (Process process = Process.Start(create) ?? throw new InvalidOperationException("redis-cli did not start."))
        {
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            using var bound = new CancellationTokenSource(ReadyBound);
            try
            {
                await process.WaitForExitAsync(bound.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill();
                throw new InvalidOperationException("redis-cli --cluster create did not finish within 30 s.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"redis-cli --cluster create failed: {await output}{await errors}");
            }
        }

        var clock = Stopwatch.StartNew();
        while (!await AllLiveAsync("cluster_state:ok") || !await ReplicasSyncedAsync() || !await AllAgreeOnRolesAsync())
        {
            if (clock.Elapsed > ReadyBound)
            {
                throw new InvalidOperationException("The cluster was not ready (cluster_state:ok, replicas in sync) within 30 s.");
            }

            await Task.Delay(50);
        }
    }

    private async Task<bool> AllLiveAsync(string clusterInfoLine)
    {
        foreach (OwnRedisServer server in _servers.Where(s => s.IsRunning))
        {
            string info = (await RespCommand.TextAsync(server.Port, CancellationToken.None, "CLUSTER", "INFO"))!;
            if (!info.Contains(clusterInfoLine + "\r\n", StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every node sees 3 primaries with slots and 3 replicas (gossip has spread every role change).</summary>
    private async Task<bool> AllAgreeOnRolesAsync()
    {
        foreach (OwnRedisServer server in _servers)
        {
            string text = (await RespCommand.TextAsync(server.Port, CancellationToken.None, "CLUSTER", "NODES"))!;
            var nodes = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ClusterNode.Parse).ToList();
            if (nodes.Count(n => n.IsPrimary && n.Slots.Count > 0) != 3 || nodes.Count(n => !n.IsPrimary && n.PrimaryId is not null) != 3)
            {
                return false;
            }
        }

        return true;
    }

    private async Task<bool> ReplicasSyncedAsync()
    {
        int replicas = 0;
        foreach (OwnRedisServer server in _servers)
        {
            string info = (await RespCommand.TextAsync(server.Port, CancellationToken.None, "INFO", "replication"))!;
            if (info.Contains("role:slave\r\n", StringComparison.Ordinal))
            {
                if (!info.Contains("master_link_status:up\r\n", StringComparison.Ordinal) || info.Contains("master_sync_in_progress:1", StringComparison.Ordinal))
                {
                    return false;
                }

                replicas++;
            }
        }

        return replicas == 3;
    }
}

/// <summary>One line of <c>CLUSTER NODES</c>: a node's id, port, role and slots.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Port">The client port.</param>
/// <param name="IsPrimary">True for a primary (<c>master</c>).</param>
/// <param name="IsFailed">True when the cluster flags it <c>fail</c> (or <c>fail?</c>).</param>
/// <param name="PrimaryId">The id of its primary, for a replica.</param>
/// <param name="Slots">The slot ranges it serves (first, last).</param>
public sealed record ClusterNode(string Id, int Port, bool IsPrimary, bool IsFailed, string? PrimaryId, IReadOnlyList<(int First, int Last)> Slots)
{
    /// <summary>True when the node serves <paramref name="slot"/>.</summary>
    public bool Serves(int slot) => Slots.Any(r => slot >= r.First && slot <= r.Last);

    /// <summary>Parses one line of <c>CLUSTER NODES</c>.</summary>
    public static ClusterNode Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] parts = line.Split(' ');
        string address = parts[1];
        int port = int.Parse(address[(address.LastIndexOf(':') + 1)..].Split('@')[0], CultureInfo.InvariantCulture);
        string[] flags = parts[2].Split(',');
        var slots = new List<(int, int)>();
        foreach (string range in parts.Skip(8).Where(p => !p.StartsWith('[')))
        {
            string[] ends = range.Split('-');
            int firstSlot = int.Parse(ends[0], CultureInfo.InvariantCulture);
            slots.Add((firstSlot, ends.Length > 1 ? int.Parse(ends[1], CultureInfo.InvariantCulture) : firstSlot));
        }

        return new ClusterNode(
            parts[0],
            port,
            flags.Contains("master"),
            flags.Contains("fail") || flags.Contains("fail?"),
            parts[3] == "-" ? null : parts[3],
            slots);
    }
}
