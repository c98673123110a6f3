using System.Text.Json;
using Microsoft.Extensions.Options;
using NSubstitute.ExceptionExtensions;
using NSubstitute;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tests.Services.Rooms;

/// <summary>The rules of <see cref="RoomService"/>, with the repositories substituted (no server).</summary>
public sealed class RoomServiceTests
{
    private readonly IRoomRepository _rooms = Substitute.For<IRoomRepository>();
    private readonly ISettingsRepository _settings = Substitute.For<ISettingsRepository>();
    private readonly IUserRepository _users = Substitute.For<IUserRepository>();
    private readonly CollectingSink _sink = new();

    public RoomServiceTests()
    {
        // Every user of these tests exists, unless a test says otherwise.
        _users.ExistsAsync(Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(true);
        _rooms.AddUserAsync(Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(true);
    }

    private static readonly UserRoomSettings CreatorSettings = new(
        [new RoomSettingsSection(RoomSettingsSections.Camera, JsonDocument.Parse("""{"fov": 50}""").RootElement)]);

    private RoomService Service(bool history = true) => new(
        _rooms,
        _settings,
        _users,
        Options.Create(new ZnDrawStorageOptions()),
        null,
        history ? Recorders.Direct(_sink) : HistoryRecorder.Disabled);

    // ---------------------------------------------------------------- join

    [Fact]
    public async Task Join_creates_a_missing_room_writes_the_creators_settings_then_records_the_user()
    {
        _rooms.CreateAsync("r1", "desc", Arg.Any<CancellationToken>()).Returns(true);

        var result = await Service().JoinAsync("r1", "alice", description: "desc", creatorSettings: CreatorSettings);

        Assert.Equal(new RoomJoinResult("r1", "alice", RoomJoinOutcome.Created), result);
        Assert.True(result.Created);
        Received.InOrder(() =>
        {
            _rooms.CreateAsync("r1", "desc", Arg.Any<CancellationToken>());
            _settings.SetSectionsAsync("r1", "alice", CreatorSettings, Arg.Any<CancellationToken>());
            _rooms.AddUserAsync("r1", "alice", Arg.Any<CancellationToken>());
        });
        var e = Assert.IsType<RoomHistoryEvent>(Assert.Single(_sink.Events));
        Assert.Equal(("r1", RoomEventTypes.Created, "alice"), (e.RoomId, e.EventType, e.User));
        Assert.Null(e.Metadata);
    }

    [Fact]
    public async Task Join_of_an_existing_room_writes_no_settings_and_records_no_history()
    {
        _rooms.CreateAsync("r1", null, Arg.Any<CancellationToken>()).Returns(false);

        var result = await Service().JoinAsync("r1", "bob", creatorSettings: CreatorSettings);

        Assert.Equal(RoomJoinOutcome.Joined, result.Outcome);
        Assert.False(result.Created);
        await _settings.DidNotReceiveWithAnyArgs().SetSectionsAsync(default!, default!, default!, default);
        await _rooms.Received(1).AddUserAsync("r1", "bob", Arg.Any<CancellationToken>());
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Join_without_creator_settings_writes_none()
    {
        _rooms.CreateAsync("r1", null, Arg.Any<CancellationToken>()).Returns(true);

        await Service().JoinAsync("r1", "alice");

        await _settings.DidNotReceiveWithAnyArgs().SetSectionsAsync(default!, default!, default!, default);
        await _settings.DidNotReceiveWithAnyArgs().SetSectionAsync(default!, default!, default!, default, default);
    }

    [Fact]
    public async Task Join_of_a_missing_room_without_allowCreate_is_RoomNotFound_and_writes_nothing()
    {
        _rooms.ExistsAsync("r1", Arg.Any<CancellationToken>()).Returns(false);

        var ex = await Assert.ThrowsAsync<RoomNotFoundException>(async () => await Service().JoinAsync("r1", "alice", allowCreate: false));

        Assert.Equal("r1", ex.RoomId);
        await _rooms.DidNotReceiveWithAnyArgs().CreateAsync(default!, default, default);
        await _rooms.DidNotReceiveWithAnyArgs().AddUserAsync(default!, default!, default);
    }

    [Fact]
    public async Task Join_without_allowCreate_joins_an_existing_room()
    {
        _rooms.ExistsAsync("r1", Arg.Any<CancellationToken>()).Returns(true);

        var result = await Service().JoinAsync("r1", "alice", allowCreate: false, copyFrom: "src");

        Assert.Equal(RoomJoinOutcome.Joined, result.Outcome);
        await _rooms.DidNotReceiveWithAnyArgs().CopyAsync(default!, default!, default, default);
        await _rooms.Received(1).AddUserAsync("r1", "alice", Arg.Any<CancellationToken>());
    }

    [Theory]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("")]
    [InlineData("r/1")]
    public async Task Join_refuses_a_bad_room_id_before_anything_is_sent(string roomId)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Service().JoinAsync(roomId, "alice"));

        Assert.Equal("roomId", ex.ParamName);
        Assert.Empty(_rooms.ReceivedCalls());
    }

    [Fact]
    public async Task Join_refuses_a_colon_with_zndraws_message()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Service().JoinAsync("a:b", "alice"));

        Assert.Contains("':'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(" alice")]
    [InlineData("al\nice")]
    public async Task Join_refuses_a_bad_user_name_before_anything_is_sent(string userName)
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Service().JoinAsync("r1", userName));

        Assert.Empty(_rooms.ReceivedCalls());
    }

    [Fact]
    public async Task Join_with_copyFrom_copies_a_missing_room_and_records_the_source()
    {
        _rooms.CopyAsync("src", "r1", "d", Arg.Any<CancellationToken>()).Returns(RoomCopyResult.Copied);

        var result = await Service().JoinAsync("r1", "alice", description: "d", copyFrom: "src", creatorSettings: CreatorSettings);

        Assert.Equal(RoomJoinOutcome.Copied, result.Outcome);
        await _rooms.DidNotReceiveWithAnyArgs().CreateAsync(default!, default, default);
        await _settings.Received(1).SetSectionsAsync("r1", "alice", CreatorSettings, Arg.Any<CancellationToken>());
        var e = Assert.IsType<RoomHistoryEvent>(Assert.Single(_sink.Events));
        Assert.Equal(RoomEventTypes.Copied, e.EventType);
        Assert.Equal("src", e.Metadata!["source_room"]);
    }

    [Fact]
    public async Task Join_with_copyFrom_of_an_existing_room_joins_it()
    {
        _rooms.CopyAsync("src", "r1", null, Arg.Any<CancellationToken>()).Returns(RoomCopyResult.TargetExists);

        var result = await Service().JoinAsync("r1", "alice", copyFrom: "src");

        Assert.Equal(RoomJoinOutcome.Joined, result.Outcome);
        await _rooms.Received(1).AddUserAsync("r1", "alice", Arg.Any<CancellationToken>());
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Join_with_an_empty_copy_source_joins_an_existing_room_but_refuses_to_create()
    {
        _rooms.CopyAsync("src", Arg.Any<string>(), null, Arg.Any<CancellationToken>()).Returns(RoomCopyResult.SourceHasNoTrajectory);
        _rooms.ExistsAsync("exists", Arg.Any<CancellationToken>()).Returns(true);
        _rooms.ExistsAsync("missing", Arg.Any<CancellationToken>()).Returns(false);

        Assert.Equal(RoomJoinOutcome.Joined, (await Service().JoinAsync("exists", "alice", copyFrom: "src")).Outcome);
        var ex = await Assert.ThrowsAsync<RoomNotCopyableException>(async () => await Service().JoinAsync("missing", "alice", copyFrom: "src"));

        Assert.Equal("src", ex.SourceRoomId);
        await _rooms.DidNotReceive().AddUserAsync("missing", Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Join_with_history_off_records_nothing_even_with_a_sink()
    {
        _rooms.CreateAsync("r1", null, Arg.Any<CancellationToken>()).Returns(true);

        await Service(history: false).JoinAsync("r1", "alice");

        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task A_failing_history_sink_never_fails_the_operation()
    {
        _rooms.CreateAsync("r1", null, Arg.Any<CancellationToken>()).Returns(true);
        _sink.Fail = true;

        var result = await Service().JoinAsync("r1", "alice");

        Assert.Equal(RoomJoinOutcome.Created, result.Outcome);
        await _rooms.Received(1).AddUserAsync("r1", "alice", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_repository_fault_propagates_and_nothing_is_recorded()
    {
        _rooms.CreateAsync("r1", null, Arg.Any<CancellationToken>()).ThrowsAsync(new StorageDataException("bad"));

        await Assert.ThrowsAsync<StorageDataException>(async () => await Service().JoinAsync("r1", "alice"));

        Assert.Empty(_sink.Events);
        await _rooms.DidNotReceiveWithAnyArgs().AddUserAsync(default!, default!, default);
    }

    // ---------------------------------------------------------------- copy

    [Fact]
    public async Task Copy_defaults_the_target_to_a_uuid4_and_records_the_source()
    {
        _rooms.CopyAsync("src", Arg.Any<string>(), null, Arg.Any<CancellationToken>()).Returns(RoomCopyResult.Copied);

        var target = await Service().CopyAsync("src", userName: "alice");

        Assert.True(Guid.TryParseExact(target, "D", out var guid));
        Assert.Equal(4, guid.Version);
        var e = Assert.IsType<RoomHistoryEvent>(Assert.Single(_sink.Events));
        Assert.Equal((target, RoomEventTypes.Copied, "alice", "src"), (e.RoomId, e.EventType, e.User, e.Metadata!["source_room"]));
    }

    [Fact]
    public async Task Copy_onto_an_existing_room_is_RoomAlreadyExists()
    {
        _rooms.CopyAsync("src", "r1", null, Arg.Any<CancellationToken>()).Returns(RoomCopyResult.TargetExists);

        var ex = await Assert.ThrowsAsync<RoomAlreadyExistsException>(async () => await Service().CopyAsync("src", "r1"));

        Assert.Equal("r1", ex.RoomId);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Copy_of_an_empty_room_is_RoomNotCopyable()
    {
        _rooms.CopyAsync("src", "r1", null, Arg.Any<CancellationToken>()).Returns(RoomCopyResult.SourceHasNoTrajectory);

        await Assert.ThrowsAsync<RoomNotCopyableException>(async () => await Service().CopyAsync("src", "r1"));
    }

    [Fact]
    public async Task Copy_refuses_a_bad_target_id_before_anything_is_sent()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Service().CopyAsync("src", "a:b"));

        Assert.Empty(_rooms.ReceivedCalls());
    }

    // ---------------------------------------------------------------- flags, description, delete

    [Fact]
    public async Task Lock_unlock_hide_unhide_write_the_flag_and_record_the_event()
    {
        _rooms.SetLockedAsync("r1", Arg.Any<bool>(), Arg.Any<CancellationToken>()).Returns(true);
        _rooms.SetHiddenAsync("r1", Arg.Any<bool>(), Arg.Any<CancellationToken>()).Returns(true);
        var service = Service();

        await service.LockAsync("r1", "alice");
        await service.UnlockAsync("r1");
        await service.HideAsync("r1", "bob");
        await service.UnhideAsync("r1", "bob");

        Received.InOrder(() =>
        {
            _rooms.SetLockedAsync("r1", true, Arg.Any<CancellationToken>());
            _rooms.SetLockedAsync("r1", false, Arg.Any<CancellationToken>());
            _rooms.SetHiddenAsync("r1", true, Arg.Any<CancellationToken>());
            _rooms.SetHiddenAsync("r1", false, Arg.Any<CancellationToken>());
        });
        Assert.Equal(
            new (string, string?)[] { (RoomEventTypes.Locked, "alice"), (RoomEventTypes.Unlocked, null), (RoomEventTypes.Hidden, "bob"), (RoomService.UnhiddenEventType, "bob") },
            _sink.Events.Cast<RoomHistoryEvent>().Select(e => (e.EventType, e.User)));
    }

    [Fact]
    public async Task Flag_changes_of_a_missing_room_are_RoomNotFound_and_record_nothing()
    {
        var service = Service();

        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.LockAsync("r1"));
        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.UnlockAsync("r1"));
        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.HideAsync("r1"));
        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.UnhideAsync("r1"));
        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await service.SetDescriptionAsync("r1", "x"));

        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task SetDescription_records_the_new_text_and_a_removal_without_metadata()
    {
        _rooms.SetDescriptionAsync("r1", Arg.Any<string?>(), Arg.Any<CancellationToken>()).Returns(true);
        var service = Service();

        await service.SetDescriptionAsync("r1", "Water", "alice");
        await service.SetDescriptionAsync("r1", null, "alice");

        var events = _sink.Events.Cast<RoomHistoryEvent>().ToList();
        Assert.All(events, e => Assert.Equal(RoomEventTypes.DescriptionChanged, e.EventType));
        Assert.Equal("Water", events[0].Metadata!["description"]);
        Assert.Null(events[1].Metadata);
        await _rooms.Received(1).SetDescriptionAsync("r1", null, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Delete_records_only_when_something_was_deleted()
    {
        _rooms.DeleteAsync("r1", Arg.Any<CancellationToken>()).Returns(true);
        _rooms.DeleteAsync("r2", Arg.Any<CancellationToken>()).Returns(false);
        var service = Service();

        Assert.True(await service.DeleteAsync("r1", "alice"));
        Assert.False(await service.DeleteAsync("r2", "alice"));

        var e = Assert.IsType<RoomHistoryEvent>(Assert.Single(_sink.Events));
        Assert.Equal(("r1", RoomEventTypes.Deleted, "alice"), (e.RoomId, e.EventType, e.User));
    }

    // ---------------------------------------------------------------- reads

    [Fact]
    public async Task ListDetails_skips_stale_index_entries_and_can_leave_out_hidden_rooms()
    {
        _rooms.ListAllAsync(Arg.Any<CancellationToken>()).Returns(new[] { "a", "b", "gone" });
        _rooms.GetWithFrameCountAsync("a", Arg.Any<CancellationToken>()).Returns(new Room("a", FrameCount: 3));
        _rooms.GetWithFrameCountAsync("b", Arg.Any<CancellationToken>()).Returns(new Room("b", Hidden: true, FrameCount: 0));
        _rooms.GetWithFrameCountAsync("gone", Arg.Any<CancellationToken>()).Returns((Room?)null);
        var service = Service();

        Assert.Equal(["a", "b"], (await service.ListDetailsAsync()).Select(r => r.Id));
        Assert.Equal(["a"], (await service.ListDetailsAsync(includeHidden: false)).Select(r => r.Id));
    }

    [Fact]
    public async Task Get_reads_the_room_with_its_frame_count()
    {
        _rooms.GetWithFrameCountAsync("a", Arg.Any<CancellationToken>()).Returns(new Room("a", FrameCount: 3));

        Assert.Equal(3, (await Service().GetAsync("a"))!.FrameCount);
        Assert.Null(await Service().GetAsync("b"));
    }

    [Fact]
    public async Task Join_of_an_unknown_user_is_refused_before_the_room_is_created()
    {
        _users.ExistsAsync("ghost", Arg.Any<CancellationToken>()).Returns(false);

        var ex = await Assert.ThrowsAsync<UserNotFoundException>(async () => await Service().JoinAsync("r1", "ghost", copyFrom: "r0"));

        Assert.Equal("ghost", ex.UserName);
        await _rooms.DidNotReceiveWithAnyArgs().CreateAsync(default!, default, default);
        await _rooms.DidNotReceiveWithAnyArgs().CopyAsync(default!, default!, default, default);
        await _rooms.DidNotReceiveWithAnyArgs().AddUserAsync(default!, default!, default);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Join_refused_by_the_add_user_step_throws_user_not_found()
    {
        _rooms.CreateAsync("r1", null, Arg.Any<CancellationToken>()).Returns(false);
        _rooms.AddUserAsync("r1", "gone", Arg.Any<CancellationToken>()).Returns(false); // deleted after the first check

        await Assert.ThrowsAsync<UserNotFoundException>(async () => await Service().JoinAsync("r1", "gone"));
    }

    [Fact]
    public async Task Join_with_an_oversized_description_sends_nothing()
    {
        var service = new RoomService(
            _rooms, _settings, _users, Options.Create(new ZnDrawStorageOptions { Limits = new ZnDrawLimitOptions { MaxDescriptionBytes = 4 } }));

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await service.JoinAsync("r1", "alice", description: "12345"));

        Assert.Equal("description", ex.ParamName);
        await _users.DidNotReceiveWithAnyArgs().ExistsAsync(default!, default);
        await _rooms.DidNotReceiveWithAnyArgs().CreateAsync(default!, default, default);
    }

    [Fact]
    public async Task Set_default_room_of_a_missing_room_throws_room_not_found()
    {
        _rooms.SetDefaultRoomAsync("r1", Arg.Any<CancellationToken>()).Returns(false);
        _rooms.SetDefaultRoomAsync("r2", Arg.Any<CancellationToken>()).Returns(true);

        await Assert.ThrowsAsync<RoomNotFoundException>(async () => await Service().SetDefaultRoomAsync("r1"));
        await Service().SetDefaultRoomAsync("r2");
    }

    [Fact]
    public void Durable_history_without_an_outbox_is_refused_at_construction()
    {
        var ex = Assert.Throws<ArgumentException>(() => new HistoryRecorder(
            Options.Create(new HistoryOptions { Mode = HistoryMode.Durable }), sink: _sink));

        Assert.Equal("outbox", ex.ParamName);
    }

    [Fact]
    public void The_public_constructor_needs_no_history()
    {
        var service = new RoomService(_rooms, _settings, _users, Options.Create(new ZnDrawStorageOptions()));

        Assert.NotNull(service);
    }
}
