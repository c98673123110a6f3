using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Keys;

public class ExtensionKeysTests
{
    private static readonly KeySpace Cluster = new(layout: KeyLayout.ClusterSafe);

    [Fact]
    public void Room_extension_is_ZnDraw_byte_for_byte()
    {
        var ext = ExtensionKeys.ForExtension("r1", "modifiers", "Rotate");
        Assert.Equal("room:r1:extensions:modifiers", (string?)ext.Schema());
        Assert.Equal("room:r1:extensions:modifiers:Rotate:idle_workers", (string?)ext.IdleWorkers());
        Assert.Equal("room:r1:extensions:modifiers:Rotate:progressing_workers", (string?)ext.ProgressingWorkers());
        Assert.Equal("room:r1:extensions:modifiers:Rotate:queue", (string?)ext.Queue());
        Assert.Equal("room:r1:extensions:modifiers:s1", (string?)ext.UserExtensions("s1"));
        Assert.Equal(("r1", "modifiers", "Rotate", false), (ext.RoomId, ext.Category, ext.Extension, ext.IsGlobal));
        Assert.Equal("ExtensionKeys(room:r1:extensions:modifiers, Rotate)", ext.ToString());
    }

    [Fact]
    public void Global_extension_is_ZnDraw_byte_for_byte()
    {
        var ext = ExtensionKeys.ForGlobalExtension("modifiers", "Rotate");
        Assert.Equal("global:extensions:modifiers", (string?)ext.Schema());
        Assert.Equal("global:extensions:modifiers:Rotate:idle_workers", (string?)ext.IdleWorkers());
        Assert.Equal("global:extensions:modifiers:Rotate:progressing_workers", (string?)ext.ProgressingWorkers());
        Assert.Equal("global:extensions:modifiers:Rotate:queue", (string?)ext.Queue());
        Assert.Equal("global:extensions:modifiers:s1", (string?)ext.UserExtensions("s1"));
        Assert.True(ext.IsGlobal);
        Assert.Null(ext.RoomId);
    }

    [Fact]
    public void Static_builders_are_ZnDraw_byte_for_byte()
    {
        Assert.Equal("room:r1:extensions:selections", (string?)ExtensionKeys.SchemaKey("r1", "selections"));
        Assert.Equal("room:r1:extensions:selections:s1", (string?)ExtensionKeys.UserExtensionsKey("r1", "selections", "s1"));
        Assert.Equal("room:r1:extensions:selections:celery:8d9f", (string?)ExtensionKeys.UserExtensionsKey("r1", "selections", "celery:8d9f"));
        Assert.Equal("global:extensions:analysis", (string?)ExtensionKeys.GlobalSchemaKey("analysis"));
        Assert.Equal("global:extensions:analysis:s1", (string?)ExtensionKeys.GlobalUserExtensionsKey("analysis", "s1"));
    }

    [Fact]
    public void Prefix_applies_to_every_key()
    {
        var space = new KeySpace("app1:");
        var ext = space.Extension("r1", "modifiers", "Rotate");
        Assert.Equal("app1:room:r1:extensions:modifiers", (string?)ext.Schema());
        Assert.Equal("app1:room:r1:extensions:modifiers:Rotate:queue", (string?)ext.Queue());
        Assert.Equal("app1:room:r1:extensions:modifiers:s1", (string?)ext.UserExtensions("s1"));
        var global = space.GlobalExtension("modifiers", "Rotate");
        Assert.Equal("app1:global:extensions:modifiers:Rotate:idle_workers", (string?)global.IdleWorkers());
        Assert.Equal("app1:room:r1:extensions:c", (string?)ExtensionKeys.SchemaKey("r1", "c", space));
        Assert.Equal("app1:room:r1:extensions:c:s", (string?)ExtensionKeys.UserExtensionsKey("r1", "c", "s", space));
        Assert.Equal("app1:global:extensions:c", (string?)ExtensionKeys.GlobalSchemaKey("c", space));
        Assert.Equal("app1:global:extensions:c:s", (string?)ExtensionKeys.GlobalUserExtensionsKey("c", "s", space));
    }

    [Fact]
    public void Cluster_layout_tags_room_and_global_category()
    {
        var ext = Cluster.Extension("r1", "modifiers", "Rotate");
        Assert.Equal("room:{r1}:extensions:modifiers:Rotate:queue", (string?)ext.Queue());
        var global = Cluster.GlobalExtension("modifiers", "Rotate");
        Assert.Equal("global:extensions:{modifiers}", (string?)global.Schema());
        Assert.Equal("global:extensions:{modifiers}:Rotate:queue", (string?)global.Queue());
        Assert.Equal("global:extensions:{modifiers}:s1", (string?)global.UserExtensions("s1"));
        Assert.Equal("global:extensions:{modifiers}:s1", (string?)ExtensionKeys.GlobalUserExtensionsKey("modifiers", "s1", Cluster));

        var slot = ClusterSlot.Of(global.Schema());
        Assert.All(
            new[] { global.IdleWorkers(), global.ProgressingWorkers(), global.Queue(), global.UserExtensions("celery:x"), Cluster.GlobalExtension("modifiers", "Other{x}").Queue() },
            k => Assert.Equal(slot, ClusterSlot.Of(k)));
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("Rotate { x }")]
    [InlineData("*")]
    [InlineData("celery")]
    [InlineData(" ")]
    public void Extension_names_may_contain_any_text(string name)
        => Assert.Equal("room:r1:extensions:c:" + name + ":queue", (string?)ExtensionKeys.ForExtension("r1", "c", name).Queue());

    [Fact]
    public void Arguments_are_validated_with_their_names()
    {
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => ExtensionKeys.ForExtension("r:1", "c", "e")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => ExtensionKeys.ForExtension("r1", "a:b", "e")).ParamName);
        Assert.Equal("extension", Assert.Throws<ArgumentException>(() => ExtensionKeys.ForExtension("r1", "c", "")).ParamName);
        Assert.Equal("extension", Assert.Throws<ArgumentNullException>(() => ExtensionKeys.ForGlobalExtension("c", null!)).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => ExtensionKeys.GlobalSchemaKey("")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => ExtensionKeys.UserExtensionsKey("r1", "c", "Rotate:queue")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => ExtensionKeys.GlobalUserExtensionsKey("c", "celery:queue")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => ExtensionKeys.ForExtension("r1", "c", "e").UserExtensions("a:b")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => Cluster.GlobalExtension("{c}", "e")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => Cluster.GlobalExtension("c", "e").UserExtensions("{s}")).ParamName);
        Assert.Equal("keySpace", Assert.Throws<ArgumentNullException>(() => ExtensionKeys.ForExtension("r1", "c", "e", null!)).ParamName);
    }

    [Fact]
    public void Default_value_throws()
    {
        var ext = default(ExtensionKeys);
        Assert.Throws<InvalidOperationException>(() => ext.Schema());
        Assert.Throws<InvalidOperationException>(() => ext.Queue());
        Assert.Throws<InvalidOperationException>(() => ext.UserExtensions("s1"));
    }
}

public class FilesystemKeysTests
{
    private static readonly KeySpace Cluster = new(layout: KeyLayout.ClusterSafe);

    [Fact]
    public void Room_filesystem_is_ZnDraw_byte_for_byte()
    {
        var fs = FilesystemKeys.ForFilesystem("r1", "local");
        Assert.Equal("room:r1:filesystems:local", (string?)fs.Metadata());
        Assert.Equal("room:r1:filesystems:local:worker", (string?)fs.Worker());
        Assert.Equal("room:r1:filesystems", (string?)fs.Index());
        Assert.Equal("room:r1:filesystems:s1", (string?)fs.UserFilesystems("s1"));
        Assert.Equal("room:r1:filesystems:s1", (string?)FilesystemKeys.UserFilesystemsKey("r1", "s1"));
        Assert.Equal(("r1", "local", false), (fs.RoomId, fs.Name, fs.IsGlobal));
        Assert.Equal("FilesystemKeys(room:r1:filesystems:local)", fs.ToString());
        Assert.Equal(new RoomKeys("r1").FilesystemsIndex(), fs.Index());
    }

    [Fact]
    public void Global_filesystem_is_ZnDraw_byte_for_byte()
    {
        var fs = FilesystemKeys.ForGlobalFilesystem("s3");
        Assert.Equal("global:filesystems:s3", (string?)fs.Metadata());
        Assert.Equal("global:filesystems:s3:worker", (string?)fs.Worker());
        Assert.Equal("global:filesystems", (string?)fs.Index());
        Assert.Equal("global:filesystems:s1", (string?)FilesystemKeys.GlobalUserFilesystemsKey("s1"));
        Assert.Equal("global:filesystems:s1", (string?)fs.UserFilesystems("s1"));
        Assert.True(fs.IsGlobal);
        Assert.Equal(KeySpace.Default.Global.GlobalFilesystemsIndex(), fs.Index());
    }

    [Fact]
    public void Prefix_applies_to_every_key()
    {
        var space = new KeySpace("app1:");
        Assert.Equal("app1:room:r1:filesystems:local:worker", (string?)space.Filesystem("r1", "local").Worker());
        Assert.Equal("app1:global:filesystems:s3", (string?)space.GlobalFilesystem("s3").Metadata());
        Assert.Equal("app1:room:r1:filesystems:s1", (string?)FilesystemKeys.UserFilesystemsKey("r1", "s1", space));
        Assert.Equal("app1:global:filesystems:s1", (string?)FilesystemKeys.GlobalUserFilesystemsKey("s1", space));
    }

    [Fact]
    public void Cluster_layout_puts_all_global_filesystem_keys_in_one_slot()
    {
        var fs = Cluster.GlobalFilesystem("s3");
        Assert.Equal("global:{filesystems}:s3", (string?)fs.Metadata());
        Assert.Equal("global:{filesystems}:s3:worker", (string?)fs.Worker());
        Assert.Equal("global:{filesystems}", (string?)Cluster.Global.GlobalFilesystemsIndex());
        var slot = ClusterSlot.Of(fs.Metadata());
        Assert.All(
            new[] { fs.Worker(), fs.Index(), Cluster.GlobalFilesystem("other").Metadata(), FilesystemKeys.GlobalUserFilesystemsKey("s1", Cluster), Cluster.Global.GlobalFilesystemsIndex() },
            k => Assert.Equal(slot, ClusterSlot.Of(k)));

        var room = Cluster.Filesystem("r1", "local");
        Assert.Equal("room:{r1}:filesystems:local:worker", (string?)room.Worker());
        Assert.Equal(ClusterSlot.Of(Cluster.Room("r1").CurrentFrame()), ClusterSlot.Of(room.Worker()));
    }

    [Theory]
    [InlineData("fs:worker")]
    [InlineData(":worker")]
    [InlineData("a:b:worker")]
    public void Names_ending_in_worker_are_refused(string name)
    {
        Assert.Equal("filesystemName", Assert.Throws<ArgumentException>(() => FilesystemKeys.ForFilesystem("r1", name)).ParamName);
        Assert.Equal("filesystemName", Assert.Throws<ArgumentException>(() => FilesystemKeys.ForGlobalFilesystem(name)).ParamName);
    }

    [Theory]
    [InlineData("worker")]
    [InlineData("a:b")]
    [InlineData("worker:x")]
    [InlineData("my files")]
    public void Other_names_are_accepted(string name)
        => Assert.Equal("room:r1:filesystems:" + name + ":worker", (string?)FilesystemKeys.ForFilesystem("r1", name).Worker());

    [Fact]
    public void Arguments_are_validated_with_their_names()
    {
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => FilesystemKeys.ForFilesystem("", "fs")).ParamName);
        Assert.Equal("filesystemName", Assert.Throws<ArgumentNullException>(() => FilesystemKeys.ForFilesystem("r1", null!)).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => FilesystemKeys.UserFilesystemsKey("r1", "celery:worker")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => FilesystemKeys.GlobalUserFilesystemsKey("fs:worker")).ParamName);
        Assert.Throws<InvalidOperationException>(() => default(FilesystemKeys).Worker());
        Assert.Throws<InvalidOperationException>(() => default(FilesystemKeys).Index());
    }
}

public class GlobalKeysTests
{
    [Fact]
    public void Default_keys()
    {
        var g = new GlobalKeys();
        Assert.Equal("default_room", (string?)g.DefaultRoom());
        Assert.Equal("rooms:index", (string?)g.RoomsIndex());
        Assert.Equal("users:index", (string?)g.UsersIndex());
        Assert.Equal("admins:index", (string?)g.AdminsIndex());
        Assert.Equal("global:filesystems", (string?)g.GlobalFilesystemsIndex());
        Assert.Equal("zndraw-storage:history", (string?)g.HistoryOutbox());
        Assert.Same(KeySpace.Default.Global, KeySpace.Default.Global);
    }

    [Fact]
    public void Prefix_applies_to_every_key()
    {
        var g = new KeySpace("app1:").Global;
        Assert.Equal("app1:default_room", (string?)g.DefaultRoom());
        Assert.Equal("app1:rooms:index", (string?)g.RoomsIndex());
        Assert.Equal("app1:users:index", (string?)g.UsersIndex());
        Assert.Equal("app1:admins:index", (string?)g.AdminsIndex());
        Assert.Equal("app1:global:filesystems", (string?)g.GlobalFilesystemsIndex());
        Assert.Equal("app1:zndraw-storage:history", (string?)g.HistoryOutbox());
        Assert.Equal("GlobalKeys(app1:default_room, app1:rooms:index, ...)", g.ToString());
    }

    [Fact]
    public void Cluster_layout_tags_only_the_filesystem_index()
    {
        var g = new GlobalKeys(new KeySpace(layout: KeyLayout.ClusterSafe));
        Assert.Equal("rooms:index", (string?)g.RoomsIndex());
        Assert.Equal("global:{filesystems}", (string?)g.GlobalFilesystemsIndex());
        Assert.Equal("keySpace", Assert.Throws<ArgumentNullException>(() => new GlobalKeys(null!)).ParamName);
    }
}

public class ExtensionKeysCategoryHeadTests
{
    [Theory]
    [InlineData(KeyLayout.ZnDraw, "")]
    [InlineData(KeyLayout.ZnDraw, "app:")]
    [InlineData(KeyLayout.ClusterSafe, "")]
    [InlineData(KeyLayout.ClusterSafe, "app:")]
    public void Category_head_plus_name_and_suffix_is_the_extensions_own_key(KeyLayout layout, string prefix)
    {
        var space = new KeySpace(prefix, layout);
        foreach (var keys in new[] { space.Extension("r1", "modifiers", "Rotate"), space.GlobalExtension("analysis", "Plot") })
        {
            var head = keys.CategoryHeadText();
            Assert.Equal((string?)keys.IdleWorkers(), head + keys.Extension + ":idle_workers");
            Assert.Equal((string?)keys.ProgressingWorkers(), head + keys.Extension + ":progressing_workers");
            Assert.Equal((string?)keys.Schema() + ":", head);
        }
    }
}

public class ExtensionAndFilesystemKeyTextTests
{
    private static readonly KeySpace Cluster = new(layout: KeyLayout.ClusterSafe);

    [Theory]
    [InlineData(KeyLayout.ZnDraw, "")]
    [InlineData(KeyLayout.ZnDraw, "app:")]
    [InlineData(KeyLayout.ClusterSafe, "")]
    [InlineData(KeyLayout.ClusterSafe, "app:")]
    public void Key_texts_are_the_keys(KeyLayout layout, string prefix)
    {
        var space = new KeySpace(prefix, layout);
        foreach (var keys in new[] { space.Extension("r1", "modifiers", "Rotate"), space.GlobalExtension("analysis", "Plot") })
        {
            Assert.Equal((string?)keys.Schema(), keys.SchemaText());
            Assert.Equal((string?)keys.IdleWorkers(), keys.IdleWorkersText());
            Assert.Equal((string?)keys.ProgressingWorkers(), keys.ProgressingWorkersText());
            Assert.Equal((string?)keys.Queue(), keys.QueueText());
            Assert.Equal((string?)keys.UserExtensions("s1"), keys.UserExtensionsText("s1"));
            Assert.Equal("sid", Assert.Throws<ArgumentException>(() => keys.UserExtensionsText("a:b")).ParamName);
        }

        var (schema, reverse) = ExtensionKeys.ScopeKeys("r1", "modifiers", "s1", space);
        Assert.Equal((string?)ExtensionKeys.SchemaKey("r1", "modifiers", space), (string?)schema);
        Assert.Equal((string?)ExtensionKeys.UserExtensionsKey("r1", "modifiers", "s1", space), (string?)reverse);
        (schema, reverse) = ExtensionKeys.ScopeKeys(null, "analysis", "celery:x", space);
        Assert.Equal((string?)ExtensionKeys.GlobalSchemaKey("analysis", space), (string?)schema);
        Assert.Equal((string?)ExtensionKeys.GlobalUserExtensionsKey("analysis", "celery:x", space), (string?)reverse);
        Assert.Throws<ArgumentException>(() => ExtensionKeys.ScopeKeys("r:1", "modifiers", "s1", space));
        Assert.Throws<ArgumentException>(() => ExtensionKeys.ScopeKeys("r1", "a:b", "s1", space));
        Assert.Throws<ArgumentException>(() => ExtensionKeys.ScopeKeys(null, "c", "a:b", space));

        foreach (var fs in new[] { space.Filesystem("r1", "local"), space.GlobalFilesystem("s3") })
        {
            Assert.Equal((string?)fs.Metadata(), fs.MetadataHeadText() + fs.Name);
            Assert.Equal(fs.MetadataHeadText(), FilesystemKeys.MetadataHeadText(fs.RoomId, space));
            Assert.Equal((string?)fs.Metadata() + ":worker", (string?)fs.Worker());
            Assert.Equal(fs.MetadataHeadText() + "s1", (string?)fs.UserFilesystems("s1"));
        }

        Assert.Equal((string?)space.Room("r1").FilesystemsIndex(), (string?)space.Filesystem("r1", "local").Index());
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => FilesystemKeys.MetadataHeadText("r:1", space)).ParamName);
    }

    [Fact]
    public void Room_extension_keys_of_a_known_extension_allocate_nothing()
    {
        var space = new KeySpace("app:");
        var fs = space.Filesystem("r1", "local");
        StackExchange.Redis.RedisKey schema = default, idle = default, progressing = default, queue = default, index = default;

        // The builders are made outside the measurement (validating ids is not what is measured); a second builder of
        // the same extension finds the first one's cached texts. Tests running in parallel may take the cache slot in
        // between: a few tries.
        long allocated = -1;
        for (int attempt = 0; attempt < 5 && allocated != 0; attempt++)
        {
            var first = space.Extension("r1", "modifiers", "Rotate");
            _ = (first.Schema(), first.IdleWorkers(), first.ProgressingWorkers(), first.Queue(), fs.Index());
            var keys = space.Extension("r1", "modifiers", "Rotate");
            long before = GC.GetAllocatedBytesForCurrentThread();
            (schema, idle, progressing, queue, index) = (keys.Schema(), keys.IdleWorkers(), keys.ProgressingWorkers(), keys.Queue(), fs.Index());
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
        Assert.Equal("app:room:r1:extensions:modifiers", (string?)schema);
        Assert.Equal("app:room:r1:extensions:modifiers:Rotate:idle_workers", (string?)idle);
        Assert.Equal("app:room:r1:extensions:modifiers:Rotate:progressing_workers", (string?)progressing);
        Assert.Equal("app:room:r1:extensions:modifiers:Rotate:queue", (string?)queue);
        Assert.Equal("app:room:r1:filesystems", (string?)index);
    }

    [Fact]
    public void A_cached_extension_is_still_validated_for_the_cluster_safe_layout()
    {
        // The ZnDraw layout accepts braces in a category and caches the pair; the cluster-safe layout must still refuse it.
        Assert.Equal("room:r1:extensions:{c}:e:queue", (string?)KeySpace.Default.Extension("r1", "{c}", "e").Queue());
        Assert.Equal("global:extensions:{c}:e:queue", (string?)KeySpace.Default.GlobalExtension("{c}", "e").Queue());
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => Cluster.Extension("r1", "{c}", "e")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => Cluster.GlobalExtension("{c}", "e")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentNullException>(() => ExtensionKeys.ForExtension("r1", null!, "e")).ParamName);
        Assert.Equal("extension", Assert.Throws<ArgumentNullException>(() => ExtensionKeys.ForExtension("r1", "c", null!)).ParamName);
    }

    [Fact]
    public void Global_extension_keys_are_cached_per_key_space()
    {
        // One cache entry serves several key spaces in turn: each gets its own texts, and a repeat allocates nothing.
        var prefixed = new KeySpace("app2:");
        for (int round = 0; round < 2; round++)
        {
            Assert.Equal("global:extensions:modifiers:Scale:queue", (string?)KeySpace.Default.GlobalExtension("modifiers", "Scale").Queue());
            Assert.Equal("app2:global:extensions:modifiers:Scale:queue", (string?)prefixed.GlobalExtension("modifiers", "Scale").Queue());
            Assert.Equal("global:extensions:{modifiers}:Scale:idle_workers", (string?)Cluster.GlobalExtension("modifiers", "Scale").IdleWorkers());
            Assert.Equal("global:extensions:{modifiers}", (string?)Cluster.GlobalExtension("modifiers", "Scale").Schema());
            Assert.Equal("global:extensions:{modifiers}:Scale:progressing_workers", Cluster.GlobalExtension("modifiers", "Scale").ProgressingWorkersText());
        }

        long allocated = -1;
        for (int attempt = 0; attempt < 5 && allocated != 0; attempt++)
        {
            var first = prefixed.GlobalExtension("modifiers", "Scale");
            _ = (first.Schema(), first.IdleWorkers(), first.ProgressingWorkers(), first.Queue());
            var keys = prefixed.GlobalExtension("modifiers", "Scale");
            long before = GC.GetAllocatedBytesForCurrentThread();
            _ = (keys.Schema(), keys.IdleWorkers(), keys.ProgressingWorkers(), keys.Queue(), keys.QueueText());
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Cached_key_suffixes_never_mix_extensions()
    {
        // Far more (category, extension) pairs than cache slots, read back in another order: every key is its own.
        var cluster = new KeySpace(layout: KeyLayout.ClusterSafe);
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 2000; i++)
            {
                int n = round == 0 ? i : 1999 - i;
                string category = "c" + (n % 7), extension = "e" + n;
                Assert.Equal($"room:r{n % 3}:extensions:{category}:{extension}:queue", (string?)KeySpace.Default.Extension("r" + (n % 3), category, extension).Queue());
                Assert.Equal($"room:{{r1}}:extensions:{category}:{extension}:idle_workers", (string?)cluster.Extension("r1", category, extension).IdleWorkers());
                Assert.Equal($"room:r1:extensions:{category}", (string?)KeySpace.Default.Extension("r1", category, extension).Schema());
            }
        }
    }
}
