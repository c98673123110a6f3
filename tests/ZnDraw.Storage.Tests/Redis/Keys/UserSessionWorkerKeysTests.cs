using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;

namespace ZnDraw.Storage.Tests.Redis.Keys;

public class UserKeysTests
{
    private static readonly KeySpace Cluster = new(layout: KeyLayout.ClusterSafe);

    [Theory]
    [InlineData("alice", "user:alice", "admin:user:alice")]
    [InlineData("user-1a2b3c4d", "user:user-1a2b3c4d", "admin:user:user-1a2b3c4d")]
    [InlineData("celery-fs:worker", "user:celery-fs:worker", "admin:user:celery-fs:worker")]
    [InlineData("a*b", "user:a*b", "admin:user:a*b")]
    [InlineData("Jane Doe", "user:Jane Doe", "admin:user:Jane Doe")]
    [InlineData("{bob}", "user:{bob}", "admin:user:{bob}")]
    [InlineData("Zoë 日本 😀", "user:Zoë 日本 😀", "admin:user:Zoë 日本 😀")]
    public void Default_layout_is_ZnDraw_byte_for_byte(string name, string hash, string admin)
    {
        var user = new UserKeys(name);
        Assert.Equal(hash, (string?)user.HashKey());
        Assert.Equal(admin, (string?)user.AdminKey());
        Assert.Equal(name, user.UserName);
    }

    [Fact]
    public void Prefix_and_cluster_layout()
    {
        var prefixed = new KeySpace("app1:").User("alice");
        Assert.Equal("app1:user:alice", (string?)prefixed.HashKey());
        Assert.Equal("app1:admin:user:alice", (string?)prefixed.AdminKey());

        var tagged = new UserKeys("alice", new KeySpace("app1:", KeyLayout.ClusterSafe));
        Assert.Equal("app1:user:{alice}", (string?)tagged.HashKey());
        Assert.Equal("app1:admin:user:{alice}", (string?)tagged.AdminKey());
        Assert.Equal(ClusterSlot.Of(tagged.HashKey()), ClusterSlot.Of(tagged.AdminKey()));
        Assert.Equal("UserKeys(app1:user:{alice})", tagged.ToString());
    }

    [Theory]
    [InlineData("{bob}")]
    [InlineData("a}b")]
    public void Cluster_layout_refuses_braces(string name)
        => Assert.Equal("userName", Assert.Throws<ArgumentException>(() => Cluster.User(name)).ParamName);

    [Fact]
    public void Default_value_throws()
    {
        Assert.Throws<InvalidOperationException>(() => default(UserKeys).HashKey());
        Assert.Throws<InvalidOperationException>(() => default(UserKeys).AdminKey());
        Assert.Equal("UserKeys(default)", default(UserKeys).ToString());
    }

    [Fact]
    public void Keys_of_the_ZnDraw_layout_allocate_nothing()
    {
        // The builders are made outside the measurement: validating the name is not what is measured.
        var user = new UserKeys("alice");
        var prefixed = new KeySpace("app1:").User("alice");
        _ = (user.HashKey(), prefixed.AdminKey());
        long before = GC.GetAllocatedBytesForCurrentThread();
        RedisKey hash = user.HashKey(), admin = user.AdminKey(), prefixedHash = prefixed.HashKey(), prefixedAdmin = prefixed.AdminKey();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("user:alice", (string?)hash);
        Assert.Equal("admin:user:alice", (string?)admin);
        Assert.Equal("app1:user:alice", (string?)prefixedHash);
        Assert.Equal("app1:admin:user:alice", (string?)prefixedAdmin);
        Assert.Equal((RedisKey)"user:alice", hash);
        Assert.Equal(((RedisKey)"user:alice").GetHashCode(), hash.GetHashCode());
    }

    [Fact]
    public void Key_spaces_used_in_turn_keep_their_own_prefixes()
    {
        var a = new KeySpace("a:");
        var b = new KeySpace("b:", KeyLayout.ClusterSafe);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal("a:user:x", (string?)a.User("x").HashKey());
            Assert.Equal("b:admin:user:{x}", (string?)b.User("x").AdminKey());
            Assert.Equal("user:x", (string?)KeySpace.Default.User("x").HashKey());
            Assert.Equal("a:sid:s", (string?)a.Session("s").Username());
            Assert.Equal("b:sid:{s}:role", (string?)b.Session("s").Role());
            Assert.Equal("sid:s", (string?)KeySpace.Default.Session("s").Username());
        }
    }

    [Fact]
    public void Constructor_validates_arguments()
    {
        Assert.Equal("userName", Assert.Throws<ArgumentNullException>(() => new UserKeys(null!)).ParamName);
        Assert.Equal("userName", Assert.Throws<ArgumentException>(() => new UserKeys(" ")).ParamName);
        Assert.Equal("keySpace", Assert.Throws<ArgumentNullException>(() => new UserKeys("a", null!)).ParamName);
    }
}

public class SessionKeysTests
{
    [Theory]
    [InlineData("AbC123_-xyz", "sid:AbC123_-xyz", "sid:AbC123_-xyz:role")]
    [InlineData("celery:8d9f0c1e-1b2a-4c3d-9e8f-001122334455", "sid:celery:8d9f0c1e-1b2a-4c3d-9e8f-001122334455", "sid:celery:8d9f0c1e-1b2a-4c3d-9e8f-001122334455:role")]
    [InlineData("celery", "sid:celery", "sid:celery:role")]
    public void Default_layout_is_ZnDraw_byte_for_byte(string sid, string username, string role)
    {
        var session = new SessionKeys(sid);
        Assert.Equal(username, (string?)session.Username());
        Assert.Equal(role, (string?)session.Role());
        Assert.Equal(sid, session.Sid);
    }

    [Fact]
    public void Prefix_and_cluster_layout()
    {
        var prefixed = new KeySpace("app1:").Session("s1");
        Assert.Equal("app1:sid:s1", (string?)prefixed.Username());
        Assert.Equal("app1:sid:s1:role", (string?)prefixed.Role());

        var tagged = new SessionKeys("s1", new KeySpace(layout: KeyLayout.ClusterSafe));
        Assert.Equal("sid:{s1}", (string?)tagged.Username());
        Assert.Equal("sid:{s1}:role", (string?)tagged.Role());
        Assert.Equal(ClusterSlot.Of(tagged.Username()), ClusterSlot.Of(tagged.Role()));
        Assert.Equal("SessionKeys(sid:{s1})", tagged.ToString());
    }

    [Theory]
    [InlineData("x:role")]
    [InlineData("celery:role")]
    [InlineData("celery:a:b")]
    public void Sids_that_would_reach_another_sids_keys_are_refused(string sid)
        => Assert.Equal("sid", Assert.Throws<ArgumentException>(() => new SessionKeys(sid)).ParamName);

    [Fact]
    public void Default_value_throws()
    {
        Assert.Throws<InvalidOperationException>(() => default(SessionKeys).Username());
        Assert.Throws<InvalidOperationException>(() => default(SessionKeys).Role());
        Assert.Equal("SessionKeys(default)", default(SessionKeys).ToString());
    }

    [Fact]
    public void The_username_key_of_the_ZnDraw_layout_allocates_nothing()
    {
        var session = new SessionKeys("s1");
        _ = session.Username();
        long before = GC.GetAllocatedBytesForCurrentThread();
        RedisKey key = session.Username();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal("sid:s1", (string?)key);
        Assert.Equal((RedisKey)"sid:s1", key);
        Assert.Equal("SessionKeys(sid:s1)", session.ToString());
    }
}

public class WorkerKeysTests
{
    [Theory]
    [InlineData("s1", "zndraw-storage:worker:s1:registrations")]
    [InlineData("celery:8d9f", "zndraw-storage:worker:celery:8d9f:registrations")]
    public void Registrations_key(string sid, string expected)
    {
        Assert.Equal(expected, (string?)new WorkerKeys(sid).Registrations());
        Assert.Equal("app:" + expected, (string?)new KeySpace("app:").Worker(sid).Registrations());
    }

    [Fact]
    public void Cluster_layout_shares_the_session_slot()
    {
        var space = new KeySpace(layout: KeyLayout.ClusterSafe);
        var worker = space.Worker("s1");
        Assert.Equal("zndraw-storage:worker:{s1}:registrations", (string?)worker.Registrations());
        Assert.Equal(ClusterSlot.Of(space.Session("s1").Username()), ClusterSlot.Of(worker.Registrations()));
        Assert.Equal("s1", worker.Sid);
    }

    [Fact]
    public void Validates_like_a_sid()
    {
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => new WorkerKeys("a:b")).ParamName);
        Assert.Throws<InvalidOperationException>(() => default(WorkerKeys).Registrations());
    }
}

public class JobKeysTests
{
    private const string Job = "0b7f2c1e-3d4a-4b5c-8d6e-7f8091a2b3c4";

    [Fact]
    public void Default_layout_is_ZnDraw_byte_for_byte()
    {
        var job = new JobKeys("r1", Job);
        Assert.Equal("job:" + Job, (string?)job.Hash());
        Assert.Equal("room:r1:jobs:active", (string?)job.Active());
        Assert.Equal("room:r1:jobs:inactive", (string?)job.Inactive());
        Assert.Equal("room:r1:jobs:by_time", (string?)job.ByTime());
        Assert.Equal("room:r1:extension:modifiers:Rotate:jobs", (string?)job.ExtensionJobs("modifiers", "Rotate"));
        Assert.Equal(Job, job.JobId);
        Assert.Equal("r1", job.Room.RoomId);
    }

    [Fact]
    public void Prefix()
    {
        var job = new KeySpace("app1:").Job("r1", "j1");
        Assert.Equal("app1:job:j1", (string?)job.Hash());
        Assert.Equal("app1:room:r1:jobs:active", (string?)job.Active());
    }

    [Fact]
    public void Cluster_layout_puts_the_hash_in_the_rooms_slot()
    {
        var job = new JobKeys("r1", "j1", new KeySpace(layout: KeyLayout.ClusterSafe));
        Assert.Equal("job:{r1}:j1", (string?)job.Hash());
        Assert.Equal("room:{r1}:jobs:by_time", (string?)job.ByTime());
        Assert.Equal(ClusterSlot.Of(job.Active()), ClusterSlot.Of(job.Hash()));
        Assert.Equal("JobKeys(job:{r1}:j1, RoomKeys(room:{r1}:*))", job.ToString());
    }

    [Theory]
    [InlineData("a:b", "job:a:b")]
    [InlineData("{x}", "job:{x}")]
    public void Job_ids_end_the_key_so_any_text_is_accepted(string jobId, string expected)
        => Assert.Equal(expected, (string?)new JobKeys("r1", jobId).Hash());

    [Fact]
    public void Constructor_validates_arguments()
    {
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => new JobKeys("r:1", "j")).ParamName);
        Assert.Equal("jobId", Assert.Throws<ArgumentException>(() => new JobKeys("r1", "")).ParamName);
        Assert.Equal("jobId", Assert.Throws<ArgumentNullException>(() => new JobKeys("r1", null!)).ParamName);
        Assert.Throws<InvalidOperationException>(() => default(JobKeys).Hash());
    }
}
