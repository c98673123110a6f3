using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Cluster;

/// <summary>The fault tests on a cluster of their own: one at a time, in parallel with every other collection.</summary>
[CollectionDefinition(Name)]
public sealed class OwnClusterCollection
{
    public const string Name = "OwnRedisCluster";
}

/// <summary>
/// A primary of a 3+3 Redis Cluster is SIGKILLed while 16 callers run mixed operations through the public DI in the
/// cluster-safe layout; its replica takes over. Every call succeeds or throws <see cref="Contracts.StorageUnavailableException"/>
/// (or <see cref="OperationCanceledException"/> from its own token), none outlives its timeout by more than the margin,
/// calls on every primary's slots resume within 10 s of the kill, and afterwards the invariants hold.
/// </summary>
[Collection(OwnClusterCollection.Name)]
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Callers = 16;

    /// <summary>
    /// The longest a call may take: two steps (the cluster-safe layout's split writes) of the async timeout each, plus
    /// 1.5 s of margin per step for StackExchange.Redis' timeout check (once a second) and a loaded machine.
    /// </summary>
    private static readonly TimeSpan CallBound = TimeSpan.FromMilliseconds(2 * (ClusterWorkload.AsyncTimeoutMs + 1500));

    private static readonly TimeSpan ResumeBound = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 60_000)] // hard cap: a hang anywhere (start, kill, move, checks) fails the test after 60 s
    public async Task Killing_a_primary_under_load_fails_calls_only_as_unavailable_and_every_slot_resumes_within_10_s()
    {
        var wall = Stopwatch.StartNew();
        using var hardCap = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using OwnRedisCluster cluster = await OwnRedisCluster.StartAsync(TimeSpan.FromMilliseconds(1500));
        var primaries = (await cluster.NodesAsync()).Where(n => n.IsPrimary && n.Slots.Count > 0).OrderBy(n => n.Slots[0].First).ToList();
        Assert.Equal(3, primaries.Count);

        // 4 rooms on each primary's slots.
        var rooms = primaries.SelectMany((p, i) => ClusterWorkload.RoomsInSlots($"f{i}r", p.Slots[0].First, p.Slots[0].Last).Take(4)).ToList();
        ClusterWorkload workload = await ClusterWorkload.StartAsync(cluster, rooms);
        await using var store = workload.Store;
        TimeSpan started = wall.Elapsed;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(hardCap.Token);
        Task running = workload.RunAsync(Callers, stop.Token);

        // Phase 1: healthy.
        await Task.Delay(TimeSpan.FromSeconds(2), hardCap.Token);
        int victim = primaries[0].Port;
        TimeSpan kill = workload.Now;
        await cluster.KillAsync(victim);
        ClusterNode promoted = await cluster.WaitForPromotionAsync(victim, TimeSpan.FromSeconds(15));
        TimeSpan promotedAt = workload.Now;

        // Phase 3: until every group has run 1 s without a failure, at most 12 s after the kill.
        while (!workload.AllGroupsHealthyFor(TimeSpan.FromSeconds(1)) && workload.Now - kill < TimeSpan.FromSeconds(12))
        {
            await Task.Delay(200, hardCap.Token);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), hardCap.Token);
        TimeSpan end = workload.Now;
        await stop.CancelAsync();
        await running;

        IReadOnlyDictionary<int, TimeSpan?> resumed = workload.ResumedAt(kill);
        (IReadOnlyList<string> lost, string drift) = await workload.CheckInvariantsAsync();

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster start + setup {started.TotalSeconds:F1} s; killed 127.0.0.1:{victim} at {kill.TotalSeconds:F1} s; replica 127.0.0.1:{promoted.Port} promoted after {(promotedAt - kill).TotalSeconds:F1} s"));
        output.WriteLine(workload.Report("healthy", TimeSpan.Zero, kill));
        output.WriteLine(workload.Report("failover", kill, promotedAt));
        output.WriteLine(workload.Report("after", promotedAt, end));
        foreach ((int group, TimeSpan? at) in resumed.OrderBy(p => p.Key))
        {
            string name = group == 0 ? "temp rooms, users, indexes" : $"rooms on 127.0.0.1:{group}{(group == victim ? " (killed)" : string.Empty)}";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"resumed {name}: {(at is { } t ? $"{(t - kill).TotalSeconds:F2} s after the kill" : "never")}"));
        }

        foreach (string reason in workload.FailureReasons(kill, end))
        {
            output.WriteLine(reason);
        }

        output.WriteLine(drift);
        output.WriteLine($"acknowledged writes lost on failover: {lost.Count}{(lost.Count > 0 ? ": " + string.Join(", ", lost.Take(10)) : string.Empty)}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall {wall.Elapsed.TotalSeconds:F1} s"));

        var unexpected = workload.Unexpected().ToList();
        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected.Take(10).Select(r => $"{r.Name} threw {r.Error!.GetType().FullName}: {r.Error.Message}")));
        CallRecord slowest = workload.Records.MaxBy(r => r.Duration)!;
        Assert.True(slowest.Duration <= CallBound, $"{slowest.Name} took {slowest.Duration.TotalMilliseconds:F0} ms (bound {CallBound.TotalMilliseconds} ms)");
        Assert.True(workload.Records.Count(r => r.Start < kill && r.Succeeded) > 100, "the healthy phase made too few calls to mean anything");
        foreach ((int group, TimeSpan? at) in resumed)
        {
            Assert.True(at is { } t && t - kill <= ResumeBound, $"group {group} resumed {(at is { } u ? (u - kill).TotalSeconds.ToString("F2", CultureInfo.InvariantCulture) + " s" : "never")} after the kill");
        }
    }
}
