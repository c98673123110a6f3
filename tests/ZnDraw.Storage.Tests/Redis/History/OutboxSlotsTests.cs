using System.Text;
using ZnDraw.Storage.Redis.History;

namespace ZnDraw.Storage.Tests.Redis.History;

/// <summary>The hash slots of the sharded outbox, without a server (the cluster's own <c>CLUSTER KEYSLOT</c> is compared in the SQL tests' cluster collection).</summary>
public sealed class OutboxSlotsTests
{
    [Fact]
    public void Crc16_is_XMODEM_as_in_the_Redis_Cluster_specification() =>
        Assert.Equal(0x31C3, OutboxSlots.Crc16(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData("foo", 12182)]
    [InlineData("{user1000}.following", 3443)]
    [InlineData("{user1000}.followers", 3443)]
    [InlineData("foo{}{bar}", 8363)] // an empty first tag: the whole key is hashed
    [InlineData("foo{{bar}}zap", 4015)] // the tag is "{bar"
    public void A_key_hashes_by_its_first_non_empty_tag(string key, int slot) =>
        Assert.Equal(slot, OutboxSlots.Of(key));

    [Fact]
    public void Every_slot_has_a_short_tag_that_hashes_to_it_and_tags_are_stable()
    {
        for (var slot = 0; slot < OutboxSlots.Count; slot++)
        {
            var tag = OutboxSlots.Tag(slot);
            Assert.InRange(tag.Length, 1, 4);
            Assert.Equal(slot, OutboxSlots.Of("{" + tag + "}"));
        }

        Assert.Equal("0", OutboxSlots.Tag(OutboxSlots.Of("0"))); // the first candidate keeps its own slot
        Assert.Throws<ArgumentOutOfRangeException>(() => OutboxSlots.Tag(OutboxSlots.Count));
    }
}
