using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Keys;

/// <summary>
/// <see cref="ScannedKey.Read"/>, the one reading of key names behind the reindex, the index reconciler and the check:
/// each name the key builders write is read back as what it is, in both layouts and under a prefix; names the library
/// refuses or cannot build back are <see cref="ScannedKeyKind.Refused"/> or <see cref="ScannedKeyKind.Other"/>.
/// </summary>
public sealed class ScannedKeyTests
{
    private static readonly KeySpace ZnDraw = new("p:");
    private static readonly KeySpace ClusterSafe = new("p:", KeyLayout.ClusterSafe);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Names_the_key_builders_write_are_read_back(bool clusterSafe)
    {
        KeySpace space = clusterSafe ? ClusterSafe : ZnDraw;

        ScannedKey room = ScannedKey.Read(space, space.Room("r-1").CurrentFrame().ToString());
        Assert.Equal((ScannedKeyKind.Room, "r-1", "current_frame"), (room.Kind, room.RoomId, room.RoomSuffix.ToString()));
        Assert.Null(room.WorkerSet);

        ScannedKey user = ScannedKey.Read(space, space.User("alice").HashKey().ToString());
        Assert.Equal((ScannedKeyKind.User, "alice"), (user.Kind, user.Id));
        ScannedKey admin = ScannedKey.Read(space, space.User("alice").AdminKey().ToString());
        Assert.Equal((ScannedKeyKind.Admin, "alice"), (admin.Kind, admin.Id));

        ExtensionKeys roomExtension = ExtensionKeys.ForExtension("r-1", "modifiers", "Rotate", space);
        ScannedKey roomWorkers = ScannedKey.Read(space, roomExtension.IdleWorkersText());
        Assert.Equal((ScannedKeyKind.Room, "r-1"), (roomWorkers.Kind, roomWorkers.RoomId));
        Assert.Equal(("r-1", "modifiers"), (roomWorkers.WorkerSet!.RoomId, roomWorkers.WorkerSet.Category));

        ExtensionKeys global = ExtensionKeys.ForGlobalExtension("analysis", "Plot", space);
        ScannedKey globalWorkers = ScannedKey.Read(space, global.ProgressingWorkersText());
        Assert.Equal(ScannedKeyKind.GlobalWorkerSet, globalWorkers.Kind);
        Assert.Equal((null, "analysis", global.ProgressingWorkersText()), (globalWorkers.WorkerSet!.RoomId, globalWorkers.WorkerSet.Category, globalWorkers.WorkerSet.Key));
    }

    [Fact]
    public void Job_hashes_carry_their_room_only_in_the_cluster_safe_layout()
    {
        ScannedKey zndraw = ScannedKey.Read(ZnDraw, "p:job:j-1");
        Assert.Equal((ScannedKeyKind.Job, null, "j-1"), (zndraw.Kind, zndraw.RoomId, zndraw.Id));
        ScannedKey tagged = ScannedKey.Read(ClusterSafe, "p:job:{r-1}:j-1");
        Assert.Equal((ScannedKeyKind.Job, "r-1", "j-1"), (tagged.Kind, tagged.RoomId, tagged.Id));
        Assert.Equal(ScannedKeyKind.Other, ScannedKey.Read(ZnDraw, "p:job:a:b").Kind);
        Assert.Equal(ScannedKeyKind.Other, ScannedKey.Read(ClusterSafe, "p:job:{r-1}:").Kind);
    }

    [Theory]
    [InlineData("p:room:bad id:current_frame", "Refused")] // a room id ZnDraw's rule refuses
    [InlineData("p:room::current_frame", "Refused")]
    [InlineData("p:user:", "Refused")] // an empty user name, which the builder refuses
    [InlineData("q:room:r1:current_frame", "Other")] // another prefix
    [InlineData("p:rooms:index", "Other")]
    [InlineData("p:room:r1:extensions:modifiers:idle_workers", "Room")] // no extension name: a room key, no worker set
    [InlineData("p:global:extensions:modifiers:Rotate:busy", "Other")]
    public void Names_the_library_would_not_write_are_not_taken_for_its_keys(string key, string kind)
    {
        ScannedKey scanned = ScannedKey.Read(ZnDraw, key);
        Assert.Equal(kind, scanned.Kind.ToString());
        Assert.Null(scanned.WorkerSet);
    }

    [Fact]
    public void A_zndraw_layout_name_read_in_the_cluster_safe_layout_is_refused()
    {
        Assert.Equal(ScannedKeyKind.Refused, ScannedKey.Read(ClusterSafe, ZnDraw.Room("r-1").CurrentFrame().ToString()).Kind);
        Assert.Equal(ScannedKeyKind.Refused, ScannedKey.Read(ClusterSafe, ZnDraw.User("alice").HashKey().ToString()).Kind);
    }
}
