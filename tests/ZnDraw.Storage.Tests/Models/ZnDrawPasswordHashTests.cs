using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Tests.Models;

public class ZnDrawPasswordHashTests
{
    [Theory]
    [InlineData("s3cret", "00112233445566778899aabbccddeeff", "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a")]
    [InlineData("pässwort", "ffeeddccbbaa99887766554433221100", "383bbbd0a6115b3bc5e420abc573b41e13d899619a080e23bb08dcd960b5f4ce")]
    [InlineData("", "00112233445566778899aabbccddeeff", "5947d7c33d783f94b3b4c1a96ebc8991ed28f1b069b71e03376cba8caa98a720")]
    public void Matches_the_reference_vectors(string password, string salt, string hash)
    {
        Assert.Equal(hash, ZnDrawPasswordHash.Compute(password, salt));
        Assert.True(ZnDrawPasswordHash.Verify(password, salt, hash));
        Assert.False(ZnDrawPasswordHash.Verify(password + "x", salt, hash));
    }

    [Fact]
    public void Verify_is_false_for_missing_or_malformed_values()
    {
        const string salt = "00112233445566778899aabbccddeeff";
        Assert.False(ZnDrawPasswordHash.Verify("s3cret", null, "1e6ac894fd19240b9821e0bc46f7dfb91c6a58d659288a080b633e98b99b248a"));
        Assert.False(ZnDrawPasswordHash.Verify("s3cret", salt, null));
        Assert.False(ZnDrawPasswordHash.Verify("s3cret", salt, "1e6a"));
        Assert.False(ZnDrawPasswordHash.Verify("s3cret", salt, "1E6AC894FD19240B9821E0BC46F7DFB91C6A58D659288A080B633E98B99B248A"));
        Assert.False(ZnDrawPasswordHash.Verify("s3cret", salt, new string('é', 64)));
    }

    [Fact]
    public void NewSalt_is_32_lowercase_hex_and_long_passwords_work()
    {
        string salt = ZnDrawPasswordHash.NewSalt();
        Assert.Matches("^[0-9a-f]{32}$", salt);
        Assert.NotEqual(salt, ZnDrawPasswordHash.NewSalt());
        string longPassword = new('ü', 1000);
        string hash = ZnDrawPasswordHash.Compute(longPassword, salt);
        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.True(ZnDrawPasswordHash.Verify(longPassword, salt, hash));
    }
}
