using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Benchmarks.Infrastructure;

/// <summary>The benchmarks' connection to the throwaway Redis that scripts/bench.sh starts (one multiplexer per process).</summary>
public static class BenchmarkRedis
{
    /// <summary>Database of the read/write twins.</summary>
    public const int MainDb = 0;

    /// <summary>Database of the listing-scaling scenario (flushed by it).</summary>
    public const int ScalingDb = 1;

    /// <summary>Database of benchmarks that create keys per call and flush them after each iteration.</summary>
    public const int ScratchDb = 2;

    private static readonly Lazy<ConnectionMultiplexer> Shared = new(Connect);

    /// <summary>The process-wide multiplexer (StackExchange.Redis: create once, reuse).</summary>
    public static ConnectionMultiplexer Connection => Shared.Value;

    /// <summary>Whether ZNDRAW_REDIS is set (CPU-only benchmarks run without it).</summary>
    public static bool Available => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("ZNDRAW_REDIS"));

    /// <summary>A repository context on the one server (ZnDraw's layout), or on the cluster while <see cref="BenchmarkCluster.Active"/>.</summary>
    internal static RedisStoreContext Context(int db = MainDb) =>
        BenchmarkCluster.Active ? BenchmarkCluster.Context() : new(Connection, KeySpace.Default, database: db);

    public static IServer Server => Connection.GetServer(Connection.GetEndPoints()[0]);

    /// <summary>The fields of one INFO section of <paramref name="server"/> (e.g. <c>server</c>: <c>process_id</c>; <c>cpu</c>: <c>used_cpu_sys</c>).</summary>
    public static async Task<Dictionary<string, string>> InfoAsync(IServer server, string section) =>
        (await server.InfoAsync(section)).SelectMany(static g => g).ToDictionary(static e => e.Key, static e => e.Value, StringComparer.Ordinal);

    private static ConnectionMultiplexer Connect()
    {
        var address = Environment.GetEnvironmentVariable("ZNDRAW_REDIS");
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new InvalidOperationException("ZNDRAW_REDIS is not set: run ./scripts/bench.sh, which starts a throwaway Redis.");
        }

        var options = ConfigurationOptions.Parse(address);
        options.AllowAdmin = true; // FLUSHDB, INFO, SCRIPT LOAD in setups
        return ConnectionMultiplexer.Connect(options);
    }
}

/// <summary>What a hand-written caller keeps for a Lua script: its SHA1, loaded once; each call is one EVALSHA.</summary>
public sealed class RawScript
{
    public RawScript(string text)
    {
        Text = text;
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
        if (BenchmarkCluster.Active)
        {
            // EVALSHA goes to the primary of the keys' slot: every primary must know the script.
            foreach (IServer primary in BenchmarkCluster.Primaries(BenchmarkCluster.Connection))
            {
                primary.ScriptLoad(text);
            }
        }
        else
        {
            BenchmarkRedis.Server.ScriptLoad(text);
        }
    }

    public string Text { get; }

    public byte[] Sha1 { get; }
}
