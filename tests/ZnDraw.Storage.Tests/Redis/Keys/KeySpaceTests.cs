using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Keys;

public class KeySpaceTests
{
    [Fact]
    public void Default_is_unprefixed_ZnDraw_layout()
    {
        Assert.Equal(string.Empty, KeySpace.Default.Prefix);
        Assert.Equal(KeyLayout.ZnDraw, KeySpace.Default.Layout);
        Assert.Equal(KeySpace.Default, new KeySpace());
        Assert.Equal(KeySpace.Default, new KeySpace(string.Empty));
        Assert.Equal("KeySpace(Prefix=\"\", Layout=ZnDraw)", KeySpace.Default.ToString());
    }

    [Fact]
    public void Equality_is_by_prefix_and_layout()
    {
        Assert.Equal(new KeySpace("a:", KeyLayout.ClusterSafe), new KeySpace("a:", KeyLayout.ClusterSafe));
        Assert.Equal(new KeySpace("a:").GetHashCode(), new KeySpace("a:").GetHashCode());
        Assert.NotEqual(new KeySpace("a:"), new KeySpace("a:", KeyLayout.ClusterSafe));
        Assert.NotEqual(new KeySpace("a:"), new KeySpace("b:"));
        Assert.False(new KeySpace("a:").Equals(null));
    }

    [Fact]
    public void Factories_build_the_same_keys_as_the_constructors()
    {
        var space = new KeySpace("p:", KeyLayout.ClusterSafe);
        Assert.Equal(new RoomKeys("r1", space).CurrentFrame(), space.Room("r1").CurrentFrame());
        Assert.Equal(new UserKeys("u", space).HashKey(), space.User("u").HashKey());
        Assert.Equal(new SessionKeys("s", space).Role(), space.Session("s").Role());
        Assert.Equal(new WorkerKeys("s", space).Registrations(), space.Worker("s").Registrations());
        Assert.Equal(new JobKeys("r1", "j", space).Hash(), space.Job("r1", "j").Hash());
        Assert.Equal(ExtensionKeys.ForExtension("r1", "c", "e", space).Queue(), space.Extension("r1", "c", "e").Queue());
        Assert.Equal(ExtensionKeys.ForGlobalExtension("c", "e", space).Queue(), space.GlobalExtension("c", "e").Queue());
        Assert.Equal(FilesystemKeys.ForFilesystem("r1", "f", space).Worker(), space.Filesystem("r1", "f").Worker());
        Assert.Equal(FilesystemKeys.ForGlobalFilesystem("f", space).Worker(), space.GlobalFilesystem("f").Worker());
    }

    [Theory]
    [InlineData("{app}:")]
    [InlineData("app}")]
    public void Cluster_layout_refuses_braces_in_the_prefix(string prefix)
    {
        Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => new KeySpace(prefix, KeyLayout.ClusterSafe)).ParamName);
        Assert.Equal(prefix + "user:u", (string?)new KeySpace(prefix).User("u").HashKey());
    }

    [Fact]
    public void A_hash_tag_prefix_pins_the_ZnDraw_layout_to_one_slot()
    {
        var space = new KeySpace("{app}:");
        var slot = ClusterSlot.Of(space.Room("r1").CurrentFrame());
        Assert.Equal(slot, ClusterSlot.Of(space.User("bob").HashKey()));
        Assert.Equal(slot, ClusterSlot.Of(space.Global.RoomsIndex()));
    }

    [Fact]
    public void Bad_prefix_or_layout_is_refused()
    {
        Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => new KeySpace(new string('p', KeyValidation.MaxIdLength + 1))).ParamName);
        Assert.Equal("prefix", Assert.Throws<ArgumentException>(() => new KeySpace("a\uD800")).ParamName);
        Assert.Equal("layout", Assert.Throws<ArgumentOutOfRangeException>(() => new KeySpace("a:", (KeyLayout)7)).ParamName);
    }

    [Fact]
    public void Cluster_layout_puts_every_key_of_a_room_in_one_slot()
    {
        var space = new KeySpace("app1:", KeyLayout.ClusterSafe);
        var room = space.Room("r1");
        var ext = space.Extension("r1", "modifiers", "Rotate");
        var fs = space.Filesystem("r1", "local");
        var job = space.Job("r1", "j1");
        var keys = RoomKeysTests.Members.Select(m => RoomKeysTests.Build(room, m)).Concat(
        [
            ext.Schema(), ext.IdleWorkers(), ext.ProgressingWorkers(), ext.Queue(), ext.UserExtensions("s1"),
            ExtensionKeys.UserExtensionsKey("r1", "selections", "celery:abc", space),
            fs.Metadata(), fs.Worker(), fs.Index(), fs.UserFilesystems("s1"),
            job.Hash(), job.Active(), job.Inactive(), job.ByTime(), job.ExtensionJobs("analysis", "Histogram"),
            room.Lock("a{b}c"), room.UserSettings("x:y"),
        ]).ToList();

        var slot = ClusterSlot.Of("r1");
        Assert.All(keys, k => Assert.Equal(slot, ClusterSlot.Of(k)));

        // Without the tag the same keys spread over many slots: the test above is not vacuous.
        var plain = RoomKeysTests.Members.Select(m => ClusterSlot.Of(RoomKeysTests.Build(new RoomKeys("r1"), m))).Distinct().Count();
        Assert.True(plain > 10);
    }

    [Fact]
    public void Room_ids_with_a_trailing_newline_are_tagged_whole()
    {
        var room = new KeySpace(layout: KeyLayout.ClusterSafe).Room("r1\n");
        Assert.Equal("room:{r1\n}:current_frame", (string?)room.CurrentFrame());
        Assert.Equal(ClusterSlot.Of("r1\n"), ClusterSlot.Of(room.Users()));
    }

    [Fact]
    public void Different_rooms_are_usually_in_different_slots()
    {
        var space = new KeySpace(layout: KeyLayout.ClusterSafe);
        var slots = Enumerable.Range(0, 50).Select(i => ClusterSlot.Of(space.Room("room" + i).CurrentFrame())).Distinct().Count();
        Assert.True(slots > 40);
    }

    [Fact]
    public void RedisKey_from_builders_is_a_plain_string_key()
    {
        RedisKey key = new RoomKeys("r1").CurrentFrame();
        Assert.Equal("room:r1:current_frame", key.ToString());
        Assert.Equal((RedisKey)"room:r1:current_frame", key);
    }
}
