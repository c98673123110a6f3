using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Mapping;

public class SelectionMappingTests
{
    [Fact]
    public void Selection_golden_and_round_trip()
    {
        Selection s = SelectionMapping.ParseSelection("room:r1:selections", "particles", TestData.Bytes("[0, 1]"))!;
        Assert.Equal(new Selection("particles", [0, 1]), s);
        Assert.Equal("[0, 1]", (string?)SelectionMapping.FormatIndices(s.Indices));
        Assert.Equal("[]", (string?)SelectionMapping.FormatIndices([]));
        Assert.Equal("[]", (string?)SelectionMapping.FormatIndices(default));

        Selection[] all = SelectionMapping.SelectionsFromHash("room:r1:selections", [new HashEntry(s.Geometry, SelectionMapping.FormatIndices(s.Indices)), new HashEntry("bonds", SelectionMapping.FormatIndices([]))], ex => Assert.Fail(ex.Message));
        Assert.Equal([s, new Selection("bonds", [])], all);
        Assert.Throws<ArgumentOutOfRangeException>(() => SelectionMapping.FormatIndices([-1]));
    }

    [Theory]
    [InlineData("[-1]")]
    [InlineData("[1.5]")]
    [InlineData("[\"1\"]")]
    [InlineData("{}")]
    [InlineData("[1] [2]")]
    [InlineData("[1,")]
    [InlineData("[3000000000]")]
    [InlineData("")]
    public void Bad_selection_is_a_storage_error(string stored)
    {
        var ex = Assert.Throws<StorageDataException>(() => SelectionMapping.ParseSelection("room:r1:selections", "particles", stored));
        Assert.Equal("particles", ex.Field);
    }

    [Fact]
    public void Selection_group_golden_and_round_trip()
    {
        const string stored = "{\"particles\": [0, 2], \"bonds\": []}";
        SelectionGroup g = SelectionMapping.ParseGroup("room:r1:selection_groups", "g1", TestData.Bytes(stored))!;
        Assert.Equal(new SelectionGroup("g1", [new Selection("particles", [0, 2]), new Selection("bonds", [])]), g);
        Assert.Equal(stored, (string?)SelectionMapping.FormatGroup(g));
        Assert.Equal("{}", (string?)SelectionMapping.FormatGroup(new SelectionGroup("e", [])));

        SelectionGroup dup = SelectionMapping.ParseGroup("k", "g", "{\"a\": [1], \"b\": [2], \"a\": [3]}")!;
        Assert.Equal(new SelectionGroup("g", [new Selection("a", [3]), new Selection("b", [2])]), dup);
        Assert.Null(SelectionMapping.ParseGroup("k", "g", RedisValue.Null));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"a\": 1}")]
    [InlineData("{\"a\": [1]} x")]
    [InlineData("{\"a\": [1]")]
    public void Bad_group_is_a_storage_error(string stored)
    {
        Assert.Throws<StorageDataException>(() => SelectionMapping.ParseGroup("k", "g", stored));
    }

    [Fact]
    public void Frame_selection_round_trip()
    {
        FrameSelection f = SelectionMapping.ParseFrameSelection("room:r1:frame_selection:default", FrameSelection.DefaultGroup, "[3, 1, 2]")!;
        Assert.Equal([3, 1, 2], f.Frames.ToArray());
        Assert.Equal("[3, 1, 2]", (string?)SelectionMapping.FormatFrameSelection(f));
        Assert.Equal(f, SelectionMapping.ParseFrameSelection("k", "default", SelectionMapping.FormatFrameSelection(f)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(5000)]
    public void Index_arrays_of_any_length_round_trip(int count)
    {
        int[] frames = [.. Enumerable.Range(0, count).Select(i => (i * 7) % 1000)];
        RedisValue stored = SelectionMapping.FormatFrameSelection(new FrameSelection("default", [.. frames]));
        Assert.Equal(frames, SelectionMapping.ParseFrameSelection("k", "default", stored)!.Frames.ToArray());
        Assert.Equal(frames, SelectionMapping.ParseSelection("k", "particles", stored)!.Indices.ToArray());

        RedisValue group = "{\"particles\": " + (string?)stored + ", \"bonds\": [1], \"particles\": " + (string?)stored + "}";
        SelectionGroup parsed = SelectionMapping.ParseGroup("k", "g", group)!;
        Assert.Equal(new SelectionGroup("g", [new Selection("particles", [.. frames]), new Selection("bonds", [1])]), parsed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(40)]
    [InlineData(100)]
    public void A_bad_element_anywhere_names_the_whole_key(int goodBefore)
    {
        // A prefixed key ("room:r1:" bytes + suffix): its text is built for the error only.
        RedisKey key = new RoomKeys("r1").FrameSelection();
        string prefix = "[" + string.Concat(Enumerable.Range(0, goodBefore).Select(i => i + ", "));
        foreach (string stored in new[] { prefix + "-1]", prefix + "1.5]", prefix + "\"x\"]", prefix + "1", prefix + "1] 2" })
        {
            var ex = Assert.Throws<StorageDataException>(() => SelectionMapping.ParseFrameSelection(key, "default", stored));
            Assert.Equal("room:r1:frame_selection:default", ex.Key);
            Assert.Null(ex.Field);
            var inGroup = Assert.Throws<StorageDataException>(() => SelectionMapping.ParseGroup(new RoomKeys("r1").SelectionGroups(), "g", "{\"a\": " + stored + "}"));
            Assert.Equal("room:r1:selection_groups", inGroup.Key);
            Assert.Equal("g", inGroup.Field);
        }

        Assert.Equal("room:r1:frame_selection:default", Assert.Throws<StorageDataException>(() => SelectionMapping.ParseIndices(key, null, RedisValue.Null)).Key);
    }
}

public class FrameMappingTests
{
    private const string Key = "room:r2:trajectory:indices";

    [Theory]
    [InlineData("r1:0", "r1", 0)]
    [InlineData("r2:15", "r2", 15)]
    [InlineData("7", "r2", 7)]
    [InlineData("a.b-c_d:3", "a.b-c_d", 3)]
    [InlineData("odd:room:4", "odd:room", 4)]
    public void Parses_members_including_legacy_bare_indices(string member, string room, int index)
    {
        Assert.Equal(new FrameIndex(room, index), FrameMapping.ParseMember(Key, "r2", TestData.Bytes(member)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("r1:")]
    [InlineData(":3")]
    [InlineData("r1:-1")]
    [InlineData("r1:+1")]
    [InlineData("r1:1.0")]
    [InlineData("r1:x")]
    [InlineData("-2")]
    [InlineData("r1:99999999999")]
    public void Bad_members_are_storage_errors(string member)
    {
        var ex = Assert.Throws<StorageDataException>(() => FrameMapping.ParseMember(Key, "r2", member));
        Assert.Equal(Key, ex.Key);
        var prefixed = Assert.Throws<StorageDataException>(() => FrameMapping.ParseMember(new RoomKeys("r2").TrajectoryIndices(), "r2", member));
        Assert.Equal(Key, prefixed.Key);
        Assert.Equal(ex.Message, prefixed.Message);
    }

    [Fact]
    public void Entries_round_trip()
    {
        TrajectoryEntry[] entries = [new(new FrameIndex("r1", 0), 1.0), new(new FrameIndex("r2", 3), 1.5)];
        SortedSetEntry[] stored = [.. entries.Select(e => new SortedSetEntry(FrameMapping.FormatMember(e.Frame), e.Score))];
        Assert.Equal("r1:0", (string?)stored[0].Element);
        Assert.Equal(entries, FrameMapping.ParseEntries(Key, "r2", stored));
        Assert.True(entries[0].Frame.IsTemplateFor("r2"));
        Assert.Throws<ArgumentException>(() => FrameMapping.FormatMember(new FrameIndex("a:b", 0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameMapping.FormatMember(new FrameIndex("a", -1)));
    }

    [Fact]
    public void Bookmarks_golden_sorted_and_round_trip()
    {
        HashEntry[] stored = TestData.Hash(("2", "Transition state"), ("0", "Start"), ("10", "caf\u00e9"));
        Bookmark[] bookmarks = FrameMapping.BookmarksFromHash("room:r1:bookmarks", TestData.AsBytes(stored), ex => Assert.Fail(ex.Message));
        Assert.Equal([new Bookmark(0, "Start"), new Bookmark(2, "Transition state"), new Bookmark(10, "caf\u00e9")], bookmarks);
        Assert.Equal(TestData.ToDictionary(stored), TestData.ToDictionary(bookmarks.Select(FrameMapping.ToHashEntry).ToArray()));
        Assert.Equal("2", (string?)FrameMapping.BookmarkField(2));

        Assert.Throws<ArgumentException>(() => FrameMapping.ToHashEntry(new Bookmark(0, "")));
    }

    [Fact]
    public void A_bookmark_listing_leaves_out_and_hands_over_each_unreadable_field_and_label()
    {
        var unreadable = new List<StorageDataException>();
        HashEntry[] stored =
        [
            new("3", "c"), new("two", "x"), new("1", new byte[] { 0x61, 0xFF }), new("-1", "y"), new("99999999999", "z"), new("0", "a"),
        ];
        Bookmark[] bookmarks = FrameMapping.BookmarksFromHash("room:r1:bookmarks", stored, unreadable.Add);

        Assert.Equal([new Bookmark(0, "a"), new Bookmark(3, "c")], bookmarks);
        Assert.Equal(["two", "1", "-1", "99999999999"], unreadable.Select(e => e.Field));
        Assert.All(unreadable, e => Assert.Equal("room:r1:bookmarks", e.Key));
        Assert.Contains("UTF-8", unreadable[1].Message, StringComparison.Ordinal);
        var single = Assert.Throws<StorageDataException>(() => FrameMapping.ParseLabel("room:r1:bookmarks", "1", new byte[] { 0x61, 0xFF }));
        Assert.Equal(("room:r1:bookmarks", "1"), (single.Key, single.Field));
        Assert.Equal("caf\u00e9", FrameMapping.ParseLabel("room:r1:bookmarks", "1", "caf\u00e9"));
    }

    [Fact]
    public void Selection_and_group_listings_leave_out_and_hand_over_each_unreadable_field()
    {
        const string selections = "room:r1:selections";
        const string groups = "room:r1:selection_groups";
        var unreadable = new List<StorageDataException>();

        Selection[] all = SelectionMapping.SelectionsFromHash(
            selections, TestData.AsBytes(TestData.Hash(("particles", "[0, 1]"), ("bonds", "[1, -1]"), ("curve", "{"), ("box", "[]"))), unreadable.Add);
        Assert.Equal([new Selection("particles", [0, 1]), new Selection("box", [])], all);
        Assert.Equal([(selections, "bonds"), (selections, "curve")], unreadable.Select(e => (e.Key, e.Field)));

        unreadable.Clear();
        SelectionGroup[] read = SelectionMapping.GroupsFromHash(
            groups, TestData.AsBytes(TestData.Hash(("g1", "[1]"), ("g2", "{\"particles\": [5]}"), ("g3", "{\"particles\": [1.5]}"))), unreadable.Add);
        Assert.Equal([new SelectionGroup("g2", [new Selection("particles", [5])])], read);
        Assert.Equal([(groups, "g1"), (groups, "g3")], unreadable.Select(e => (e.Key, e.Field)));
    }
}
