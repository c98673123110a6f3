using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ZnDraw.Storage.Sql.Tests.Migration;

/// <summary>
/// <see cref="StorageMigration"/> from a Redis key space in ZnDraw's layout (a fresh prefix per test) to a target store:
/// another Redis key space, SQLite, PostgreSQL (the concrete classes below).
/// </summary>
public abstract class StorageMigrationTests(RedisFixture redis, IStoreFactory targets, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _sourcePrefix = RedisFixture.NewId("mig-src") + ":";

    protected TestStore Source { get; private set; } = null!;

    protected TestStore Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Source = await RedisStores.Prefixed(redis).CreateAsync(configure: o => o.KeyPrefix = _sourcePrefix);
        Target = await targets.CreateAsync();
    }

    public async Task DisposeAsync()
    {
        await Source.DisposeAsync();
        await Target.DisposeAsync();
        await MigrationTestData.DeleteKeysAsync(redis, _sourcePrefix);
    }

    private (StorageMigrationEndpoint Source, StorageMigrationEndpoint Target) Endpoints() => MigrationTestData.Endpoints(Source, Target);

    [Fact]
    public async Task Data_written_by_the_redis_backend_is_migrated_verified_and_reads_back_equal_through_the_contracts()
    {
        var seeded = await MigrationTestData.SeedThroughRepositoriesAsync(Source);
        var (source, target) = Endpoints();

        var result = await StorageMigration.MigrateAsync(source, target);

        Assert.Empty(result.Failures);
        Assert.Equal((4L, 4L), (result[StorageMigrationKinds.User].Listed, result[StorageMigrationKinds.User].Copied));
        Assert.Equal((3L, 3L), (result[StorageMigrationKinds.Room].Listed, result[StorageMigrationKinds.Room].Copied));
        Assert.Equal(1L, result[StorageMigrationKinds.DefaultRoom].Copied);
        var verified = await StorageMigration.VerifyAsync(source, target);
        Assert.True(verified.IsMatch, Describe(verified));
        Assert.Equal((2L, 2L), (verified["rooms"].Source, verified["rooms"].Target));
        Assert.Equal(12L, verified["frames"].Target);
        Assert.Equal(7L, verified["chat_messages"].Target);
        Assert.Equal(3L, verified["users"].Target);
        Assert.Equal(2L, verified["admins"].Target);
        await MigrationTestData.AssertSameThroughContractsAsync(Source, Target, seeded);
        await MigrationTestData.AssertChatContinuesAsync(Source, Target, seeded.Rooms[0], seeded.Users[0]);
        await MigrationTestData.AssertChatContinuesAsync(Source, Target, seeded.Rooms[^1], seeded.Users[0]);
    }

    [Fact]
    public async Task Raw_zndraw_layout_data_is_found_by_the_reindex_migrated_and_verified_and_ephemeral_keys_stay_behind()
    {
        var seeded = await MigrationTestData.WriteRawZnDrawAsync(redis.Database, _sourcePrefix);
        var (source, target) = Endpoints();

        var result = await StorageMigration.MigrateAsync(source, target);

        Assert.Empty(result.Failures);
        Assert.Equal((2L, 2L), (result[StorageMigrationKinds.User].Listed, result[StorageMigrationKinds.User].Copied));
        Assert.Equal((1L, 1L), (result[StorageMigrationKinds.Room].Listed, result[StorageMigrationKinds.Room].Copied));
        var verified = await StorageMigration.VerifyAsync(source, target);
        Assert.True(verified.IsMatch, Describe(verified));
        await MigrationTestData.AssertSameThroughContractsAsync(Source, Target, seeded);

        // Spot checks against what ZnDraw wrote (not only source = target).
        string room = MigrationTestData.RawRoom;
        var entries = await Target.Get<IFrameRepository>().GetRangeAsync(room);
        Assert.Equal(
            new (FrameIndex, double)[] { (new FrameIndex(room, 0), 1.0), (new FrameIndex(room, 2), 1.5), (new FrameIndex(room, 1), 2.0), (new FrameIndex("s22", 5), 3.0), (new FrameIndex(room, 7), 4.0) },
            entries.Select(e => (e.Frame, e.Score)));
        var credentials = await Target.Get<IUserRepository>().GetCredentialsAsync("alice");
        Assert.True(ZnDrawPasswordHash.Verify("s3cret", credentials!.PasswordSalt, credentials.PasswordHash));
        Assert.Equal(UserRole.Admin, await Target.Get<IUserRepository>().GetRoleAsync("alice"));
        Assert.Equal(UserRole.Guest, await Target.Get<IUserRepository>().GetRoleAsync("user-1a2b3c4d"));
        var edited = await Target.Get<IChatRepository>().GetAsync(room, $"msg_{room}_2");
        Assert.Equal(("typo fixed", true, 1761912060000L), (edited!.Content, edited.IsEdited, edited.UpdatedAt.ToUnixTimeMilliseconds()));
        Assert.Equal("carbons", await Target.Get<IGeometryRepository>().GetActiveSelectionGroupAsync(room));
        Assert.Equal(DefaultGeometries.All.Count, (await Target.Get<IGeometryRepository>().GetAllAsync(room)).Count);
        Assert.Equal(room, await Target.Get<IRoomRepository>().GetDefaultRoomAsync());
        Assert.Equal(new[] { "alice", "user-1a2b3c4d" }, await Target.Get<IRoomRepository>().GetUsersAsync(room));
        Assert.Null(await Target.Get<ILockRepository>().GetAsync(room, "trajectory:meta"));
        await MigrationTestData.AssertChatContinuesAsync(Source, Target, room, "alice");
    }

    [Fact]
    public async Task A_second_run_skips_every_aggregate_and_reports_progress_monotone_to_the_total()
    {
        await MigrationTestData.SeedThroughRepositoriesAsync(Source);
        var (source, target) = Endpoints();
        var first = new ProgressRecorder();
        await StorageMigration.MigrateAsync(source, target, progress: first);

        var second = new ProgressRecorder();
        var again = await StorageMigration.MigrateAsync(source, target, progress: second);

        Assert.Empty(again.Failures);
        Assert.Equal(0, again.Written);
        Assert.Equal(again.Total, again.Skipped);
        foreach (var reports in new[] { first.Reports, second.Reports })
        {
            Assert.Equal(Enumerable.Range(1, reports.Count).Select(i => (long)i), reports.Select(r => r.Done));
            Assert.All(reports, r => Assert.Equal(again.Total, r.Total));
            Assert.Equal(again.Total, reports[^1].Done);
        }

        Assert.All(second.Reports, r => Assert.Equal(StorageMigrationOutcome.Skipped, r.Outcome));
        var verifyProgress = new ProgressRecorder();
        var verified = await StorageMigration.VerifyAsync(source, target, progress: verifyProgress);
        Assert.True(verified.IsMatch, Describe(verified));
        Assert.Equal(verified.Compared, verifyProgress.Reports[^1].Done);
    }

    [Fact]
    public async Task A_run_cancelled_after_some_aggregates_is_completed_by_a_rerun_that_skips_what_was_done()
    {
        var seeded = await MigrationTestData.SeedThroughRepositoriesAsync(Source, rooms: 4);
        var (source, target) = Endpoints();
        using var cts = new CancellationTokenSource();
        const int K = 6; // every user and two rooms
        var progress = new ProgressRecorder(r =>
        {
            if (r.Done == K)
            {
                cts.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            StorageMigration.MigrateAsync(source, target, new StorageMigrationOptions { MaxDegreeOfParallelism = 1 }, progress, cts.Token));
        Assert.Equal(K, progress.Reports.Count);
        Assert.False((await StorageMigration.VerifyAsync(source, target)).IsMatch);

        var rerun = await StorageMigration.MigrateAsync(source, target);

        Assert.Empty(rerun.Failures);
        Assert.Equal(K, rerun.Skipped);
        Assert.Equal(rerun.Total - K, rerun.Written);
        var verified = await StorageMigration.VerifyAsync(source, target);
        Assert.True(verified.IsMatch, Describe(verified));
        await MigrationTestData.AssertSameThroughContractsAsync(Source, Target, seeded);
    }

    [Fact]
    public async Task A_run_stopped_inside_a_room_leaves_it_incomplete_and_a_rerun_replaces_only_that_room()
    {
        var seeded = await MigrationTestData.SeedThroughRepositoriesAsync(Source, rooms: 3);
        var (source, target) = Endpoints();
        using var cts = new CancellationTokenSource();

        // As a kill would: the second room's trajectory is written, its bookmarks, geometries, chat, ... are not.
        var stopping = new StoppingImport(target.RoomImport!, stopAfterTrajectories: 2, cts);
        var stopped = new StorageMigrationEndpoint(
            target.Users, target.Rooms, target.Frames, target.Bookmarks, target.Geometries, target.Chat, target.Settings, target.RoomContent, stopping);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            StorageMigration.MigrateAsync(source, stopped, new StorageMigrationOptions { MaxDegreeOfParallelism = 1 }, cancellationToken: cts.Token));
        var broken = await StorageMigration.VerifyAsync(source, target);
        var incomplete = Assert.Single(broken.Mismatches, m => m.Kind == StorageMigrationKinds.Room && m.TargetHash is not null);
        Assert.Contains(RoomSnapshotParts.Chat, incomplete.Parts);
        Assert.DoesNotContain(RoomSnapshotParts.Trajectory, incomplete.Parts);

        var rerun = await StorageMigration.MigrateAsync(source, target);

        Assert.Empty(rerun.Failures);
        // The room without a trajectory (chat only) and the first room were complete, the second is replaced, the third copied.
        Assert.Equal((1L, 2L, 1L), (rerun[StorageMigrationKinds.Room].Replaced, rerun[StorageMigrationKinds.Room].Skipped, rerun[StorageMigrationKinds.Room].Copied));
        Assert.Equal(0L, rerun[StorageMigrationKinds.User].Copied + rerun[StorageMigrationKinds.User].Replaced);
        var verified = await StorageMigration.VerifyAsync(source, target);
        Assert.True(verified.IsMatch, Describe(verified));
        await MigrationTestData.AssertSameThroughContractsAsync(Source, Target, seeded);
    }

    [Fact]
    public async Task Verification_lists_what_differs_and_a_rerun_replaces_only_the_differing_parts()
    {
        var seeded = await MigrationTestData.SeedThroughRepositoriesAsync(Source, rooms: 1);
        var (source, target) = Endpoints();
        await StorageMigration.MigrateAsync(source, target);
        string room = seeded.Rooms[0];
        await Target.Get<IChatRepository>().PostAsync(room, seeded.Users[1], "written to the target only");
        Assert.True(await Target.Get<IGeometryRepository>().DeleteAsync(room, "arrows"));
        await Target.Get<IUserRepository>().SetAdminAsync(seeded.Users[1], true);

        var verified = await StorageMigration.VerifyAsync(source, target);

        Assert.False(verified.IsMatch);
        var roomMismatch = Assert.Single(verified.Mismatches, m => m.Kind == StorageMigrationKinds.Room);
        Assert.Equal(room, roomMismatch.Id);
        Assert.Equal(new[] { RoomSnapshotParts.Chat, RoomSnapshotParts.Geometries }, roomMismatch.Parts);
        Assert.NotEqual(roomMismatch.SourceHash, roomMismatch.TargetHash);
        var userMismatch = Assert.Single(verified.Mismatches, m => m.Kind == StorageMigrationKinds.User);
        Assert.Equal(seeded.Users[1], userMismatch.Id);
        Assert.Equal(new[] { "admin" }, userMismatch.Parts);
        Assert.False(verified["chat_messages"].IsMatch);
        Assert.False(verified["geometries"].IsMatch);
        Assert.False(verified["admins"].IsMatch);

        var rerun = await StorageMigration.MigrateAsync(source, target);

        Assert.Equal(1L, rerun[StorageMigrationKinds.Room].Replaced);
        Assert.Equal(1L, rerun[StorageMigrationKinds.User].Replaced);
        Assert.True((await StorageMigration.VerifyAsync(source, target)).IsMatch);
        await MigrationTestData.AssertSameThroughContractsAsync(Source, Target, seeded);
    }

    [Fact]
    public async Task An_unreadable_source_aggregate_is_reported_and_the_others_are_migrated()
    {
        var seeded = await MigrationTestData.SeedThroughRepositoriesAsync(Source, rooms: 1);
        string broken = RedisFixture.NewId("broken");
        await redis.Database.HashSetAsync(_sourcePrefix + "user:" + broken, [new("userName", broken), new("createdAt", "not a time")]);
        await redis.Database.SetAddAsync(_sourcePrefix + "users:index", broken);
        var (source, target) = Endpoints();

        var result = await StorageMigration.MigrateAsync(source, target);

        var failure = Assert.Single(result.Failures);
        Assert.Equal((StorageMigrationKinds.User, broken), (failure.Kind, failure.Id));
        Assert.Equal(1L, result[StorageMigrationKinds.User].Failed);
        Assert.False(await Target.Get<IUserRepository>().ExistsAsync(broken));
        await MigrationTestData.AssertSameThroughContractsAsync(Source, Target, seeded);
        var verified = await StorageMigration.VerifyAsync(source, target);
        var mismatch = Assert.Single(verified.Mismatches);
        Assert.Equal(broken, mismatch.Id);
        Assert.StartsWith("source unreadable", Assert.Single(mismatch.Parts), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_store_twice_a_target_without_import_and_bad_options_are_refused_before_anything_is_written()
    {
        var (source, target) = Endpoints();
        var noImport = new StorageMigrationEndpoint(
            target.Users, target.Rooms, target.Frames, target.Bookmarks, target.Geometries, target.Chat, target.Settings, target.RoomContent);

        await Assert.ThrowsAsync<ArgumentException>(() => StorageMigration.MigrateAsync(source, source));
        await Assert.ThrowsAsync<ArgumentException>(() => StorageMigration.MigrateAsync(source, noImport));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => StorageMigration.MigrateAsync(source, target, new StorageMigrationOptions { MaxDegreeOfParallelism = 0 }));
        await Assert.ThrowsAsync<ArgumentException>(() => StorageMigration.VerifyAsync(source, target, new StorageMigrationOptions { Scope = 0 }));

        // Users only: a target without the room import is enough, and rooms are neither listed nor written.
        await Source.Get<IUserRepository>().CreateAsync(new User("only-user"));
        await Source.Get<IRoomRepository>().CreateAsync("only-room");
        var users = await StorageMigration.MigrateAsync(source, noImport, new StorageMigrationOptions { Scope = StorageMigrationScope.Users });
        Assert.Equal((1L, 0L), (users[StorageMigrationKinds.User].Copied, users[StorageMigrationKinds.Room].Listed));
        Assert.False(await Target.Get<IRoomRepository>().ExistsAsync("only-room"));
    }

    [Fact]
    public async Task Throughput_of_a_first_run_and_of_a_rerun_is_reported()
    {
        const int Users = 200;
        const int Rooms = 100;
        var users = Source.Get<IUserRepository>();
        var rooms = Source.Get<IRoomRepository>();
        var frames = Source.Get<IFrameRepository>();
        var chat = Source.Get<IChatRepository>();
        var geometries = Source.Get<IGeometryRepository>();
        await Parallel.ForEachAsync(Enumerable.Range(0, Users), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            string name = $"user-{i:D4}";
            await users.CreateAsync(new User(name));
            string salt = ZnDrawPasswordHash.NewSalt();
            await users.RegisterPasswordAsync(name, ZnDrawPasswordHash.Compute("pw", salt), salt);
        });
        await Parallel.ForEachAsync(Enumerable.Range(0, Rooms), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, _) =>
        {
            string room = $"room-{i:D4}";
            await rooms.CreateAsync(room, "a room");
            await frames.AppendAsync(room, [.. Enumerable.Range(0, 20).Select(f => new FrameIndex(room, f))]);
            await geometries.SetSelectionAsync(room, new Selection("particles", [1, 2, 3]));
            for (int m = 0; m < 5; m++)
            {
                await chat.PostAsync(room, $"user-{m:D4}", $"message {m}");
            }
        });
        var (source, target) = Endpoints();

        var reindex = System.Diagnostics.Stopwatch.StartNew();
        await source.IndexMaintenance!.ReindexAsync();
        output.WriteLine($"{targets.Name} source reindex (one SCAN of the test server): {reindex.ElapsedMilliseconds} ms");
        var noReindex = new StorageMigrationOptions { ReindexSource = false };
        var first = await StorageMigration.MigrateAsync(source, target, noReindex);
        var second = await StorageMigration.MigrateAsync(source, target, noReindex);
        var verified = await StorageMigration.VerifyAsync(source, target);

        Assert.Empty(first.Failures);
        Assert.Equal(Users + Rooms + 1, first.Total);
        Assert.Equal(first.Total - 1, first.Written); // no default room: nothing to copy (missing)
        Assert.Equal(second.Total - 1, second.Skipped);
        Assert.True(verified.IsMatch, Describe(verified));
        Assert.Equal((long)Rooms * 20, verified["frames"].Target);
        output.WriteLine(MigrationTestData.Throughput($"{targets.Name} first run", first));
        output.WriteLine(MigrationTestData.Throughput($"{targets.Name} re-run", second));
        output.WriteLine($"{targets.Name} verify: {verified.Compared} aggregates in {verified.Elapsed.TotalMilliseconds:F0} ms");
    }

    private static string Describe(StorageVerificationResult result) =>
        string.Join("; ", result.Mismatches.Select(m => $"{m.Kind} {m.Id}: {string.Join(",", m.Parts)}")
            .Concat(result.Counts.Where(c => !c.IsMatch).Select(c => $"{c.Item} {c.Source}≠{c.Target}")));

    /// <summary>Passes every call through and cancels after the <c>n</c>-th trajectory import, as a kill inside a room would stop the run.</summary>
    private sealed class StoppingImport(IRoomContentImport inner, int stopAfterTrajectories, CancellationTokenSource cts) : IRoomContentImport
    {
        private int _trajectories;

        public async ValueTask ReplaceTrajectoryAsync(string roomId, IReadOnlyList<TrajectoryEntry> entries, CancellationToken cancellationToken = default)
        {
            await inner.ReplaceTrajectoryAsync(roomId, entries, cancellationToken);
            if (++_trajectories == stopAfterTrajectories)
            {
                await cts.CancelAsync();
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        public ValueTask ReplaceMembersAsync(string roomId, IReadOnlyList<string> userNames, CancellationToken cancellationToken = default) =>
            inner.ReplaceMembersAsync(roomId, userNames, cancellationToken);

        public ValueTask ReplaceMetadataAsync(string roomId, RoomMetadata? metadata, CancellationToken cancellationToken = default) =>
            inner.ReplaceMetadataAsync(roomId, metadata, cancellationToken);

        public ValueTask SetActiveSelectionGroupAsync(string roomId, string? name, CancellationToken cancellationToken = default) =>
            inner.SetActiveSelectionGroupAsync(roomId, name, cancellationToken);

        public ValueTask ReplaceChatAsync(string roomId, IReadOnlyList<ChatMessage> messages, long counter, CancellationToken cancellationToken = default) =>
            inner.ReplaceChatAsync(roomId, messages, counter, cancellationToken);
    }
}

/// <summary>The part names a verification reports for rooms (as docs/migration.md lists them).</summary>
internal static class RoomSnapshotParts
{
    public const string Chat = "chat";
    public const string Geometries = "geometries";
    public const string Trajectory = "trajectory";
}

[Collection(RedisCollection.Name)]
public sealed class StorageMigrationRedisToRedisTests(RedisFixture redis, ITestOutputHelper output)
    : StorageMigrationTests(redis, RedisStores.Prefixed(redis), output);

[Collection(SqliteCollection.Name)]
public sealed class StorageMigrationRedisToSqliteTests(RedisFixture redis, ITestOutputHelper output)
    : StorageMigrationTests(redis, SqlStores.Sqlite(redis), output);

[Collection(PostgresCollection.Name)]
public sealed class StorageMigrationRedisToPostgresTests(RedisFixture redis, ITestOutputHelper output)
    : StorageMigrationTests(redis, SqlStores.Postgres(redis), output);
