using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>
/// Reads and clears the keys a twin verification compares (SCAN: setup and verification only, never timed): the
/// write twins run on the same keys, and what each side left behind must be the same.
/// </summary>
internal static class RedisState
{
    public static async Task DeleteAsync(IDatabase db, params string[] patterns)
    {
        RedisKey[] keys = [.. Keys(db.Database, patterns).Distinct()];
        if (BenchmarkCluster.Active)
        {
            // One DEL per key: the keys of a pattern lie in several slots.
            foreach (RedisKey key in keys)
            {
                await db.KeyDeleteAsync(key);
            }
        }
        else if (keys.Length > 0)
        {
            await db.KeyDeleteAsync(keys);
        }
    }

    /// <summary>
    /// The keys matching <paramref name="patterns"/> (SCAN): on the one server in database <paramref name="database"/>,
    /// on every primary of the cluster while <see cref="BenchmarkCluster.Active"/>.
    /// </summary>
    public static IEnumerable<RedisKey> Keys(int database, params string[] patterns) =>
        BenchmarkCluster.Active
            ? patterns.SelectMany(p => BenchmarkCluster.Primaries(BenchmarkCluster.Connection).SelectMany(s => s.Keys(0, p)))
            : patterns.SelectMany(p => BenchmarkRedis.Server.Keys(database, p));

    /// <summary>
    /// Empties the scratch database <paramref name="database"/> of the one server (FLUSHDB), or every primary of the
    /// cluster while <see cref="BenchmarkCluster.Active"/> (each class on the cluster writes its data in its own setup).
    /// </summary>
    public static void Flush(int database)
    {
        if (BenchmarkCluster.Active)
        {
            foreach (IServer primary in BenchmarkCluster.Primaries(BenchmarkCluster.Connection))
            {
                primary.FlushDatabase(0);
            }
        }
        else
        {
            BenchmarkRedis.Connection.GetDatabase(database).Execute("FLUSHDB");
        }
    }

    /// <summary>
    /// Every key matching <paramref name="patterns"/> with its type and content, job times masked (they differ per
    /// call); with <paramref name="withTtl"/>, whether each key expires.
    /// </summary>
    public static async Task<List<string>> DumpAsync(IDatabase db, bool withTtl, params string[] patterns)
    {
        var names = Keys(db.Database, patterns).Select(k => k.ToString()).Distinct().Order(StringComparer.Ordinal).ToList();
        var lines = new List<string>(names.Count);
        foreach (string key in names)
        {
            RedisType type = await db.KeyTypeAsync(key);
            string content = type switch
            {
                RedisType.String => (string?)await db.StringGetAsync(key) ?? string.Empty,
                RedisType.Hash => string.Join(", ", (await db.HashGetAllAsync(key)).Select(e => e.Name + "=" + Mask(e.Name!, e.Value!))),
                RedisType.Set => string.Join(", ", (await db.SetMembersAsync(key)).Select(v => v.ToString()).Order(StringComparer.Ordinal)),
                RedisType.SortedSet => string.Join(", ", (await db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => e.Element + "@" + e.Score.ToString("R", CultureInfo.InvariantCulture))),
                RedisType.List => string.Join(", ", (await db.ListRangeAsync(key)).Select(v => v.ToString())),
                _ => string.Empty,
            };
            string expires = withTtl && await db.KeyTimeToLiveAsync(key) is not null ? " (expires) " : " ";
            lines.Add(key + " " + type + expires + content);
        }

        return lines;
    }

    public static void Same(List<string> library, List<string> raw, string what)
    {
        for (int i = 0; i < Math.Max(library.Count, raw.Count); i++)
        {
            string? l = i < library.Count ? library[i] : null;
            string? r = i < raw.Count ? raw[i] : null;
            if (l != r)
            {
                throw new InvalidOperationException($"{what}: the library left '{l}', the raw twin '{r}'.");
            }
        }
    }

    private static string Mask(string field, string value) => field switch
    {
        "started_at" or "completed_at" when ZnDrawTime.TryParseIso(value, out _) => "<time>",
        "wait_time_ms" or "execution_time_ms" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _) => "<ms>",
        _ => value,
    };
}
