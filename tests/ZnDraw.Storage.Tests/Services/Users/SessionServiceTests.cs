using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary>The rules of <see cref="SessionService"/> with the repositories substituted (no server).</summary>
public sealed class SessionServiceTests
{
    private readonly ISessionRepository _sessions = Substitute.For<ISessionRepository>();
    private readonly IUserRepository _users = Substitute.For<IUserRepository>();
    private readonly MemorySink _sink = new();

    private SessionService Service(bool history = true) => history
        ? new(_sessions, _users, NullLogger<SessionService>.Instance, Recorder(_sink))
        : new(_sessions, _users, NullLogger<SessionService>.Instance);

    internal static HistoryRecorder Recorder(IHistorySink sink) =>
        new(Options.Create(new HistoryOptions { Mode = HistoryMode.Direct }), new FakeTimeProvider(FixedTime.Instant), null, sink);

    private void UserExists(string name, string? currentSid = null)
    {
        _users.SetCurrentSidAsync(name, Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(true);
        _users.TouchLastActivityAsync(name, Arg.Any<CancellationToken>()).Returns(true);
        _users.GetByIdAsync(name, Arg.Any<CancellationToken>()).Returns(new User(name, CurrentSid: currentSid));
    }

    [Fact]
    public async Task Connect_writes_the_user_fields_then_the_session_and_records_the_login()
    {
        UserExists("alice");

        var session = await Service().ConnectAsync("sid-1", "alice", UserRole.User, "192.0.2.7");

        Assert.Equal(new SessionInfo("sid-1", "alice", UserRole.User), session);
        Received.InOrder(() =>
        {
            _users.SetCurrentSidAsync("alice", "sid-1", Arg.Any<CancellationToken>());
            _users.TouchLastActivityAsync("alice", Arg.Any<CancellationToken>());
            _sessions.SaveAsync(new SessionInfo("sid-1", "alice", UserRole.User), Arg.Any<CancellationToken>());
        });
        await _users.DidNotReceiveWithAnyArgs().GetRoleAsync(default!, default);
        var login = Assert.IsType<UserLoginEvent>(Assert.Single(_sink.Events));
        Assert.Equal(("alice", "sid-1", "192.0.2.7", FixedTime.Instant), (login.Username, login.SessionId, login.IpAddress, login.OccurredAt));
    }

    [Fact]
    public async Task Connect_without_a_role_derives_it()
    {
        UserExists("alice");
        _users.GetRoleAsync("alice", Arg.Any<CancellationToken>()).Returns(UserRole.Admin);

        Assert.Equal(UserRole.Admin, (await Service().ConnectAsync("sid-1", "alice")).Role);
    }

    [Fact]
    public async Task Connect_of_a_missing_user_writes_no_session_and_records_nothing()
    {
        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().ConnectAsync("sid-1", "ghost", UserRole.Guest));

        Assert.Equal(UserOperationError.UserNotFound, ex.Error);
        await _sessions.DidNotReceiveWithAnyArgs().SaveAsync(default!, default);
        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Disconnect_clears_currentSid_before_deleting_the_session_and_records_the_logout()
    {
        UserExists("alice", currentSid: "sid-1");
        _sessions.GetByIdAsync("sid-1", Arg.Any<CancellationToken>()).Returns(new SessionInfo("sid-1", "alice", UserRole.User));
        _sessions.DeleteAsync("sid-1", Arg.Any<CancellationToken>()).Returns(true);

        Assert.Equal(new SessionInfo("sid-1", "alice", UserRole.User), await Service().DisconnectAsync("sid-1"));

        Received.InOrder(() =>
        {
            _users.SetCurrentSidAsync("alice", "", Arg.Any<CancellationToken>());
            _sessions.DeleteAsync("sid-1", Arg.Any<CancellationToken>());
        });
        var logout = Assert.IsType<UserLogoutEvent>(Assert.Single(_sink.Events));
        Assert.Equal(("alice", "sid-1"), (logout.Username, logout.SessionId));
    }

    [Fact]
    public async Task Disconnect_keeps_the_currentSid_of_a_newer_connection()
    {
        UserExists("alice", currentSid: "sid-2");
        _sessions.GetByIdAsync("sid-1", Arg.Any<CancellationToken>()).Returns(new SessionInfo("sid-1", "alice"));
        _sessions.DeleteAsync("sid-1", Arg.Any<CancellationToken>()).Returns(true);

        Assert.NotNull(await Service().DisconnectAsync("sid-1"));

        await _users.DidNotReceiveWithAnyArgs().SetCurrentSidAsync(default!, default!, default);
    }

    [Fact]
    public async Task Disconnect_of_an_unknown_or_already_deleted_session_is_a_quiet_no_op()
    {
        Assert.Null(await Service().DisconnectAsync("sid-1"));
        await _sessions.DidNotReceiveWithAnyArgs().DeleteAsync(default!, default);

        UserExists("alice", currentSid: "sid-2");
        _sessions.GetByIdAsync("sid-2", Arg.Any<CancellationToken>()).Returns(new SessionInfo("sid-2", "alice"));
        _sessions.DeleteAsync("sid-2", Arg.Any<CancellationToken>()).Returns(false); // a concurrent disconnect won
        Assert.Null(await Service().DisconnectAsync("sid-2"));

        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Without_history_nothing_is_recorded()
    {
        UserExists("alice");

        await Service(history: false).ConnectAsync("sid-1", "alice", UserRole.Guest);

        Assert.Empty(_sink.Events);
    }

    [Fact]
    public async Task Empty_ids_are_argument_errors()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().ConnectAsync("", "alice"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().ConnectAsync("sid", ""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().DisconnectAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().GetAsync(""));
        Assert.Empty(_users.ReceivedCalls());
        Assert.Empty(_sessions.ReceivedCalls());
    }
}

/// <summary><see cref="SessionService"/> on the real repositories and Redis.</summary>
[Collection(RedisCollection.Name)]
public sealed class SessionServiceIntegrationTests(RedisFixture redis)
{
    private IDatabase Db => redis.Database;

    [Theory]
    [MemberData(nameof(Spaces.All), MemberType = typeof(Spaces))]
    public async Task Connect_and_disconnect_write_and_remove_what_ZnDraw_does(string space)
    {
        KeySpace keys = Spaces.Create(space);
        var context = Spaces.Context(redis, keys);
        var users = new UserRepository(context);
        var sink = new MemorySink();
        var service = new SessionService(new SessionRepository(context), users, NullLogger<SessionService>.Instance, SessionServiceTests.Recorder(sink));
        var name = RedisFixture.NewId("user");
        var sid = RedisFixture.NewId("sid");
        Assert.True(await users.CreateAsync(new User(name)));

        Assert.Equal(new SessionInfo(sid, name, UserRole.Guest), await service.ConnectAsync(sid, name, ipAddress: "::1"));

        Assert.Equal(name, (string?)await Db.StringGetAsync(keys.Session(sid).Username()));
        Assert.Equal("guest", (string?)await Db.StringGetAsync(keys.Session(sid).Role()));
        Assert.Equal(sid, (string?)await Db.HashGetAsync(keys.User(name).HashKey(), "currentSid"));
        Assert.Equal(FixedTime.InstantText, (string?)await Db.HashGetAsync(keys.User(name).HashKey(), "lastActivity"));
        Assert.Equal(new SessionInfo(sid, name, UserRole.Guest), await service.GetAsync(sid));

        Assert.Equal(new SessionInfo(sid, name, UserRole.Guest), await service.DisconnectAsync(sid));

        Assert.False(await Db.KeyExistsAsync(keys.Session(sid).Username()));
        Assert.False(await Db.KeyExistsAsync(keys.Session(sid).Role()));
        Assert.Equal("", (string?)await Db.HashGetAsync(keys.User(name).HashKey(), "currentSid"));
        Assert.Null(await service.GetAsync(sid));
        Assert.Null(await service.DisconnectAsync(sid));
        Assert.Collection(
            sink.Events,
            e => Assert.Equal(("::1", sid), (Assert.IsType<UserLoginEvent>(e).IpAddress, ((UserLoginEvent)e).SessionId)),
            e => Assert.Equal(sid, Assert.IsType<UserLogoutEvent>(e).SessionId));
    }

    [Fact]
    public async Task Connect_of_a_missing_user_writes_nothing()
    {
        var context = Spaces.Context(redis, KeySpace.Default);
        var service = new SessionService(new SessionRepository(context), new UserRepository(context), NullLogger<SessionService>.Instance);
        var name = RedisFixture.NewId("user");
        var sid = RedisFixture.NewId("sid");

        await Assert.ThrowsAsync<UserOperationException>(async () => await service.ConnectAsync(sid, name, UserRole.User));

        Assert.False(await Db.KeyExistsAsync(KeySpace.Default.Session(sid).Username()));
        Assert.False(await Db.KeyExistsAsync(KeySpace.Default.User(name).HashKey()));
    }

    [Fact]
    public async Task Of_concurrent_disconnects_of_one_session_exactly_one_records_the_logout()
    {
        var context = Spaces.Context(redis, KeySpace.Default);
        var users = new UserRepository(context);
        var sink = new MemorySink();
        var service = new SessionService(new SessionRepository(context), users, NullLogger<SessionService>.Instance, SessionServiceTests.Recorder(sink));
        var name = RedisFixture.NewId("user");
        var sid = RedisFixture.NewId("sid");
        await users.CreateAsync(new User(name));
        await service.ConnectAsync(sid, name, UserRole.Guest);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => service.DisconnectAsync(sid).AsTask()));

        Assert.Single(results, r => r is not null);
        Assert.Single(sink.Events.OfType<UserLogoutEvent>());
    }
}
