using Microsoft.Extensions.Time.Testing;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>The instant the tests' <see cref="FakeTimeProvider"/> stands at.</summary>
public static class FixedTime
{
    /// <summary>2025-10-31T12:00:00.123456 UTC: written by ZnDraw as <c>2025-10-31T12:00:00.123456</c>.</summary>
    public static readonly DateTimeOffset Instant = new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero).AddTicks(1_234_560);

    public const string InstantText = "2025-10-31T12:00:00.123456";
}

/// <summary>The four key spaces every main behaviour runs in.</summary>
public static class Spaces
{
    public const string ZnDraw = "zndraw";
    public const string Prefixed = "prefixed";
    public const string Cluster = "cluster";
    public const string PrefixedCluster = "prefixed-cluster";

    public static TheoryData<string> All => [ZnDraw, Prefixed, Cluster, PrefixedCluster];

    /// <summary>The space; prefixed spaces get a fresh prefix so index sets start empty.</summary>
    public static KeySpace Create(string name) => name switch
    {
        ZnDraw => KeySpace.Default,
        Prefixed => new KeySpace(RedisFixture.NewId("p") + ":"),
        Cluster => new KeySpace(null, KeyLayout.ClusterSafe),
        PrefixedCluster => new KeySpace(RedisFixture.NewId("p") + ":", KeyLayout.ClusterSafe),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    internal static RedisStoreContext Context(RedisFixture redis, KeySpace space) =>
        new(redis.Connection, space, new FakeTimeProvider(FixedTime.Instant));
}
