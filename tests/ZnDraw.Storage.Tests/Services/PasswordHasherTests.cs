using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tests.Services;

public sealed class PasswordHasherTests
{
    private static PasswordHasher Pbkdf2(int iterations = ZnDrawPasswordOptions.MinPbkdf2Iterations) => new(PasswordHashing.Pbkdf2, iterations);

    private static readonly PasswordHasher ZnDrawSha256 = new(PasswordHashing.ZnDrawSha256, ZnDrawPasswordOptions.MinPbkdf2Iterations);

    [Fact]
    public void New_hashes_are_self_describing_pbkdf2_and_verify()
    {
        var (hash, salt) = Pbkdf2().Hash("s3cret");
        Assert.StartsWith("pbkdf2-sha256$600000$" + salt + "$", hash, StringComparison.Ordinal);
        Assert.Equal(PasswordVerification.Success, Pbkdf2().Verify("s3cret", hash, salt));
        Assert.Equal(PasswordVerification.Failed, Pbkdf2().Verify("s3cret!", hash, salt));
    }

    [Fact]
    public void Two_hashes_of_one_password_differ_by_salt()
    {
        Assert.NotEqual(Pbkdf2().Hash("x").Hash, Pbkdf2().Hash("x").Hash);
    }

    [Theory]
    [InlineData("s3cret", "00112233445566778899aabbccddeeff", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a")]
    [InlineData("pässwort", "ffeeddccbbaa99887766554433221100", "383bbbd0a6115b3bc5e420abc573b41e13d899619a080e23bb08dcd960b5f4ce")]
    public void ZnDraw_hashes_verify_and_ask_for_an_upgrade_only_under_pbkdf2(string password, string salt, string hash)
    {
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, Pbkdf2().Verify(password, hash, salt));
        Assert.Equal(PasswordVerification.Success, ZnDrawSha256.Verify(password, hash, salt));
        Assert.Equal(PasswordVerification.Failed, Pbkdf2().Verify(password + "x", hash, salt));
    }

    [Fact]
    public void The_ZnDraw_policy_writes_ZnDraws_format()
    {
        var (hash, salt) = ZnDrawSha256.Hash("s3cret");
        Assert.Equal(ZnDrawPasswordHash.Compute("s3cret", salt), hash);
        Assert.Equal(64, hash.Length);
        Assert.Matches("^[0-9a-f]{32}$", salt);
    }

    [Fact]
    public void Fewer_iterations_than_configured_ask_for_an_upgrade_under_pbkdf2()
    {
        var (hash, salt) = Pbkdf2().Hash("pw");
        Assert.Equal(PasswordVerification.SuccessRehashNeeded, Pbkdf2(700_000).Verify("pw", hash, salt));
    }

    [Fact]
    public void The_ZnDraw_policy_never_asks_to_rewrite_a_pbkdf2_hash()
    {
        var (hash, salt) = Pbkdf2(1_000).Hash("pw");

        Assert.Equal(PasswordVerification.Success, ZnDrawSha256.Verify("pw", hash, salt));
        Assert.Equal(PasswordVerification.Failed, ZnDrawSha256.Verify("pw!", hash, salt));
    }

    [Theory]
    [InlineData(2_000_000_000)]
    [InlineData(ZnDrawPasswordOptions.MaxPbkdf2Iterations + 1)]
    public void A_stored_iteration_count_above_the_maximum_is_malformed_without_hashing(int iterations)
    {
        // Hashing 2,000,000,000 iterations would take hours: the verdict comes from the count alone.
        var stored = $"pbkdf2-sha256${iterations}$00112233445566778899aabbccddeeff$1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a";

        Assert.Equal(PasswordVerification.Malformed, Pbkdf2().Verify("s3cret", stored, "00112233445566778899aabbccddeeff"));
        Assert.Equal(PasswordVerification.Malformed, ZnDrawSha256.Verify("s3cret", stored, "00112233445566778899aabbccddeeff"));
    }

    [Fact]
    public void The_policy_must_be_resolved()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PasswordHasher(PasswordHashing.Automatic, 600_000));
    }

    [Theory]
    [InlineData(null, null, PasswordVerification.Failed)]
    [InlineData("", "", PasswordVerification.Failed)]
    [InlineData("pbkdf2-sha256$x$00$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$10$zz$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$10$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$10$$00", "", PasswordVerification.Malformed)]
    [InlineData("pbkdf2-sha256$99999999999$00$00", "", PasswordVerification.Malformed)]
    [InlineData("not-a-hash", "00", PasswordVerification.Malformed)]
    [InlineData("1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a", null, PasswordVerification.Malformed)]
    internal void Stored_garbage_never_verifies(string? hash, string? salt, PasswordVerification expected)
    {
        Assert.Equal(expected, Pbkdf2().Verify("s3cret", hash, salt));
    }

    [Theory]
    [InlineData(PasswordHashing.Automatic, null, KeyLayout.ZnDraw, PasswordHashing.ZnDrawSha256)]
    [InlineData(PasswordHashing.Automatic, "", KeyLayout.ZnDraw, PasswordHashing.ZnDrawSha256)]
    [InlineData(PasswordHashing.Automatic, "app:", KeyLayout.ZnDraw, PasswordHashing.Pbkdf2)]
    [InlineData(PasswordHashing.Automatic, null, KeyLayout.ClusterSafe, PasswordHashing.Pbkdf2)]
    [InlineData(PasswordHashing.Automatic, "app:", KeyLayout.ClusterSafe, PasswordHashing.Pbkdf2)]
    [InlineData(PasswordHashing.Pbkdf2, null, KeyLayout.ZnDraw, PasswordHashing.Pbkdf2)]
    [InlineData(PasswordHashing.ZnDrawSha256, "app:", KeyLayout.ClusterSafe, PasswordHashing.ZnDrawSha256)]
    public void Automatic_resolves_by_layout_and_prefix(PasswordHashing chosen, string? prefix, KeyLayout layout, PasswordHashing expected)
    {
        var options = new ZnDrawStorageOptions { KeyPrefix = prefix, Layout = layout, Passwords = new ZnDrawPasswordOptions { Hashing = chosen } };
        Assert.Equal(expected, ZnDrawPasswordOptions.Resolve(options));
    }
}
