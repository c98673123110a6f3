using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Keys;

/// <summary>
/// No two different inputs yield the same key: the dangerous pairs throw, and an exhaustive sweep over hostile ids
/// built from the key words themselves finds no collision beyond the two that ZnDraw's layout defines on purpose.
/// </summary>
public class CollisionTests
{
    // Ids made of the fixed words of the templates, joined by ':' (up to two tokens).
    private static readonly string[] Tokens =
    [
        "a", "celery", "metadata", "worker", "role", "queue", "idle_workers", "progressing_workers", "jobs", "settings",
        "extensions", "filesystems", "user", "lock", "{x}", "",
    ];

    private static readonly string[] Ids = Tokens.Concat(Tokens.SelectMany(a => Tokens.Select(b => a + ":" + b))).Distinct().ToArray();

    [Fact]
    public void Category_with_colon_cannot_be_a_reverse_index()
    {
        Assert.Equal("room:r:extensions:a:b", (string?)ExtensionKeys.UserExtensionsKey("r", "a", "b"));
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => ExtensionKeys.SchemaKey("r", "a:b")).ParamName);
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => ExtensionKeys.GlobalSchemaKey("a:b")).ParamName);
    }

    [Fact]
    public void User_names_with_colon_cannot_shift_the_category()
    {
        var room = new RoomKeys("r");
        Assert.Equal("room:r:user:a:b:c", (string?)room.UserExtensionData("a:b", "c"));
        Assert.Equal("category", Assert.Throws<ArgumentException>(() => room.UserExtensionData("a", "b:c")).ParamName);
    }

    [Fact]
    public void Sid_role_key_cannot_be_another_sids_username_key()
    {
        Assert.Equal("sid:x:role", (string?)new SessionKeys("x").Role());
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => new SessionKeys("x:role")).ParamName);
        Assert.Equal("sid:celery:role", (string?)new SessionKeys("celery").Role());
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => new SessionKeys("celery:role")).ParamName);
    }

    [Theory]
    [InlineData("Rotate:queue")]
    [InlineData("celery:queue")]
    [InlineData("celery:idle_workers")]
    [InlineData("celery:progressing_workers")]
    public void Reverse_index_cannot_be_an_extension_key(string sid)
        => Assert.Equal("sid", Assert.Throws<ArgumentException>(() => ExtensionKeys.UserExtensionsKey("r", "c", sid)).ParamName);

    [Fact]
    public void Celery_reverse_index_stays_apart_from_extension_celery()
    {
        var ext = ExtensionKeys.ForExtension("r", "c", "celery");
        var reverse = ExtensionKeys.UserExtensionsKey("r", "c", "celery:8d9f");
        Assert.NotEqual(ext.Queue(), reverse);
        Assert.Equal("room:r:extensions:c:celery:8d9f", (string?)reverse);
    }

    [Fact]
    public void Lock_of_x_metadata_cannot_be_lock_metadata_of_x()
    {
        var room = new RoomKeys("r");
        Assert.Equal("room:r:lock:x:metadata", (string?)room.LockMetadata("x"));
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => room.Lock("x:metadata")).ParamName);
    }

    [Fact]
    public void Filesystem_x_worker_cannot_be_worker_key_of_x()
    {
        Assert.Equal("room:r:filesystems:fs:worker", (string?)FilesystemKeys.ForFilesystem("r", "fs").Worker());
        Assert.Equal("filesystemName", Assert.Throws<ArgumentException>(() => FilesystemKeys.ForFilesystem("r", "fs:worker")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => FilesystemKeys.UserFilesystemsKey("r", "celery:worker")).ParamName);
    }

    [Fact]
    public void Filesystem_reverse_index_shares_ZnDraws_key_space_with_metadata()
    {
        // ZnDraw's own design (documented hazard): a filesystem named like a sid has the sid's reverse-index key.
        Assert.Equal(FilesystemKeys.ForFilesystem("r", "s1").Metadata(), FilesystemKeys.UserFilesystemsKey("r", "s1"));
        Assert.NotEqual(FilesystemKeys.ForFilesystem("r", "s1").Index(), FilesystemKeys.UserFilesystemsKey("r", "s1"));
    }

    [Fact]
    public void Room_ids_cannot_reach_into_another_room()
    {
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => new RoomKeys("r1:lock")).ParamName);
        Assert.NotEqual(new RoomKeys("r1").CurrentFrame(), new RoomKeys("r1\n").CurrentFrame());
    }

    [Theory]
    [InlineData(KeyLayout.ZnDraw, "")]
    [InlineData(KeyLayout.ZnDraw, "app:")]
    [InlineData(KeyLayout.ClusterSafe, "")]
    public void Exhaustive_sweep_finds_only_the_documented_collisions(KeyLayout layout, string prefix)
    {
        var space = new KeySpace(prefix, layout);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var collisions = new List<string>();

        void Add(string label, Func<RedisKey> build)
        {
            string key;
            try
            {
                key = build()!;
            }
            catch (ArgumentException)
            {
                return; // refused ids build no key
            }

            if (seen.TryGetValue(key, out var other) && other != label)
            {
                collisions.Add($"{key}: {other} / {label}");
            }
            else
            {
                seen[key] = label;
            }
        }

        // Validate each id once per kind, so the pair loops below only build keys (exceptions are slow); that every
        // refused id throws is covered by KeyValidationTests.
        var categories = Accepted(id => KeyValidation.ValidateCategory(id, layout));
        var sids = Accepted(id => KeyValidation.ValidateSessionId(id, layout));
        var names = Accepted(id => KeyValidation.ValidateExtensionName(id));

        string[] rooms = ["r", "r1", "celery"];
        var g = space.Global;
        Add("default_room", g.DefaultRoom);
        Add("rooms:index", g.RoomsIndex);
        Add("users:index", g.UsersIndex);
        Add("admins:index", g.AdminsIndex);
        Add("global fs index", g.GlobalFilesystemsIndex);
        Add("outbox", g.HistoryOutbox);

        foreach (var r in rooms)
        {
            var room = space.Room(r);
            foreach (var m in RoomKeysTests.Members)
            {
                Add($"room {r} {m}", () => RoomKeysTests.Build(room, m));
            }

            foreach (var id in Ids)
            {
                Add($"room {r} lock {id}", () => room.Lock(id));
                Add($"room {r} lockmeta {id}", () => room.LockMetadata(id));
                Add($"room {r} frame_selection {id}", () => room.FrameSelection(id));
                Add($"room {r} user settings {id}", () => room.UserSettings(id));
                Add($"room {r} schema {id}", () => ExtensionKeys.SchemaKey(r, id, space));
                Add($"room {r} fs {id}", () => space.Filesystem(r, id).Metadata());
                Add($"room {r} fs worker {id}", () => space.Filesystem(r, id).Worker());

                // ZnDraw's job hash is job:{job}, the same for every room; the cluster layout adds the room.
                Add(layout == KeyLayout.ZnDraw ? $"job {id}" : $"job {r} {id}", () => space.Job(r, id).Hash());
            }

            foreach (var category in categories)
            {
                foreach (var id in names)
                {
                    // The category "settings" names the settings hash on purpose (ZnDraw's design).
                    Add(category == "settings" ? $"room {r} user settings {id}" : $"room {r} user {id} data {category}", () => room.UserExtensionData(id, category));
                    var ext = space.Extension(r, category, id);
                    Add($"room {r} ext {category} {id} idle", () => ext.IdleWorkers());
                    Add($"room {r} ext {category} {id} progressing", () => ext.ProgressingWorkers());
                    Add($"room {r} ext {category} {id} queue", () => ext.Queue());
                    Add($"room {r} ext {category} {id} jobs", () => room.ExtensionJobs(category, id));
                }

                foreach (var sid in sids)
                {
                    Add($"room {r} ext reverse {category} {sid}", () => ExtensionKeys.UserExtensionsKey(r, category, sid, space));
                }
            }
        }

        foreach (var id in Ids)
        {
            Add($"user {id}", () => space.User(id).HashKey());
            Add($"admin {id}", () => space.User(id).AdminKey());
            Add($"sid {id}", () => space.Session(id).Username());
            Add($"sid role {id}", () => space.Session(id).Role());
            Add($"worker {id}", () => space.Worker(id).Registrations());
            Add($"global schema {id}", () => ExtensionKeys.GlobalSchemaKey(id, space));
            Add($"global fs {id}", () => space.GlobalFilesystem(id).Metadata());
            Add($"global fs worker {id}", () => space.GlobalFilesystem(id).Worker());
        }

        foreach (var category in categories)
        {
            foreach (var id in names)
            {
                var ext = space.GlobalExtension(category, id);
                Add($"global ext {category} {id} idle", () => ext.IdleWorkers());
                Add($"global ext {category} {id} progressing", () => ext.ProgressingWorkers());
                Add($"global ext {category} {id} queue", () => ext.Queue());
            }

            foreach (var sid in sids)
            {
                Add($"global ext reverse {category} {sid}", () => ExtensionKeys.GlobalUserExtensionsKey(category, sid, space));
            }
        }

        // Filesystem reverse indexes last: they may equal a filesystem's metadata hash of the same name (ZnDraw's
        // design, see FilesystemKeys), and nothing else.
        foreach (var r in rooms)
        {
            foreach (var id in Ids)
            {
                Add($"room {r} fs {id}", () => FilesystemKeys.UserFilesystemsKey(r, id, space));
            }
        }

        foreach (var id in Ids)
        {
            Add($"global fs {id}", () => FilesystemKeys.GlobalUserFilesystemsKey(id, space));
        }

        Assert.Empty(collisions);
        Assert.True(seen.Count > 20_000, $"only {seen.Count} keys were built");
    }

    private static List<string> Accepted(Action<string> validate)
    {
        var accepted = new List<string>();
        foreach (var id in Ids)
        {
            try
            {
                validate(id);
                accepted.Add(id);
            }
            catch (ArgumentException)
            {
            }
        }

        return accepted;
    }
}
