using System.Diagnostics;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// 64 concurrent callers through one multiplexer, each calling in a loop for a fixed time: room get (MGET of four
/// keys, mapped) and room exists (EXISTS), library against raw, in ABBA blocks of rounds so drift hits both alike.
/// Reports the median ops/s of the rounds and the median of the blocks' library ÷ raw ratios.
/// </summary>
internal static class ThroughputScenario
{
    public const int Callers = 64;
    private const string RoomId = "bench-throughput";

    public static async Task<List<ScenarioResult>> RunAsync(ScenarioSizes sizes)
    {
        IDatabase db = BenchmarkRedis.Connection.GetDatabase(BenchmarkRedis.MainDb);
        var rooms = new RoomRepository(BenchmarkRedis.Context());
        await rooms.CreateAsync(RoomId, "throughput");

        RedisKey[] rawKeys() =>
        [
            "room:" + RoomId + ":description", "room:" + RoomId + ":locked",
            "room:" + RoomId + ":hidden", "room:" + RoomId + ":current_frame",
        ];

        async Task<Room?> RawGet()
        {
            // The library's commands: MGET and EXISTS of the same keys in one batch.
            RedisKey[] keys = rawKeys();
            IBatch batch = db.CreateBatch();
            Task<RedisValue[]> core = batch.StringGetAsync(keys);
            Task<long> existing = batch.KeyExistsAsync(keys);
            batch.Execute();
            RedisValue[] v = await core.ConfigureAwait(false);
            _ = await existing.ConfigureAwait(false);
            if (v[3].IsNull)
            {
                return null;
            }

            int frame = v[3].TryParse(out long f) && f >= 0 && f <= int.MaxValue ? (int)f : 0;
            return new Room(RoomId, (string?)v[0], v[1] == "1", v[2] == "1", frame);
        }

        var results = new List<ScenarioResult>
        {
            await CompareAsync("Room.GetById", sizes, async () => await rooms.GetByIdAsync(RoomId).ConfigureAwait(false), async () => await RawGet().ConfigureAwait(false)),
            await CompareAsync("Room.Exists", sizes, async () => await rooms.ExistsAsync(RoomId).ConfigureAwait(false), async () => await db.KeyExistsAsync("room:" + RoomId + ":current_frame").ConfigureAwait(false)),
        };
        return results;
    }

    private static async Task<ScenarioResult> CompareAsync(string name, ScenarioSizes sizes, Func<Task> library, Func<Task> raw)
    {
        await RoundAsync(library, TimeSpan.FromMilliseconds(300)); // warm both
        await RoundAsync(raw, TimeSpan.FromMilliseconds(300));
        // ABBA blocks (raw, library, library, raw; then the mirror): each side runs first half of the time, so neither
        // drift nor the order of rounds favours one side. Target: the median over blocks of library ÷ raw.
        var lib = new List<double>();
        var baseline = new List<double>();
        var ratios = new List<double>();
        var control = new List<double>();
        for (int i = 0; i < sizes.ThroughputRounds; i++)
        {
            double r1, l1, l2, r2;
            if (i % 2 == 0)
            {
                r1 = await RoundAsync(raw, sizes.ThroughputRound);
                l1 = await RoundAsync(library, sizes.ThroughputRound);
                l2 = await RoundAsync(library, sizes.ThroughputRound);
                r2 = await RoundAsync(raw, sizes.ThroughputRound);
            }
            else
            {
                l1 = await RoundAsync(library, sizes.ThroughputRound);
                r1 = await RoundAsync(raw, sizes.ThroughputRound);
                r2 = await RoundAsync(raw, sizes.ThroughputRound);
                l2 = await RoundAsync(library, sizes.ThroughputRound);
            }

            baseline.AddRange([r1, r2]);
            lib.AddRange([l1, l2]);
            ratios.Add((l1 + l2) / (r1 + r2));
            control.Add(r2 / r1);
        }

        return new ScenarioResult("Throughput", name, Median(lib), Median(baseline), "ops/s",
            $"{Callers} callers, {sizes.ThroughputRounds} ABBA blocks of 4 rounds of {sizes.ThroughputRound.TotalSeconds:0.#} s; ops/s are medians of rounds, the ratio the median of the blocks' ratios; A/A control (raw's second round ÷ its first) {Median(control):0.000}×, blocks' ratios {ratios.Min():0.000}–{ratios.Max():0.000}×")
        {
            PairedRatio = Median(ratios),
        };
    }

    internal static async Task<double> RoundAsync(Func<Task> call, TimeSpan duration)
    {
        long ops = 0;
        var stopwatch = Stopwatch.StartNew();
        var callers = new Task[Callers];
        for (int i = 0; i < Callers; i++)
        {
            callers[i] = Task.Run(async () =>
            {
                long mine = 0;
                while (stopwatch.Elapsed < duration)
                {
                    await call().ConfigureAwait(false);
                    mine++;
                }

                Interlocked.Add(ref ops, mine);
            });
        }

        await Task.WhenAll(callers).ConfigureAwait(false);
        return ops / stopwatch.Elapsed.TotalSeconds;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[(n / 2) - 1] + sorted[n / 2]) / 2;
    }
}
