using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>The key spaces every main behaviour runs under: ZnDraw's, a prefixed one, and the cluster-safe layout.</summary>
internal static class TestSpaces
{
    public static TheoryData<string> All => new() { "zndraw", "prefixed", "cluster" };

    public static KeySpace Get(string name) => name switch
    {
        "zndraw" => KeySpace.Default,
        "prefixed" => new KeySpace("test-ext:"),
        "cluster" => new KeySpace("test-ext-cs:", KeyLayout.ClusterSafe),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    public static RedisStoreContext Context(RedisFixture redis, string space, TimeProvider? time = null) =>
        new(redis.Connection, Get(space), time);
}
