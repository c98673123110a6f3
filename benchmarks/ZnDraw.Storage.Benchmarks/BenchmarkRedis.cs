using StackExchange.Redis;

namespace ZnDraw.Storage.Benchmarks;

/// <summary>The benchmarks' connection to the throwaway Redis that scripts/bench.sh starts.</summary>
public static class BenchmarkRedis
{
    public static ConnectionMultiplexer Connect()
    {
        var address = Environment.GetEnvironmentVariable("ZNDRAW_REDIS");
        if (string.IsNullOrWhiteSpace(address))
        {
            throw new InvalidOperationException("ZNDRAW_REDIS is not set: run ./scripts/bench.sh, which starts a throwaway Redis.");
        }

        return ConnectionMultiplexer.Connect(address);
    }
}
