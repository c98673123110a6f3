using System.Diagnostics;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Repositories;

namespace ZnDraw.Storage.Benchmarks.Scenarios;

/// <summary>
/// 64 concurrent callers through one multiplexer, each calling in a loop for a fixed time: room get (MGET of four
/// keys, mapped) and room exists (EXISTS), library against raw; rounds alternate so drift hits both alike.
/// Reports the median ops/s of the rounds.
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
            RedisValue[] v = await db.StringGetAsync(rawKeys()).ConfigureAwait(false);
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
        var lib = new List<double>();
        var baseline = new List<double>();
        for (int i = 0; i < sizes.ThroughputRounds; i++)
        {
            baseline.Add(await RoundAsync(raw, sizes.ThroughputRound));
            lib.Add(await RoundAsync(library, sizes.ThroughputRound));
        }

        return new ScenarioResult("Throughput", name, Median(lib), Median(baseline), "ops/s",
            $"{Callers} callers, {sizes.ThroughputRounds} rounds of {sizes.ThroughputRound.TotalSeconds:0} s each");
    }

    private static async Task<double> RoundAsync(Func<Task> call, TimeSpan duration)
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
