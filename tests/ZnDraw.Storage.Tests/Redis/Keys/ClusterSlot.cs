using System.Text;
using StackExchange.Redis;

namespace ZnDraw.Storage.Tests.Redis.Keys;

/// <summary>
/// Redis Cluster's key-to-slot function (CRC16-XMODEM of the UTF-8 key, or of its hash tag, mod 16384), as in the
/// Redis cluster specification. StackExchange.Redis's own implementation is internal (ServerSelectionStrategy) or needs
/// a connected multiplexer, so the tests carry this one and check it against the specification's vectors.
/// </summary>
internal static class ClusterSlot
{
    public static int Of(RedisKey key) => Of((string)key!);

    public static int Of(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var open = Array.IndexOf(bytes, (byte)'{');
        if (open >= 0)
        {
            var close = Array.IndexOf(bytes, (byte)'}', open + 1);
            if (close > open + 1)
            {
                return Crc16(bytes.AsSpan(open + 1, close - open - 1)) % 16384;
            }
        }

        return Crc16(bytes) % 16384;
    }

    public static int Crc16(ReadOnlySpan<byte> data)
    {
        var crc = 0;
        foreach (var b in data)
        {
            crc ^= b << 8;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
            }
        }

        return crc;
    }
}

public class ClusterSlotTests
{
    [Fact]
    public void Crc16_matches_the_cluster_spec_check_value()
        => Assert.Equal(0x31C3, ClusterSlot.Crc16("123456789"u8));

    [Theory]
    [InlineData("123456789", 12739)]
    [InlineData("foo", 12182)]
    [InlineData("bar", 5061)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("somekey", 11058)] // CLUSTER KEYSLOT examples of the Redis documentation
    [InlineData("foo{hash_tag}", 2515)]
    [InlineData("{}foo", 9500)] // empty tag: the whole key is hashed
    public void Slot_matches_known_vectors(string key, int slot)
        => Assert.Equal(slot, ClusterSlot.Of(key));

    [Fact]
    public void Hash_tags_put_keys_in_one_slot()
    {
        Assert.Equal(ClusterSlot.Of("{user1000}.following"), ClusterSlot.Of("{user1000}.followers"));
        Assert.Equal(ClusterSlot.Of("user1000"), ClusterSlot.Of("{user1000}.followers"));
        Assert.Equal(ClusterSlot.Of("bar"), ClusterSlot.Of("foo{bar}{zap}"));
    }
}
