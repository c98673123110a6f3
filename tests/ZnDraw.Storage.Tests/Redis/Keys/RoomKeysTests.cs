using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Keys;

public class RoomKeysTests
{
    /// <summary>Every room-scoped key by name, so one table drives the default, prefixed and cluster-safe checks.</summary>
    internal static readonly string[] Members =
    [
        "Description", "Locked", "Hidden", "CurrentFrame", "PresenterLock", "Lock", "LockMetadata", "Bookmarks",
        "Geometries", "Figures", "Selections", "SelectionGroups", "ActiveSelectionGroup", "TrajectoryIndices",
        "ChatIndex", "ChatData", "ChatCounter", "FrameSelection", "FrameSelectionGroup", "Metadata", "Users",
        "UserSettings", "UserExtensionData", "JobsActive", "JobsInactive", "JobsByTime", "ExtensionJobs",
        "FilesystemsIndex", "KeyRegistry",
    ];

    internal static RedisKey Build(RoomKeys k, string member) => member switch
    {
        "Description" => k.Description(),
        "Locked" => k.Locked(),
        "Hidden" => k.Hidden(),
        "CurrentFrame" => k.CurrentFrame(),
        "PresenterLock" => k.PresenterLock(),
        "Lock" => k.Lock("trajectory:meta"),
        "LockMetadata" => k.LockMetadata("trajectory:meta"),
        "Bookmarks" => k.Bookmarks(),
        "Geometries" => k.Geometries(),
        "Figures" => k.Figures(),
        "Selections" => k.Selections(),
        "SelectionGroups" => k.SelectionGroups(),
        "ActiveSelectionGroup" => k.ActiveSelectionGroup(),
        "TrajectoryIndices" => k.TrajectoryIndices(),
        "ChatIndex" => k.ChatIndex(),
        "ChatData" => k.ChatData(),
        "ChatCounter" => k.ChatCounter(),
        "FrameSelection" => k.FrameSelection(),
        "FrameSelectionGroup" => k.FrameSelection("g2"),
        "Metadata" => k.Metadata(),
        "Users" => k.Users(),
        "UserSettings" => k.UserSettings("alice"),
        "UserExtensionData" => k.UserExtensionData("alice", "modifiers"),
        "JobsActive" => k.JobsActive(),
        "JobsInactive" => k.JobsInactive(),
        "JobsByTime" => k.JobsByTime(),
        "ExtensionJobs" => k.ExtensionJobs("modifiers", "Rotate"),
        "FilesystemsIndex" => k.FilesystemsIndex(),
        "KeyRegistry" => k.KeyRegistry(),
        _ => throw new ArgumentOutOfRangeException(nameof(member), member, null),
    };

    [Theory]
    [InlineData("Description", "room:r1:description")]
    [InlineData("Locked", "room:r1:locked")]
    [InlineData("Hidden", "room:r1:hidden")]
    [InlineData("CurrentFrame", "room:r1:current_frame")]
    [InlineData("PresenterLock", "room:r1:presenter_lock")]
    [InlineData("Lock", "room:r1:lock:trajectory:meta")]
    [InlineData("LockMetadata", "room:r1:lock:trajectory:meta:metadata")]
    [InlineData("Bookmarks", "room:r1:bookmarks")]
    [InlineData("Geometries", "room:r1:geometries")]
    [InlineData("Figures", "room:r1:figures")]
    [InlineData("Selections", "room:r1:selections")]
    [InlineData("SelectionGroups", "room:r1:selection_groups")]
    [InlineData("ActiveSelectionGroup", "room:r1:active_selection_group")]
    [InlineData("TrajectoryIndices", "room:r1:trajectory:indices")]
    [InlineData("ChatIndex", "room:r1:chat:index")]
    [InlineData("ChatData", "room:r1:chat:data")]
    [InlineData("ChatCounter", "room:r1:chat:counter")]
    [InlineData("FrameSelection", "room:r1:frame_selection:default")]
    [InlineData("FrameSelectionGroup", "room:r1:frame_selection:g2")]
    [InlineData("Metadata", "room:r1:metadata")]
    [InlineData("Users", "room:r1:users")]
    [InlineData("UserSettings", "room:r1:user:alice:settings")]
    [InlineData("UserExtensionData", "room:r1:user:alice:modifiers")]
    [InlineData("JobsActive", "room:r1:jobs:active")]
    [InlineData("JobsInactive", "room:r1:jobs:inactive")]
    [InlineData("JobsByTime", "room:r1:jobs:by_time")]
    [InlineData("ExtensionJobs", "room:r1:extension:modifiers:Rotate:jobs")]
    [InlineData("FilesystemsIndex", "room:r1:filesystems")]
    [InlineData("KeyRegistry", "room:r1:keys")]
    public void Default_layout_is_ZnDraw_byte_for_byte(string member, string expected)
    {
        Assert.Equal(expected, (string?)Build(new RoomKeys("r1"), member));
        Assert.Equal(expected, (string?)Build(KeySpace.Default.Room("r1"), member));
    }

    [Fact]
    public void Table_covers_every_member() => Assert.Equal(29, Members.Length);

    [Theory]
    [InlineData("Description", "app1:room:r1:description")]
    [InlineData("Lock", "app1:room:r1:lock:trajectory:meta")]
    [InlineData("UserExtensionData", "app1:room:r1:user:alice:modifiers")]
    [InlineData("ExtensionJobs", "app1:room:r1:extension:modifiers:Rotate:jobs")]
    public void Prefix_is_prepended_verbatim(string member, string expected)
        => Assert.Equal(expected, (string?)Build(new RoomKeys("r1", new KeySpace("app1:")), member));

    [Fact]
    public void Prefix_applies_to_every_member()
    {
        var plain = new RoomKeys("r1");
        var prefixed = new RoomKeys("r1", new KeySpace("app1:"));
        foreach (var member in Members)
        {
            Assert.Equal("app1:" + (string?)Build(plain, member), (string?)Build(prefixed, member));
        }
    }

    [Theory]
    [InlineData("CurrentFrame", "room:{r1}:current_frame")]
    [InlineData("Lock", "room:{r1}:lock:trajectory:meta")]
    [InlineData("LockMetadata", "room:{r1}:lock:trajectory:meta:metadata")]
    [InlineData("UserSettings", "room:{r1}:user:alice:settings")]
    [InlineData("JobsActive", "room:{r1}:jobs:active")]
    [InlineData("ExtensionJobs", "room:{r1}:extension:modifiers:Rotate:jobs")]
    [InlineData("FilesystemsIndex", "room:{r1}:filesystems")]
    [InlineData("KeyRegistry", "room:{r1}:keys")]
    public void Cluster_layout_tags_the_room_id(string member, string expected)
        => Assert.Equal(expected, (string?)Build(new RoomKeys("r1", new KeySpace(layout: KeyLayout.ClusterSafe)), member));

    [Fact]
    public void Cluster_layout_only_adds_the_tag()
    {
        var plain = new RoomKeys("r1");
        var tagged = new RoomKeys("r1", new KeySpace(layout: KeyLayout.ClusterSafe));
        foreach (var member in Members)
        {
            Assert.Equal(((string)Build(plain, member)!).Replace("room:r1:", "room:{r1}:", StringComparison.Ordinal), (string?)Build(tagged, member));
        }
    }

    [Fact]
    public void UserSettings_is_UserExtensionData_of_category_settings()
    {
        var room = new RoomKeys("r1");
        Assert.Equal(room.UserSettings("bob"), room.UserExtensionData("bob", "settings"));
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("user*")]
    [InlineData("ü name")]
    [InlineData("{bob}")]
    public void User_names_with_odd_characters_are_accepted(string user)
        => Assert.Equal("room:r1:user:" + user + ":settings", (string?)new RoomKeys("r1").UserSettings(user));

    [Fact]
    public void Trailing_newline_room_id_is_kept_verbatim()
        => Assert.Equal("room:r1\n:current_frame", (string?)new RoomKeys("r1\n").CurrentFrame());

    [Fact]
    public void Key_ToString_is_the_exact_key()
        => Assert.Equal("room:r1:lock:trajectory:meta", new RoomKeys("r1").Lock("trajectory:meta").ToString());

    [Fact]
    public void Builder_ToString_and_RoomId_describe_the_room()
    {
        var room = new RoomKeys("r1", new KeySpace("app:", KeyLayout.ClusterSafe));
        Assert.Equal("r1", room.RoomId);
        Assert.Equal("RoomKeys(app:room:{r1}:*)", room.ToString());
    }

    [Fact]
    public void Default_value_throws_instead_of_building_a_key()
    {
        var room = default(RoomKeys);
        Assert.Throws<InvalidOperationException>(() => room.CurrentFrame());
        Assert.Throws<InvalidOperationException>(() => room.Lock("t"));
        Assert.Equal("RoomKeys(default)", room.ToString());
    }

    [Theory]
    [InlineData("x:metadata")]
    [InlineData("trajectory:meta:metadata")]
    [InlineData(":metadata")]
    public void Lock_targets_ending_in_metadata_are_refused(string target)
    {
        var room = new RoomKeys("r1");
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => room.Lock(target)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => room.LockMetadata(target)).ParamName);
    }

    [Theory]
    [InlineData("metadata", "room:r1:lock:metadata")]
    [InlineData("metadata:x", "room:r1:lock:metadata:x")]
    [InlineData("a b*{}", "room:r1:lock:a b*{}")]
    public void Other_lock_targets_are_accepted(string target, string expected)
        => Assert.Equal(expected, (string?)new RoomKeys("r1").Lock(target));

    [Fact]
    public void Per_call_arguments_are_validated_with_their_names()
    {
        var room = new RoomKeys("r1");
        Assert.Equal("target", Assert.Throws<ArgumentNullException>(() => room.Lock(null!)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => room.LockMetadata("")).ParamName);
        Assert.Equal("group", Assert.Throws<ArgumentException>(() => room.FrameSelection("")).ParamName);
        Assert.Equal("userName", Assert.Throws<ArgumentException>(() => room.UserSettings(" bob")).ParamName);
        Assert.Equal("userName", Assert.Throws<ArgumentException>(() => room.UserExtensionData("bob\n", "c")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => room.UserExtensionData("bob", "a:b")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => room.ExtensionJobs("", "e")).ParamName);
        Assert.Equal("extension", Assert.Throws<ArgumentException>(() => room.ExtensionJobs("c", "")).ParamName);
    }

    [Fact]
    public void Cluster_layout_refuses_braces_in_user_names_and_categories()
    {
        var room = new RoomKeys("r1", new KeySpace(layout: KeyLayout.ClusterSafe));
        Assert.Equal("userName", Assert.Throws<ArgumentException>(() => room.UserSettings("{bob}")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => room.ExtensionJobs("{c}", "e")).ParamName);
        Assert.Equal("room:{r1}:extension:c:{e}:jobs", (string?)room.ExtensionJobs("c", "{e}"));
    }

    [Fact]
    public void Constructor_validates_arguments()
    {
        Assert.Equal("roomId", Assert.Throws<ArgumentNullException>(() => new RoomKeys(null!)).ParamName);
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => new RoomKeys("a:b")).ParamName);
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => KeySpace.Default.Room("a b")).ParamName);
        Assert.Equal("keySpace", Assert.Throws<ArgumentNullException>(() => new RoomKeys("r1", null!)).ParamName);
    }
}
