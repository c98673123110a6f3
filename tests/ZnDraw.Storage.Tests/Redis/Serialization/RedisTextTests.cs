using System.Globalization;
using StackExchange.Redis;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Serialization;

public class RedisTextTests
{
    public static TheoryData<string, NumberStyles> Texts()
    {
        var data = new TheoryData<string, NumberStyles>();
        string[] texts =
        [
            "0", "7", "007", "42", "123456789012345678", "999999999999999999", "1000000000000000000", "9223372036854775807",
            "9223372036854775808", "00000000000000000000000000042", "", " 7", "7 ", "+7", "-7", "-0", "7\0", "7\0\0", "\07",
            "1,000", "1.0", "1e3", "0x1F", "1F", "\u0663", "\uff17", "12a", new string('9', 64), new string('0', 65),
        ];
        foreach (string text in texts)
        {
            data.Add(text, NumberStyles.None);
            data.Add(text, NumberStyles.Integer);
            data.Add(text, NumberStyles.AllowHexSpecifier);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Texts))]
    public void Integers_parse_as_long_TryParse_of_the_decoded_text(string text, NumberStyles styles)
    {
        // The plain-digit shortcut must not change a single answer: compare with long.TryParse on the text, for values
        // stored as bytes (what Redis replies hold) and as strings; longer than 64 bytes is refused outright.
        bool expectedOk = long.TryParse(text, styles, CultureInfo.InvariantCulture, out long expected);
        if (System.Text.Encoding.UTF8.GetByteCount(text) > RedisText.MaxStackChars)
        {
            (expectedOk, expected) = (false, 0);
        }

        foreach (RedisValue value in new[] { TestData.Bytes(text), (RedisValue)text })
        {
            bool ok = RedisText.TryParseInt64(value, styles, out long parsed);
            Assert.Equal(expectedOk, ok);
            Assert.Equal(expectedOk ? expected : 0, parsed);
        }
    }

    [Fact]
    public void Integers_stored_as_numbers_and_missing_values()
    {
        Assert.True(RedisText.TryParseInt64(12345, NumberStyles.None, out long parsed));
        Assert.Equal(12345, parsed);
        Assert.False(RedisText.TryParseInt64(-5, NumberStyles.None, out _));
        Assert.True(RedisText.TryParseInt64(-5, NumberStyles.Integer, out parsed));
        Assert.Equal(-5, parsed);
        Assert.False(RedisText.TryParseInt64(RedisValue.Null, NumberStyles.Integer, out parsed));
        Assert.Equal(0, parsed);
    }
}
