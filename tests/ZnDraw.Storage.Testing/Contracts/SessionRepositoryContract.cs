using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="ISessionRepository"/> that any backend must show.</summary>
public abstract class SessionRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private ISessionRepository Sessions => Store.Get<ISessionRepository>();

    [Fact]
    public async Task A_saved_session_reads_back_equal_and_exists()
    {
        var session = new SessionInfo(NewId("sid"), "alice", UserRole.Admin);

        await Sessions.SaveAsync(session);

        Assert.Equal(session, await Sessions.GetByIdAsync(session.Sid));
        Assert.True(await Sessions.ExistsAsync(session.Sid));
    }

    [Fact]
    public async Task Saving_again_replaces_the_user_and_a_missing_role_clears_the_role()
    {
        var sid = NewId("sid");
        await Sessions.SaveAsync(new SessionInfo(sid, "alice", UserRole.User));

        await Sessions.SaveAsync(new SessionInfo(sid, "bob"));

        Assert.Equal(new SessionInfo(sid, "bob"), await Sessions.GetByIdAsync(sid));
    }

    [Fact]
    public async Task A_missing_session_reads_as_null_and_does_not_exist()
    {
        var sid = NewId("sid");

        Assert.Null(await Sessions.GetByIdAsync(sid));
        Assert.False(await Sessions.ExistsAsync(sid));
        Assert.False(await Sessions.DeleteAsync(sid));
    }

    [Fact]
    public async Task Delete_removes_the_session_once()
    {
        var sid = NewId("sid");
        await Sessions.SaveAsync(new SessionInfo(sid, "alice", UserRole.Guest));

        Assert.True(await Sessions.DeleteAsync(sid));
        Assert.False(await Sessions.DeleteAsync(sid));
        Assert.Null(await Sessions.GetByIdAsync(sid));
    }

    [Fact]
    public async Task Concurrent_saves_of_one_session_leave_exactly_one_of_the_written_values()
    {
        var sid = NewId("sid");
        var written = Enumerable.Range(0, 16).Select(i => new SessionInfo(sid, "user" + i, (UserRole)(i % 3))).ToList();

        await Task.WhenAll(written.Select(s => Sessions.SaveAsync(s).AsTask()));

        Assert.Contains(await Sessions.GetByIdAsync(sid), written);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    public async Task An_invalid_sid_is_refused_before_anything_is_stored(string sid)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Sessions.SaveAsync(new SessionInfo(sid, "alice")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Sessions.GetByIdAsync(sid));
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        var session = new SessionInfo(NewId("sid"), "alice");

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Sessions.SaveAsync(session, new CancellationToken(canceled: true)));

        Assert.False(await Sessions.ExistsAsync(session.Sid));
    }
}
