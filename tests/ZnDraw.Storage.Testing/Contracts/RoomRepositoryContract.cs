using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IRoomRepository"/> that any backend must show.</summary>
public abstract class RoomRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IRoomRepository Rooms => Store.Get<IRoomRepository>();

    // ---------------------------------------------------------------- create and read

    [Fact]
    public async Task A_created_room_exists_reads_back_and_is_listed()
    {
        string id = NewId("room");
        Assert.False(await Rooms.ExistsAsync(id));
        Assert.Null(await Rooms.GetByIdAsync(id));

        Assert.True(await Rooms.CreateAsync(id, "Water box"));

        Assert.True(await Rooms.ExistsAsync(id));
        Assert.Equal(new Room(id, "Water box"), await Rooms.GetByIdAsync(id));
        Assert.Equal(new Room(id, "Water box", FrameCount: 0), await Rooms.GetWithFrameCountAsync(id));
        Assert.Equal("Water box", await Rooms.GetDescriptionAsync(id));
        Assert.Contains(id, await Rooms.ListAllAsync());
    }

    [Fact]
    public async Task A_created_room_holds_zndraws_default_geometries()
    {
        string id = NewId("room");

        await Rooms.CreateAsync(id);

        IReadOnlyList<KeyValuePair<string, Geometry>> geometries = await Store.Get<IGeometryRepository>().GetAllAsync(id);
        Assert.Equal(DefaultGeometries.All.Select(g => g.Name).Order(StringComparer.Ordinal), geometries.Select(g => g.Key).Order(StringComparer.Ordinal));
        foreach (DefaultGeometry expected in DefaultGeometries.All)
        {
            using var json = JsonDocument.Parse(expected.Json);
            Geometry actual = geometries.Single(g => g.Key == expected.Name).Value;
            Assert.Equal(new Geometry(expected.Type, json.RootElement.GetProperty("data").Clone()), actual);
        }
    }

    [Fact]
    public async Task A_second_create_returns_false_and_changes_nothing()
    {
        string id = NewId("room");
        Assert.True(await Rooms.CreateAsync(id));
        Assert.True(await Rooms.SetCurrentFrameAsync(id, 7));

        Assert.False(await Rooms.CreateAsync(id, "other"));

        Assert.Equal(new Room(id, null, CurrentFrame: 7), await Rooms.GetByIdAsync(id));
    }

    [Fact]
    public async Task Of_sixteen_concurrent_creates_of_one_id_exactly_one_wins_and_its_values_stay_whole()
    {
        string id = NewId("room");

        bool[] results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Rooms.CreateAsync(id, $"by {i}").AsTask()));

        Assert.Equal(1, results.Count(r => r));
        int winner = Array.IndexOf(results, true);
        Assert.Equal(new Room(id, $"by {winner}", FrameCount: 0), await Rooms.GetWithFrameCountAsync(id));
        Assert.Equal(DefaultGeometries.All.Count, (await Store.Get<IGeometryRepository>().ListNamesAsync(id)).Count);
        Assert.Single(await Rooms.ListAllAsync(), r => r == id);
    }

    [Fact]
    public async Task A_missing_room_reads_as_null_empty_or_zero()
    {
        string id = NewId("room");

        Assert.Null(await Rooms.GetWithFrameCountAsync(id));
        Assert.Null(await Rooms.GetDescriptionAsync(id));
        Assert.Null(await Rooms.GetMetadataAsync(id));
        Assert.Empty(await Rooms.GetUsersAsync(id));
        Assert.False(await Rooms.DeleteMetadataFieldAsync(id, "file_size"));
        Assert.DoesNotContain(id, await Rooms.ListAllAsync());
    }

    [Fact]
    public async Task The_frame_count_follows_the_trajectory()
    {
        string id = NewId("room");
        await Rooms.CreateAsync(id);
        await Store.Get<IFrameRepository>().AppendAsync(id, [new(id, 0), new(id, 1), new("other", 4)]);

        Assert.Equal(3, await Store.Get<IFrameRepository>().CountAsync(id));
        Assert.Equal(new Room(id, FrameCount: 3), await Rooms.GetWithFrameCountAsync(id));
        Assert.Equal(new Room(id), await Rooms.GetByIdAsync(id));
    }

    [Fact]
    public async Task The_listing_is_sorted_ordinally()
    {
        string tag = NewId("l");
        string[] ids = [tag + "b", tag + "a", tag + "B", tag + "a-1", tag + "_z"];
        foreach (string id in ids)
        {
            Assert.True(await Rooms.CreateAsync(id));
        }

        IReadOnlyList<string> list = await Rooms.ListAllAsync();

        Assert.Equal(list.Order(StringComparer.Ordinal), list);
        Assert.Equal([tag + "B", tag + "_z", tag + "a", tag + "a-1", tag + "b"], list.Where(ids.Contains));
        if (!Backend.Capabilities.SharesKeySpaceWithOtherTests)
        {
            Assert.Equal(ids.Length, list.Count);
        }
    }

    // ---------------------------------------------------------------- save and setters

    [Fact]
    public async Task Save_creates_or_replaces_the_room_and_ignores_the_frame_count()
    {
        string id = NewId("room");

        await Rooms.SaveAsync(new Room(id, "desc", Locked: true, Hidden: false, CurrentFrame: 4, FrameCount: 99));

        Assert.Equal(new Room(id, "desc", true, false, 4, 0), await Rooms.GetWithFrameCountAsync(id));
        Assert.Contains(id, await Rooms.ListAllAsync());
        Assert.Empty(await Store.Get<IGeometryRepository>().ListNamesAsync(id)); // no default geometries

        await Rooms.SaveAsync(new Room(id, null, Locked: false, Hidden: true, CurrentFrame: 0));
        Assert.Equal(new Room(id, null, false, true, 0), await Rooms.GetByIdAsync(id));
        Assert.Null(await Rooms.GetDescriptionAsync(id));
    }

    [Fact]
    public async Task Save_refuses_a_negative_frame_and_a_null_room()
    {
        string id = NewId("room");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Rooms.SaveAsync(new Room(id, CurrentFrame: -1)));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Rooms.SaveAsync(null!));

        Assert.False(await Rooms.ExistsAsync(id));
    }

    [Fact]
    public async Task Setters_of_a_missing_room_return_false_and_never_create_it()
    {
        string id = NewId("room");

        Assert.False(await Rooms.SetCurrentFrameAsync(id, 3));
        Assert.False(await Rooms.SetLockedAsync(id, true));
        Assert.False(await Rooms.SetHiddenAsync(id, true));
        Assert.False(await Rooms.SetDescriptionAsync(id, "x"));
        Assert.False(await Rooms.SetMetadataAsync(id, RoomMetadata.ForFile("a.xyz", 1, DateTimeOffset.UnixEpoch)));

        Assert.False(await Rooms.ExistsAsync(id));
        Assert.Null(await Rooms.GetDescriptionAsync(id));
        Assert.Null(await Rooms.GetMetadataAsync(id));
        Assert.DoesNotContain(id, await Rooms.ListAllAsync());
    }

    [Fact]
    public async Task Setters_change_the_room()
    {
        string id = NewId("room");
        await Rooms.CreateAsync(id);

        Assert.True(await Rooms.SetCurrentFrameAsync(id, 5));
        Assert.True(await Rooms.SetLockedAsync(id, true));
        Assert.True(await Rooms.SetHiddenAsync(id, true));
        Assert.True(await Rooms.SetDescriptionAsync(id, "Ünïcode ✓"));
        Assert.Equal(new Room(id, "Ünïcode ✓", true, true, 5), await Rooms.GetByIdAsync(id));

        Assert.True(await Rooms.SetLockedAsync(id, false));
        Assert.True(await Rooms.SetDescriptionAsync(id, null));
        Assert.Equal(new Room(id, null, false, true, 5), await Rooms.GetByIdAsync(id));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Rooms.SetCurrentFrameAsync(id, -1));
        Assert.Equal(5, (await Rooms.GetByIdAsync(id))!.CurrentFrame);
    }

    // ---------------------------------------------------------------- metadata

    [Fact]
    public async Task Metadata_fields_are_written_merged_and_deleted_one_by_one()
    {
        string id = NewId("room");
        await Rooms.CreateAsync(id);
        var modified = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

        Assert.True(await Rooms.SetMetadataAsync(id, RoomMetadata.ForFile("b/c.h5", 2048, modified)));
        RoomMetadata metadata = (await Rooms.GetMetadataAsync(id))!;
        Assert.Equal("b/c.h5", metadata.RelativeFilePath);
        Assert.Equal(2048, metadata.FileSize);
        Assert.Equal(modified, metadata.FileModified);

        Assert.True(await Rooms.SetMetadataAsync(id, new RoomMetadata([new("extra", "kept")])));
        Assert.True(await Rooms.DeleteMetadataFieldAsync(id, "file_size"));
        Assert.False(await Rooms.DeleteMetadataFieldAsync(id, "file_size"));
        RoomMetadata after = (await Rooms.GetMetadataAsync(id))!;
        Assert.Null(after.FileSize);
        Assert.Equal("kept", after["extra"]);
        Assert.Equal("b/c.h5", after.RelativeFilePath);
    }

    [Fact]
    public async Task Metadata_arguments_are_checked_before_anything_is_written()
    {
        string id = NewId("room");
        await Rooms.CreateAsync(id);

        await Assert.ThrowsAsync<ArgumentException>(async () => await Rooms.SetMetadataAsync(id, new RoomMetadata([])));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Rooms.SetMetadataAsync(id, new RoomMetadata([new("", "v")])));
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Rooms.SetMetadataAsync(id, null!));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.DeleteMetadataFieldAsync(id, ""));

        Assert.Null(await Rooms.GetMetadataAsync(id));
    }

    // ---------------------------------------------------------------- users and the default room

    [Fact]
    public async Task Add_user_records_membership_and_the_users_current_room()
    {
        string id = NewId("room");
        string user = NewId("user") + " with:colon";
        string alice = NewId("alice");
        var users = Store.Get<IUserRepository>();
        await Rooms.CreateAsync(id);
        await users.CreateAsync(new User(user));
        await users.CreateAsync(new User(alice));

        Assert.True(await Rooms.AddUserAsync(id, user));
        Assert.True(await Rooms.AddUserAsync(id, user));
        Assert.True(await Rooms.AddUserAsync(id, alice));

        Assert.Equal(new[] { alice, user }.Order(StringComparer.Ordinal), await Rooms.GetUsersAsync(id));
        Assert.Equal(id, (await users.GetByIdAsync(user))!.CurrentRoom);
    }

    [Fact]
    public async Task Add_user_of_a_missing_user_returns_false_and_creates_no_user()
    {
        string id = NewId("room");
        string ghost = NewId("ghost");
        await Rooms.CreateAsync(id);

        Assert.False(await Rooms.AddUserAsync(id, ghost));

        Assert.Empty(await Rooms.GetUsersAsync(id));
        Assert.False(await Store.Get<IUserRepository>().ExistsAsync(ghost));
    }

    [Fact]
    public async Task Add_user_racing_the_users_deletion_never_leaves_a_half_written_user()
    {
        string id = NewId("room");
        var users = Store.Get<IUserRepository>();
        IRoomRepository rooms = Rooms;
        await Rooms.CreateAsync(id);
        string[] names = [.. Enumerable.Range(0, 24).Select(_ => NewId("user"))];
        foreach (string name in names)
        {
            await users.CreateAsync(new User(name));
        }

        using var start = new ManualResetEventSlim(false);
        Task<bool>[] adds = [.. names.Select(name => Task.Run(async () => { start.Wait(); return await rooms.AddUserAsync(id, name); }))];
        Task<bool>[] deletes = [.. names.Select(name => Task.Run(async () => { start.Wait(); return await users.DeleteAsync(name); }))];
        start.Set();
        await Task.WhenAll(adds);
        await Task.WhenAll(deletes);

        Assert.All(deletes, d => Assert.True(d.Result));
        foreach (string name in names)
        {
            Assert.False(await users.ExistsAsync(name));
            Assert.Null(await users.GetByIdAsync(name));
        }

        IReadOnlyList<string> members = await Rooms.GetUsersAsync(id);
        Assert.All(members, m => Assert.Contains(m, names));
    }

    [Fact]
    public async Task The_default_room_is_set_only_for_an_existing_room_and_cleared_once()
    {
        string id = NewId("room");
        string missing = NewId("missing");
        await Rooms.ClearDefaultRoomAsync();
        await Rooms.CreateAsync(id);

        Assert.Null(await Rooms.GetDefaultRoomAsync());
        Assert.False(await Rooms.SetDefaultRoomAsync(missing));
        Assert.Null(await Rooms.GetDefaultRoomAsync());
        Assert.True(await Rooms.SetDefaultRoomAsync(id));
        Assert.Equal(id, await Rooms.GetDefaultRoomAsync());
        Assert.True(await Rooms.ClearDefaultRoomAsync());
        Assert.False(await Rooms.ClearDefaultRoomAsync());
        Assert.Null(await Rooms.GetDefaultRoomAsync());
    }

    // ---------------------------------------------------------------- copy

    [Fact]
    public async Task Copy_copies_frames_geometries_and_bookmarks_only()
    {
        string source = NewId("src");
        string target = NewId("dst");
        var frames = Store.Get<IFrameRepository>();
        var geometries = Store.Get<IGeometryRepository>();
        var bookmarks = Store.Get<IBookmarkRepository>();
        await Rooms.CreateAsync(source, "source");
        await frames.AppendAsync(source, [new(source, 0), new("tmpl", 3), new(source, 1)]);
        await geometries.SetAsync(source, "extra", new Geometry("Box", Json("{}")));
        await geometries.SetSelectionAsync(source, new Selection("particles", [0, 1]));
        await bookmarks.SetAsync(source, 0, "start");
        await bookmarks.SetAsync(source, 2, "end");
        await Rooms.SetMetadataAsync(source, new RoomMetadata([new("relative_file_path", "x.xyz")]));
        await Rooms.SetCurrentFrameAsync(source, 2);
        await Rooms.SetLockedAsync(source, true);

        Assert.Equal(RoomCopyResult.Copied, await Rooms.CopyAsync(source, target, "copy"));

        Assert.Equal(await frames.GetRangeAsync(source), await frames.GetRangeAsync(target));
        Assert.Equal(ByName(await geometries.GetAllAsync(source)), ByName(await geometries.GetAllAsync(target)));
        Assert.Equal(DefaultGeometries.All.Count + 1, (await geometries.ListNamesAsync(target)).Count);
        Assert.Equal([new Bookmark(0, "start"), new Bookmark(2, "end")], await bookmarks.GetAllAsync(target));
        Assert.Equal(new Room(target, "copy", false, false, 0, 3), await Rooms.GetWithFrameCountAsync(target));
        Assert.Null(await Rooms.GetMetadataAsync(target));
        Assert.Empty(await geometries.GetSelectionsAsync(target));
        Assert.Contains(target, await Rooms.ListAllAsync());
        Assert.Equal(new Room(source, "source", true, false, 2, 3), await Rooms.GetWithFrameCountAsync(source));
    }

    [Fact]
    public async Task Copy_refuses_an_empty_source_and_an_existing_target_without_writing()
    {
        string source = NewId("src");
        string target = NewId("dst");
        await Rooms.CreateAsync(source);

        Assert.Equal(RoomCopyResult.SourceHasNoTrajectory, await Rooms.CopyAsync(source, target));
        Assert.False(await Rooms.ExistsAsync(target));
        Assert.DoesNotContain(target, await Rooms.ListAllAsync());

        await Store.Get<IFrameRepository>().AppendAsync(source, [new(source, 0)]);
        await Rooms.CreateAsync(target, "mine");
        await Store.Get<IFrameRepository>().AppendAsync(target, [new(target, 0)]);
        await Store.Get<IBookmarkRepository>().SetAsync(target, 0, "keep");
        Assert.Equal(RoomCopyResult.TargetExists, await Rooms.CopyAsync(source, target, "theirs"));
        Assert.Equal(new Room(target, "mine", FrameCount: 1), await Rooms.GetWithFrameCountAsync(target));
        Assert.Equal([new Bookmark(0, "keep")], await Store.Get<IBookmarkRepository>().GetAllAsync(target));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.CopyAsync(source, source));
    }

    [Fact]
    public async Task Copy_of_a_large_trajectory_keeps_every_frame_and_score()
    {
        string source = NewId("src");
        string target = NewId("dst");
        var frames = Store.Get<IFrameRepository>();
        await Rooms.CreateAsync(source);
        await frames.AppendAsync(source, [.. Enumerable.Range(0, 2500).Select(i => new FrameIndex(source, i))]);
        await frames.InsertAsync(source, 1, new FrameIndex(source, 9999));

        Assert.Equal(RoomCopyResult.Copied, await Rooms.CopyAsync(source, target));

        Assert.Equal(await frames.GetRangeAsync(source), await frames.GetRangeAsync(target));
    }

    [Fact]
    public async Task Of_concurrent_copies_to_one_target_exactly_one_wins()
    {
        string source = NewId("src");
        string target = NewId("dst");
        await Rooms.CreateAsync(source);
        await Store.Get<IFrameRepository>().AppendAsync(source, [new(source, 0)]);

        RoomCopyResult[] results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Rooms.CopyAsync(source, target, $"by {i}").AsTask()));

        Assert.Equal(1, results.Count(r => r == RoomCopyResult.Copied));
        Assert.All(results.Where(r => r != RoomCopyResult.Copied), r => Assert.Equal(RoomCopyResult.TargetExists, r));
        int winner = Array.IndexOf(results, RoomCopyResult.Copied);
        Assert.Equal($"by {winner}", await Rooms.GetDescriptionAsync(target));
    }

    // ---------------------------------------------------------------- delete

    [Fact]
    public async Task Delete_removes_the_room_and_everything_in_it_but_no_other_room()
    {
        string id = NewId("room");
        string other = NewId("other");
        await Rooms.CreateAsync(id, "d");
        await Rooms.CreateAsync(other);
        await Store.Get<IFrameRepository>().AppendAsync(id, [new(id, 0)]);
        await Store.Get<IFrameRepository>().SetFrameSelectionAsync(id, new FrameSelection(FrameSelection.DefaultGroup, [0]));
        await Store.Get<IBookmarkRepository>().SetAsync(id, 0, "b");
        await Store.Get<IGeometryRepository>().SetFigureAsync(id, "f", new Figure(Json("{}")));
        await Store.Get<IGeometryRepository>().SetSelectionGroupAsync(id, new SelectionGroup("g", [new Selection("particles", [0])]));
        await Store.Get<IChatRepository>().PostAsync(id, "bob", "hi");
        await Store.Get<ISettingsRepository>().SetSectionAsync(id, "bob", RoomSettingsSections.Camera, Json("{\"fov\": 50}"));
        await Store.Get<ISettingsRepository>().SetExtensionDataAsync(id, "bob", "modifiers", "Rotate", Json("{}"));
        await Rooms.SetMetadataAsync(id, new RoomMetadata([new("file_size", "1")]));

        Assert.True(await Rooms.DeleteAsync(id));

        Assert.False(await Rooms.ExistsAsync(id));
        Assert.DoesNotContain(id, await Rooms.ListAllAsync());
        Assert.Equal(0, await Store.Get<IFrameRepository>().CountAsync(id));
        Assert.Null(await Store.Get<IFrameRepository>().GetFrameSelectionAsync(id));
        Assert.Empty(await Store.Get<IBookmarkRepository>().GetAllAsync(id));
        Assert.Empty(await Store.Get<IGeometryRepository>().GetAllAsync(id));
        Assert.Empty(await Store.Get<IGeometryRepository>().ListFigureNamesAsync(id));
        Assert.Empty(await Store.Get<IGeometryRepository>().GetSelectionGroupsAsync(id));
        Assert.Equal(0, await Store.Get<IChatRepository>().CountAsync(id));
        Assert.Null(await Store.Get<ISettingsRepository>().GetAllAsync(id, "bob"));
        Assert.Null(await Store.Get<ISettingsRepository>().GetExtensionDataAsync(id, "bob", "modifiers", "Rotate"));
        Assert.Null(await Rooms.GetMetadataAsync(id));

        Assert.True(await Rooms.ExistsAsync(other));
        Assert.Equal(DefaultGeometries.All.Count, (await Store.Get<IGeometryRepository>().ListNamesAsync(other)).Count);
        Assert.Contains(other, await Rooms.ListAllAsync());
        Assert.False(await Rooms.DeleteAsync(id));
    }

    [Fact]
    public async Task After_concurrent_creates_and_deletes_the_listing_agrees_with_existence_at_once_or_after_the_next_call()
    {
        string[] ids = [.. Enumerable.Range(0, 40).Select(_ => NewId("race"))];
        IRoomRepository rooms = Rooms;
        using var start = new ManualResetEventSlim(false);

        Task[] work = [.. ids.SelectMany(id => new[]
        {
            Task.Run(async () => { start.Wait(); await rooms.CreateAsync(id); }),
            Task.Run(async () => { start.Wait(); await rooms.DeleteAsync(id); }),
            Task.Run(async () => { start.Wait(); await rooms.CreateAsync(id); }),
        })];
        start.Set();
        await Task.WhenAll(work);

        if (!Backend.Capabilities.ListingsAtomicWithWrites)
        {
            // The documented repair: the next create (of a room that exists) or delete (of one that does not) of the id.
            foreach (string id in ids)
            {
                _ = await Rooms.ExistsAsync(id) ? await Rooms.CreateAsync(id) : await Rooms.DeleteAsync(id);
            }
        }

        IReadOnlyList<string> listed = await Rooms.ListAllAsync();
        foreach (string id in ids)
        {
            Assert.Equal(await Rooms.ExistsAsync(id), listed.Contains(id));
        }
    }

    [Fact]
    public async Task A_deleted_room_can_be_created_again_fresh()
    {
        string id = NewId("room");
        await Rooms.CreateAsync(id, "old");
        await Store.Get<IFrameRepository>().AppendAsync(id, [new(id, 0)]);
        await Rooms.DeleteAsync(id);

        Assert.True(await Rooms.CreateAsync(id, "new"));

        Assert.Equal(new Room(id, "new", FrameCount: 0), await Rooms.GetWithFrameCountAsync(id));
    }

    // ---------------------------------------------------------------- bad input, limits, cancellation

    [Fact]
    public async Task Invalid_ids_are_refused_before_anything_is_stored()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.CreateAsync("a:b"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.CreateAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.GetByIdAsync("has space"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.DeleteAsync("r*"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.CopyAsync("ok", "bad:id"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.AddUserAsync("ok", " padded "));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.SetLockedAsync("a:b", true));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.SetDefaultRoomAsync("a:b"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Rooms.SaveAsync(new Room("a:b")));
        Assert.DoesNotContain("a:b", await Rooms.ListAllAsync());
    }

    [Fact]
    public async Task Descriptions_at_the_size_limit_are_stored_and_one_byte_more_is_refused_before_anything_is_written()
    {
        await using TestStore store = await Backend.CreateAsync(configure: o => o.Limits.MaxDescriptionBytes = SizeLimit.Bytes);
        var rooms = store.Get<IRoomRepository>();
        string id = NewId("room"), refused = NewId("refused"), copy = NewId("copy");
        Assert.True(await rooms.CreateAsync(id, SizeLimit.AtLimit));
        Assert.True(await rooms.SetDescriptionAsync(id, SizeLimit.AtLimit));
        await store.Get<IFrameRepository>().AppendAsync(id, [new(id, 0)]);

        await AssertRefusedAsync("description", () => rooms.CreateAsync(refused, SizeLimit.OverLimit).AsTask());
        await AssertRefusedAsync("description", () => rooms.CopyAsync(id, copy, SizeLimit.OverLimit).AsTask());
        await AssertRefusedAsync("description", () => rooms.SetDescriptionAsync(id, SizeLimit.OverLimit).AsTask());
        await AssertRefusedAsync("entity", () => rooms.SaveAsync(new Room(id, SizeLimit.OverLimit)).AsTask());

        Assert.Equal(SizeLimit.AtLimit, await rooms.GetDescriptionAsync(id));
        Assert.False(await rooms.ExistsAsync(refused));
        Assert.False(await rooms.ExistsAsync(copy));
        Assert.Equal(RoomCopyResult.Copied, await rooms.CopyAsync(id, copy, SizeLimit.AtLimit));
    }

    [Fact]
    public async Task The_default_description_limit_refuses_a_five_megabyte_description()
    {
        string id = NewId("room");
        Assert.True(await Rooms.CreateAsync(id, new string('x', 64 * 1024)));

        await AssertRefusedAsync("description", () => Rooms.SetDescriptionAsync(id, new string('x', 5 * 1024 * 1024)).AsTask());

        Assert.Equal(64 * 1024, (await Rooms.GetDescriptionAsync(id))!.Length);
    }

    [Fact]
    public async Task Metadata_values_and_totals_at_the_size_limit_are_stored_and_one_byte_more_is_refused()
    {
        await using TestStore store = await Backend.CreateAsync(configure: o =>
        {
            o.Limits.MaxMetadataValueBytes = SizeLimit.Bytes;
            o.Limits.MaxMetadataTotalBytes = 3 * SizeLimit.Bytes;
        });
        var rooms = store.Get<IRoomRepository>();
        string id = NewId("room");
        string at = SizeLimit.AtLimit;
        Assert.True(await rooms.CreateAsync(id));

        Assert.True(await rooms.SetMetadataAsync(id, new RoomMetadata([new("a", at)])));
        await AssertRefusedAsync("metadata", () => rooms.SetMetadataAsync(id, new RoomMetadata([new("b", SizeLimit.OverLimit)])).AsTask());
        await AssertRefusedAsync("metadata", () => rooms.SetMetadataAsync(id, new RoomMetadata([new("c", at[..5]), new("d", at), new("e", at)])).AsTask()); // 37 bytes
        Assert.True(await rooms.SetMetadataAsync(id, new RoomMetadata([new("c", at[..4] + "a"), new("d", at), new("e", at)]))); // 36 bytes

        RoomMetadata stored = (await rooms.GetMetadataAsync(id))!;
        Assert.Null(stored["b"]);
        Assert.Equal(at, stored["a"]);
        Assert.Equal(at, stored["e"]);
    }

    [Fact]
    public async Task A_cancelled_token_stops_before_anything_is_written()
    {
        string id = NewId("room");
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Rooms.CreateAsync(id, cancellationToken: cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Rooms.SaveAsync(new Room(id), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Rooms.GetByIdAsync(id, cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Rooms.ListAllAsync(cancelled));

        Assert.False(await Rooms.ExistsAsync(id));
        await Rooms.CreateAsync(id);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Rooms.DeleteAsync(id, cancelled));
        Assert.True(await Rooms.ExistsAsync(id));
    }

    private static IEnumerable<KeyValuePair<string, Geometry>> ByName(IEnumerable<KeyValuePair<string, Geometry>> geometries) =>
        geometries.OrderBy(g => g.Key, StringComparer.Ordinal);

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static async Task AssertRefusedAsync(string paramName, Func<Task> call)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(call);
        Assert.IsType<ArgumentException>(ex);
        Assert.Equal(paramName, ex.ParamName);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }
}
