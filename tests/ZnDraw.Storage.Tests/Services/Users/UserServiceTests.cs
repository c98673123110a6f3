using Microsoft.Extensions.Logging.Abstractions;
using NSubstitute.ExceptionExtensions;
using NSubstitute;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tests.Services.Users;

/// <summary>The rules of <see cref="UserService"/> with the repository substituted (no server).</summary>
public sealed class UserServiceTests
{
    // Test vector of the layout reference (Python hashlib): "s3cret" with this salt.
    private const string LegacySalt = "00112233445566778899aabbccddeeff";
    private const string LegacyHash = "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";

    private readonly IUserRepository _repo = Substitute.For<IUserRepository>();

    private UserService Service(bool compatible = false) =>
        new(_repo, compatible ? TestOptions.ZnDrawSha256() : TestOptions.Pbkdf2(), NullLogger<UserService>.Instance);

    // A registered user whose stored hash is ZnDraw's (LegacyHash, "s3cret").
    private void ExistsRegistered(string name) => Exists(name, LegacyHash, LegacySalt);

    private void ExistsGuest(string name) => Exists(name, null, null);

    private void Exists(string name, string? hash, string? salt)
    {
        _repo.GetByIdAsync(name, Arg.Any<CancellationToken>()).Returns(new User(name) { IsRegistered = hash is not null });
        _repo.GetCredentialsAsync(name, Arg.Any<CancellationToken>()).Returns(new UserCredentials(name, hash, salt));
        _repo.ExistsAsync(name, Arg.Any<CancellationToken>()).Returns(true);
        _repo.TouchLastLoginAsync(name, Arg.Any<CancellationToken>()).Returns(true);
        _repo.SetPasswordAsync(name, Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(true);
        _repo.RegisterPasswordAsync(name, Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>()).Returns(hash is null);
    }

    [Fact]
    public async Task A_guest_is_named_user_dash_8_lowercase_hex()
    {
        _repo.CreateAsync(Arg.Any<User>(), Arg.Any<CancellationToken>()).Returns(true);

        var guest = await Service().CreateGuestAsync();

        Assert.Matches("^user-[0-9a-f]{8}$", guest.UserName);
        Assert.False(guest.IsRegistered);
        await _repo.Received(1).CreateAsync(guest, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task A_taken_guest_name_is_drawn_again()
    {
        var names = new List<string>();
        _repo.CreateAsync(Arg.Do<User>(u => names.Add(u.UserName)), Arg.Any<CancellationToken>()).Returns(false, false, true);

        var guest = await Service().CreateGuestAsync();

        Assert.Equal(3, names.Count);
        Assert.Equal(names[2], guest.UserName);
        Assert.Equal(3, names.Distinct().Count());
    }

    [Fact]
    public async Task Guest_creation_gives_up_after_10_taken_names()
    {
        _repo.CreateAsync(Arg.Any<User>(), Arg.Any<CancellationToken>()).Returns(false);

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().CreateGuestAsync());

        Assert.Equal(UserOperationError.GuestNamesExhausted, ex.Error);
        await _repo.Received(UserService.MaxGuestNameAttempts).CreateAsync(Arg.Any<User>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Register_under_the_same_name_sets_a_pbkdf2_hash_and_its_salt_in_one_conditional_call()
    {
        ExistsGuest("user-0000abcd");

        Assert.Equal("user-0000abcd", await Service().RegisterAsync("user-0000abcd", "  user-0000abcd ", "pw"));

        await _repo.Received(1).RegisterPasswordAsync(
            "user-0000abcd",
            Arg.Is<string>(h => h.StartsWith("pbkdf2-sha256$1000$", StringComparison.Ordinal)),
            Arg.Is<string>(s => s.Length == 32),
            Arg.Any<CancellationToken>());
        await _repo.DidNotReceiveWithAnyArgs().RenameAsync(default!, default!, default, default, default);
        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Register_in_ZnDraw_compatibility_writes_ZnDraws_hash()
    {
        ExistsGuest("g");
        string? hash = null, salt = null;
        _repo.RegisterPasswordAsync("g", Arg.Do<string>(h => hash = h), Arg.Do<string>(s => salt = s), Arg.Any<CancellationToken>()).Returns(true);

        await Service(compatible: true).RegisterAsync("g", "g", "s3cret");

        Assert.Equal(ZnDrawPasswordHash.Compute("s3cret", salt!), hash);
    }

    [Fact]
    public async Task Register_under_the_same_name_refuses_a_registered_user()
    {
        ExistsRegistered("bob");

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().RegisterAsync("bob", "bob", "pw"));

        Assert.Equal(UserOperationError.AlreadyRegistered, ex.Error);
        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Register_under_the_same_name_of_a_missing_user_is_refused_as_not_found()
    {
        _repo.RegisterPasswordAsync(default!, default!, default!, default).ReturnsForAnyArgs(false);
        _repo.ExistsAsync("g", Arg.Any<CancellationToken>()).Returns(false);

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().RegisterAsync("g", "g", "pw"));

        Assert.Equal(UserOperationError.UserNotFound, ex.Error);
    }

    [Fact]
    public async Task Register_with_a_new_name_renames_with_the_password_in_one_call()
    {
        _repo.RenameAsync("user-0000abcd", "alice", Arg.Any<string?>(), Arg.Any<string?>(), Arg.Any<CancellationToken>()).Returns(true);

        Assert.Equal("alice", await Service().RegisterAsync("user-0000abcd", " alice\t", "pw"));

        await _repo.Received(1).RenameAsync(
            "user-0000abcd",
            "alice",
            Arg.Is<string?>(h => h!.StartsWith("pbkdf2-sha256$", StringComparison.Ordinal)),
            Arg.Is<string?>(s => s!.Length == 32),
            Arg.Any<CancellationToken>());
        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Register_with_a_taken_name_is_refused_as_taken()
    {
        _repo.RenameAsync(default!, default!, default, default, default).ReturnsForAnyArgs(false);
        _repo.ExistsAsync("g", Arg.Any<CancellationToken>()).Returns(true);

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().RegisterAsync("g", "alice", "pw"));

        Assert.Equal(UserOperationError.UserNameTaken, ex.Error);
        Assert.Equal("alice", ex.UserName);
    }

    [Fact]
    public async Task Register_of_a_missing_guest_is_refused_as_not_found()
    {
        _repo.RenameAsync(default!, default!, default, default, default).ReturnsForAnyArgs(false);
        _repo.ExistsAsync("g", Arg.Any<CancellationToken>()).Returns(false);

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().RegisterAsync("g", "alice", "pw"));

        Assert.Equal(UserOperationError.UserNotFound, ex.Error);
        Assert.Equal("g", ex.UserName);
    }

    [Theory]
    [InlineData("g", "", "pw")]
    [InlineData("g", "   ", "pw")]
    [InlineData("g", "alice", "")]
    [InlineData("", "alice", "pw")]
    public async Task Register_refuses_empty_names_and_passwords_before_any_call(string guest, string name, string password)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().RegisterAsync(guest, name, password));
        Assert.Empty(_repo.ReceivedCalls());
    }

    [Fact]
    public async Task Login_with_a_password_of_an_unknown_user_is_UnknownUser()
    {
        var result = await Service().LoginAsync(" ghost ", "pw");

        Assert.Equal(new LoginResult(LoginStatus.UnknownUser, "ghost"), result);
        await _repo.DidNotReceiveWithAnyArgs().TouchLastLoginAsync(default!, default);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_is_WrongPassword_and_touches_nothing()
    {
        ExistsRegistered("bob");

        var result = await Service().LoginAsync("bob", "wrong");

        Assert.Equal(LoginStatus.WrongPassword, result.Status);
        Assert.Null(result.Role);
        await _repo.DidNotReceiveWithAnyArgs().TouchLastLoginAsync(default!, default);
        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Login_with_a_password_of_a_guest_is_WrongPassword()
    {
        ExistsGuest("g");

        Assert.Equal(LoginStatus.WrongPassword, (await Service().LoginAsync("g", "pw")).Status);
    }

    [Fact]
    public async Task Login_with_a_ZnDraw_hash_succeeds_touches_lastLogin_and_upgrades_to_pbkdf2()
    {
        ExistsRegistered("bob");

        var result = await Service().LoginAsync("bob", "s3cret");

        Assert.Equal(new LoginResult(LoginStatus.Succeeded, "bob", UserRole.User), result);
        await _repo.Received(1).TouchLastLoginAsync("bob", Arg.Any<CancellationToken>());
        await _repo.Received(1).SetPasswordAsync(
            "bob",
            Arg.Is<string>(h => h.StartsWith("pbkdf2-sha256$", StringComparison.Ordinal)),
            Arg.Any<string>(),
            Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Login_in_ZnDraw_compatibility_keeps_the_ZnDraw_hash()
    {
        ExistsRegistered("bob");

        Assert.True((await Service(compatible: true).LoginAsync("bob", "s3cret")).Succeeded);

        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task A_current_pbkdf2_hash_is_not_rewritten()
    {
        string? hash = null, salt = null;
        ExistsGuest("g");
        _repo.RegisterPasswordAsync("g", Arg.Do<string>(h => hash = h), Arg.Do<string>(s => salt = s), Arg.Any<CancellationToken>()).Returns(true);
        await Service().RegisterAsync("g", "g", "pw");
        Exists("g", hash, salt);
        _repo.ClearReceivedCalls();

        Assert.True((await Service().LoginAsync("g", "pw")).Succeeded);

        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Login_under_ZnDraws_hashing_never_rewrites_a_pbkdf2_hash()
    {
        var (hash, salt) = new PasswordHasher(PasswordHashing.Pbkdf2, TestOptions.FastIterations).Hash("pw");
        Exists("g", hash, salt);

        Assert.True((await Service(compatible: true).LoginAsync("g", "pw")).Succeeded);

        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
        await _repo.Received(1).TouchLastLoginAsync("g", Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Verify_password_reads_the_credentials_and_calls_nothing_else()
    {
        ExistsRegistered("bob");

        Assert.True(await Service().VerifyPasswordAsync("bob", "s3cret"));
        Assert.False(await Service().VerifyPasswordAsync("bob", "wrong"));
        Assert.False(await Service().VerifyPasswordAsync("ghost", "s3cret"));

        Assert.All(_repo.ReceivedCalls(), c => Assert.Equal(nameof(IUserRepository.GetCredentialsAsync), c.GetMethodInfo().Name));
        Assert.Equal(3, _repo.ReceivedCalls().Count());
    }

    [Theory]
    [InlineData("", "pw")]
    [InlineData("  ", "pw")]
    [InlineData("bob", "")]
    public async Task Verify_password_refuses_empty_input_before_any_call(string name, string password)
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Service().VerifyPasswordAsync(name, password));
        Assert.Empty(_repo.ReceivedCalls());
    }

    [Fact]
    public async Task The_upgrade_is_skipped_when_the_password_changed_during_the_login()
    {
        ExistsRegistered("bob");
        _repo.GetCredentialsAsync("bob", Arg.Any<CancellationToken>()).Returns(
            new UserCredentials("bob", LegacyHash, LegacySalt),
            new UserCredentials("bob", new string('a', 64), LegacySalt));

        Assert.True((await Service().LoginAsync("bob", "s3cret")).Succeeded);

        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task A_failed_upgrade_does_not_fail_the_login()
    {
        ExistsRegistered("bob");
        _repo.SetPasswordAsync("bob", Arg.Any<string>(), Arg.Any<string>(), Arg.Any<CancellationToken>())
            .ThrowsAsync(new ArgumentException("The password hash must be 64 lowercase hex characters."));

        var result = await Service().LoginAsync("bob", "s3cret");

        Assert.Equal(new LoginResult(LoginStatus.Succeeded, "bob", UserRole.User), result);
    }

    [Fact]
    public async Task An_admin_flag_makes_the_role_admin()
    {
        ExistsRegistered("root");
        _repo.IsAdminAsync("root", Arg.Any<CancellationToken>()).Returns(true);

        Assert.Equal(UserRole.Admin, (await Service(compatible: true).LoginAsync("root", "s3cret")).Role);
    }

    [Fact]
    public async Task A_stored_hash_in_no_known_format_refuses_the_password()
    {
        Exists("bob", "not-a-hash", LegacySalt);

        Assert.Equal(LoginStatus.WrongPassword, (await Service().LoginAsync("bob", "s3cret")).Status);
    }

    [Fact]
    public async Task Login_without_a_password_of_a_registered_user_is_PasswordRequired()
    {
        ExistsRegistered("bob");

        Assert.Equal(new LoginResult(LoginStatus.PasswordRequired, "bob"), await Service().LoginAsync("bob", null));
        await _repo.DidNotReceiveWithAnyArgs().TouchLastLoginAsync(default!, default);
    }

    [Fact]
    public async Task Login_without_a_password_of_an_existing_guest_logs_it_in_again()
    {
        ExistsGuest("g");

        Assert.Equal(new LoginResult(LoginStatus.Succeeded, "g", UserRole.Guest), await Service().LoginAsync("g", ""));
        await _repo.Received(1).TouchLastLoginAsync("g", Arg.Any<CancellationToken>());
        await _repo.DidNotReceiveWithAnyArgs().CreateAsync(default!, default);
    }

    [Fact]
    public async Task Login_without_a_password_of_a_new_name_creates_that_guest()
    {
        _repo.CreateAsync(Arg.Any<User>(), Arg.Any<CancellationToken>()).Returns(true);

        var result = await Service().LoginAsync(" newbie ", null);

        Assert.Equal(new LoginResult(LoginStatus.Succeeded, "newbie", UserRole.Guest, Created: true), result);
        await _repo.Received(1).CreateAsync(new User("newbie"), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Login_without_a_password_retries_when_the_name_was_created_concurrently()
    {
        _repo.GetByIdAsync("g", Arg.Any<CancellationToken>()).Returns(null, new User("g"));
        _repo.CreateAsync(Arg.Any<User>(), Arg.Any<CancellationToken>()).Returns(false);

        Assert.Equal(new LoginResult(LoginStatus.Succeeded, "g", UserRole.Guest), await Service().LoginAsync("g", null));
    }

    [Fact]
    public async Task Login_without_name_and_password_creates_an_anonymous_guest()
    {
        _repo.CreateAsync(Arg.Any<User>(), Arg.Any<CancellationToken>()).Returns(true);

        var result = await Service().LoginAsync(null, null);

        Assert.True(result.Succeeded);
        Assert.True(result.Created);
        Assert.Equal(UserRole.Guest, result.Role);
        Assert.Matches("^user-[0-9a-f]{8}$", result.UserName);
    }

    [Fact]
    public async Task Login_with_a_password_and_no_name_is_an_argument_error()
    {
        await Assert.ThrowsAsync<ArgumentException>(async () => await Service().LoginAsync("  ", "pw"));
        Assert.Empty(_repo.ReceivedCalls());
    }

    [Fact]
    public async Task Change_password_checks_the_current_one()
    {
        ExistsRegistered("bob");

        var ex = await Assert.ThrowsAsync<UserOperationException>(async () => await Service().ChangePasswordAsync("bob", "wrong", "new"));
        Assert.Equal(UserOperationError.WrongPassword, ex.Error);
        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);

        await Service().ChangePasswordAsync("bob", "s3cret", "new");
        await _repo.Received(1).SetPasswordAsync("bob", Arg.Is<string>(h => h.StartsWith("pbkdf2-sha256$", StringComparison.Ordinal)), Arg.Any<string>(), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Change_and_reset_refuse_guests_and_missing_users()
    {
        ExistsGuest("g");

        Assert.Equal(UserOperationError.NotRegistered, (await Assert.ThrowsAsync<UserOperationException>(async () => await Service().ChangePasswordAsync("g", "a", "b"))).Error);
        Assert.Equal(UserOperationError.NotRegistered, (await Assert.ThrowsAsync<UserOperationException>(async () => await Service().ResetPasswordAsync("g", "b"))).Error);
        Assert.Equal(UserOperationError.UserNotFound, (await Assert.ThrowsAsync<UserOperationException>(async () => await Service().ChangePasswordAsync("nobody", "a", "b"))).Error);
        Assert.Equal(UserOperationError.UserNotFound, (await Assert.ThrowsAsync<UserOperationException>(async () => await Service().ResetPasswordAsync("nobody", "b"))).Error);
        await _repo.DidNotReceiveWithAnyArgs().SetPasswordAsync(default!, default!, default!, default);
    }

    [Fact]
    public async Task Reset_sets_a_new_hash_without_the_current_password()
    {
        ExistsRegistered("bob");

        await Service(compatible: true).ResetPasswordAsync("bob", "fresh");

        await _repo.Received(1).SetPasswordAsync("bob", Arg.Is<string>(h => h.Length == 64), Arg.Is<string>(s => s.Length == 32), Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Get_returns_the_profile_with_the_role_and_no_secrets()
    {
        var created = new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc);
        ExistsRegistered("bob");
        _repo.GetByIdAsync("bob", Arg.Any<CancellationToken>()).Returns(new User("bob", created, CurrentRoom: "r1", CurrentSid: "") { IsRegistered = true });
        _repo.IsAdminAsync("bob", Arg.Any<CancellationToken>()).Returns(true);

        var profile = await Service().GetAsync("bob");

        Assert.Equal(new UserProfile("bob", UserRole.Admin, created, null, null, "r1", ""), profile);
        Assert.Null(await Service().GetAsync("nobody"));
    }

    [Fact]
    public async Task Role_admin_and_list_pass_through()
    {
        _repo.GetRoleAsync("bob", Arg.Any<CancellationToken>()).Returns(UserRole.User);
        _repo.ListAllAsync(Arg.Any<CancellationToken>()).Returns(new List<string> { "a", "b" });

        Assert.Equal(UserRole.User, await Service().GetRoleAsync("bob"));
        Assert.Equal(["a", "b"], await Service().ListAsync());
        await Service().SetAdminAsync("bob", true);
        await _repo.Received(1).SetAdminAsync("bob", true, Arg.Any<CancellationToken>());
    }
}
