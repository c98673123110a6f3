using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Cluster;

/// <summary>
/// Slots holding the test's rooms move from one primary to another (IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE) while 16
/// callers run: StackExchange.Redis follows MOVED and ASK; a script or transaction whose keys are split by the move gets
/// TRYAGAIN, which must surface as <see cref="Contracts.StorageUnavailableException"/> and succeed when the caller
/// retries. Afterwards nothing acknowledged is lost and the invariants hold.
/// </summary>
[Collection(OwnClusterCollection.Name)]
public sealed class ClusterReshardTests(ITestOutputHelper output)
{
    private const int Callers = 16;
    private const int Slots = 64;

    private static readonly TimeSpan CallBound = TimeSpan.FromMilliseconds(2 * (ClusterWorkload.AsyncTimeoutMs + 1500));

    [Fact(Timeout = 60_000)] // hard cap: a hang anywhere (start, kill, move, checks) fails the test after 60 s
    public async Task Moving_slots_under_load_fails_calls_only_as_unavailable_their_retries_succeed_and_nothing_acknowledged_is_lost()
    {
        var wall = Stopwatch.StartNew();
        using var hardCap = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using OwnRedisCluster cluster = await OwnRedisCluster.StartAsync();
        var primaries = (await cluster.NodesAsync()).Where(n => n.IsPrimary && n.Slots.Count > 0).OrderBy(n => n.Slots[0].First).ToList();
        ClusterNode source = primaries[0];
        ClusterNode target = primaries[1];
        int first = source.Slots[0].First;
        int last = first + Slots - 1;

        // 4 rooms in the slots that move, 2 elsewhere on the source, 2 on each other primary.
        var rooms = ClusterWorkload.RoomsInSlots("m", first, last).Take(4)
            .Concat(ClusterWorkload.RoomsInSlots("s", last + 1, source.Slots[0].Last).Take(2))
            .Concat(primaries.Skip(1).SelectMany((p, i) => ClusterWorkload.RoomsInSlots($"o{i}r", p.Slots[0].First, p.Slots[0].Last).Take(2)))
            .ToList();
        ClusterWorkload workload = await ClusterWorkload.StartAsync(cluster, rooms, retries: 10);
        await using var store = workload.Store;
        TimeSpan started = wall.Elapsed;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(hardCap.Token);
        Task running = workload.RunAsync(Callers, stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(1.5), hardCap.Token);
        TimeSpan moveStart = workload.Now;
        long keys = await cluster.MoveSlotsAsync(source.Port, target.Port, first, last, pausePerSlot: TimeSpan.FromMilliseconds(150));
        TimeSpan moveEnd = workload.Now;
        await Task.Delay(TimeSpan.FromSeconds(1.5), hardCap.Token);
        TimeSpan end = workload.Now;
        await stop.CancelAsync();
        await running;

        (IReadOnlyList<string> lost, string drift) = await workload.CheckInvariantsAsync();
        var gaveUp = workload.Records.Where(r => !r.Succeeded && !r.CancelledByOwnToken && r.Attempt == workload.Retries).ToList();
        int retried = workload.Records.Count(r => r.Attempt > 0 && r.Succeeded);

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster start + setup {started.TotalSeconds:F1} s; moved slots {first}-{last} ({keys} keys) from 127.0.0.1:{source.Port} to 127.0.0.1:{target.Port} in {(moveEnd - moveStart).TotalSeconds:F1} s"));
        output.WriteLine(workload.Report("before", TimeSpan.Zero, moveStart));
        output.WriteLine(workload.Report("moving", moveStart, moveEnd));
        output.WriteLine(workload.Report("after", moveEnd, end));
        foreach (string reason in workload.FailureReasons(moveStart, end))
        {
            output.WriteLine(reason);
        }

        output.WriteLine($"calls that succeeded on a retry: {retried}; gave up after {workload.Retries} retries: {gaveUp.Count}");
        output.WriteLine(drift);
        output.WriteLine($"acknowledged writes lost: {lost.Count}");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall {wall.Elapsed.TotalSeconds:F1} s"));

        var unexpected = workload.Unexpected().ToList();
        Assert.True(unexpected.Count == 0, string.Join(Environment.NewLine, unexpected.Take(10).Select(r => $"{r.Name} threw {r.Error!.GetType().FullName}: {r.Error.Message}")));
        CallRecord slowest = workload.Records.MaxBy(r => r.Duration)!;
        Assert.True(slowest.Duration <= CallBound, $"{slowest.Name} took {slowest.Duration.TotalMilliseconds:F0} ms (bound {CallBound.TotalMilliseconds} ms)");
        Assert.True(workload.Records.Count(r => r.Start >= moveStart && r.Start < moveEnd && r.Room is { } room && ClusterSlotInRange(room, first, last)) > 0, "no call touched the moving slots");
        Assert.True(gaveUp.Count == 0, string.Join(Environment.NewLine, gaveUp.Take(10).Select(r => $"{r.Name} on {r.Room} still failed after {r.Attempt} retries: {r.Error!.Message}")));
        Assert.True(lost.Count == 0, "acknowledged writes lost: " + string.Join(", ", lost.Take(20)));
        Assert.All(workload.Records.Where(r => r.Start >= moveEnd + TimeSpan.FromSeconds(0.5)), r => Assert.True(r.Succeeded || r.CancelledByOwnToken, $"{r.Name} failed after the move: {r.Error?.Message}"));
        for (int slot = first; slot <= last; slot += 17)
        {
            Assert.Equal(target.Port, (await cluster.PrimaryOfSlotAsync(slot)).Port);
        }
    }

    private static bool ClusterSlotInRange(string room, int first, int last) =>
        Keys.ClusterSlot.Of(room) is var slot && slot >= first && slot <= last;
}
