using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tests.Services;

public sealed class PasswordHasherTests
{
    private static PasswordHasher Modern(int iterations = ZnDrawPasswordOptions.MinPbkdf2Iterations) =>
        new(new ZnDrawPasswordOptions { Pbkdf2Iterations = iterations });

    private static readonly PasswordHasher Compatible = new(new ZnDrawPasswordOptions { ZnDrawCompatible = true });

    [Fact]
    public void New_hashes_are_self_describing_pbkdf2_and_verify()
    {
        var (hash, salt) = Modern().Hash("s3cret");
        Assert.StartsWith("pbkdf2-sha256$600000$" + salt + "$", hash, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Success, Modern().Verify("s3cret", hash, salt));
        Assert.Equal(PasswordVerification.Failed, Modern().Verify("s3cret!", hash, salt));
    }

    [Fact]
    public void Two_hashes_of_one_password_differ_by_salt()
    {
        Assert.NotEqual(Modern().Hash("x").Hash, Modern().Hash("x").Hash);
    }

    [Theory]
    [InlineData("s3cret", "00112233445566778899aabbccddeeff", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a")]
    [InlineData("pässwort", "ffeeddccbbaa99887766554433221100", "383bbbd0a6115b3bc5e420abc573b41e13d899619a080e23bb08dcd960b5f4ce")]
    public void ZnDraw_legacy_hashes_verify_and_ask_for_an_upgrade_unless_compatible(string password, string salt, string hash)
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, Modern().Verify(password, hash, salt));
        Assert.Equal(PasswordVerification.Success, Compatible.Verify(password, hash, salt));
        Assert.Equal(PasswordVerification.Failed, Modern().Verify(password + "x", hash, salt));
    }

    [Fact]
    public void Compatible_mode_writes_ZnDraws_format()
    {
        var (hash, salt) = Compatible.Hash("s3cret");
        Assert.Equal(ZnDrawPasswordHash.Compute("s3cret", salt), hash);
        Assert.Equal(64, hash.Length);
    }

    [Fact]
    public void Fewer_iterations_than_configured_ask_for_an_upgrade()
    {
        var (hash, salt) = Modern().Hash("pw");
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, Modern(700_000).Verify("pw", hash, salt));
    }

    [Theory]
    [InlineData(null, null, PasswordVerification.Failed)]
    [InlineData("", "", PasswordVerification.Failed)]
    [InlineData("pbkdf2-sha256$x$00$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$10$zz$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$10$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$10$$00", "", PasswordVerification.Malformed)]
    [InlineData("not-a-hash", "00", PasswordVerification.Malformed)]
    [InlineData("1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a", null, PasswordVerification.Malformed)]
    internal void Stored_garbage_never_verifies(string? hash, string? salt, PasswordVerification expected)
    {
        Assert.Equal(expected, Modern().Verify("s3cret", hash, salt));
    }
}
