using System.Text.RegularExpressions;
using CsCheck;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Tests.Redis.Keys;

public class KeyValidationTests
{
    private const string LoneHigh = "a\uD800";
    private const string LoneLow = "\uDC00a";
    private static readonly string Longest = new('a', KeyValidation.MaxIdLength);
    private static readonly string TooLong = new('a', KeyValidation.MaxIdLength + 1);

    // ZnDraw's own check, with .NET's '$' (which, like Python's, also matches before one final "\n").
    private static readonly Regex ZnDrawRoomId = new(@"^[a-zA-Z0-9_\-\.]+$", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData("r1")]
    [InlineData("My_Room-2.0")]
    [InlineData("...")]
    [InlineData("-")]
    [InlineData("r1\n")] // Python re.match and .NET '$' both accept one trailing newline
    [InlineData("0b7f2c1e-3d4a-4b5c-8d6e-7f8091a2b3c4")]
    public void Valid_room_ids(string id)
    {
        KeyValidation.ValidateRoomId(id);
        Assert.True(KeyValidation.IsValidRoomId(id));
        Assert.Matches(ZnDrawRoomId, id);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:b")]
    [InlineData("r*")]
    [InlineData("{r1}")]
    [InlineData("r}")]
    [InlineData("a b")]
    [InlineData(" r1")]
    [InlineData("r1 ")]
    [InlineData("\n")]
    [InlineData("\nr1")]
    [InlineData("r1\n\n")]
    [InlineData("r\n1")]
    [InlineData("r1\r\n")]
    [InlineData("r1\t")]
    [InlineData("räum")]
    [InlineData("r/1")]
    [InlineData("r1\u00A0")]
    [InlineData("\uFF21")] // fullwidth 'A': not ASCII
    public void Invalid_room_ids(string id)
    {
        Assert.Equal("roomId", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateRoomId(id, "roomId")).ParamName);
        Assert.False(KeyValidation.IsValidRoomId(id));
        Assert.DoesNotMatch(ZnDrawRoomId, id);
    }

    [Fact]
    public void Room_id_null_length_and_surrogates()
    {
        Assert.Equal("id", Assert.Throws<ArgumentNullException>(() => KeyValidation.ValidateRoomId(null, "id")).ParamName);
        Assert.False(KeyValidation.IsValidRoomId(null));
        KeyValidation.ValidateRoomId(Longest);
        Assert.Equal("id", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateRoomId(TooLong, "id")).ParamName);
        Assert.Equal("id", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateRoomId(LoneHigh, "id")).ParamName);
    }

    [Fact]
    public void Room_id_rule_equals_ZnDraws_regex()
    {
        Gen.Char["aZ09_-.:{} *\n\r\tä"].Array[0, 6].Select(chars => new string(chars))
            .Sample(id => Assert.Equal(ZnDrawRoomId.IsMatch(id), KeyValidation.IsValidRoomId(id)), iter: 20_000);
    }

    [Fact]
    public void ParamName_defaults_to_the_argument_expression()
    {
        var myRoom = "a:b";
        Assert.Equal("myRoom", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateRoomId(myRoom)).ParamName);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("a:b")]
    [InlineData("celery-fs:worker")]
    [InlineData("*")]
    [InlineData("user*?[]")]
    [InlineData("Jane Doe")]
    [InlineData("{bob}")]
    [InlineData("Zoë")]
    [InlineData("日本語")]
    [InlineData("😀")] // a surrogate pair is well-formed
    [InlineData("a\u200Bb")] // zero-width space is a format character, not white space or control
    public void Valid_user_names(string name) => KeyValidation.ValidateUserName(name);

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("   ")]
    [InlineData(" bob")]
    [InlineData("bob ")]
    [InlineData("\tbob")]
    [InlineData("bob\n")]
    [InlineData("b\no")]
    [InlineData("b\0o")]
    [InlineData("b\u007Fo")]
    [InlineData("b\u0085o")]
    [InlineData("bob\u00A0")] // no-break space: Python's strip() removes it too
    [InlineData("\u3000bob")]
    public void Invalid_user_names(string name)
        => Assert.Equal("userName", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateUserName(name, KeyLayout.ZnDraw, "userName")).ParamName);

    [Fact]
    public void User_name_null_length_and_braces()
    {
        Assert.Equal("n", Assert.Throws<ArgumentNullException>(() => KeyValidation.ValidateUserName(null, KeyLayout.ZnDraw, "n")).ParamName);
        KeyValidation.ValidateUserName(Longest);
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateUserName(TooLong, KeyLayout.ZnDraw, "n")).ParamName);
        KeyValidation.ValidateUserName("{bob}", KeyLayout.ZnDraw);
        Assert.Equal("n", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateUserName("{bob}", KeyLayout.ClusterSafe, "n")).ParamName);
    }

    [Theory]
    [InlineData("s1")]
    [InlineData("AbC_-=")]
    [InlineData("celery")]
    [InlineData("celery:8d9f0c1e-1b2a-4c3d-9e8f-001122334455")]
    [InlineData("celery:roles")]
    [InlineData("*")]
    [InlineData("a b")]
    [InlineData("{s}")]
    public void Valid_session_ids(string sid) => KeyValidation.ValidateSessionId(sid);

    [Theory]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("a:b")]
    [InlineData("x:role")]
    [InlineData(":s1")]
    [InlineData("s1:")]
    [InlineData("Celery:x")] // only the exact lower-case prefix ZnDraw writes
    [InlineData("celery:")]
    [InlineData("celery:a:b")]
    [InlineData("celery::")]
    [InlineData("celery:role")]
    [InlineData("celery:queue")]
    [InlineData("celery:idle_workers")]
    [InlineData("celery:progressing_workers")]
    [InlineData("celery:worker")]
    public void Invalid_session_ids(string sid)
        => Assert.Equal("sid", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateSessionId(sid, KeyLayout.ZnDraw, "sid")).ParamName);

    [Fact]
    public void Session_id_null_length_and_braces()
    {
        Assert.Equal("sid", Assert.Throws<ArgumentNullException>(() => KeyValidation.ValidateSessionId(null, KeyLayout.ZnDraw, "sid")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateSessionId(TooLong, KeyLayout.ZnDraw, "sid")).ParamName);
        Assert.Equal("sid", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateSessionId("celery:{x}", KeyLayout.ClusterSafe, "sid")).ParamName);
        KeyValidation.ValidateSessionId("celery:{x}", KeyLayout.ZnDraw);
    }

    [Theory]
    [InlineData("modifiers", true)]
    [InlineData("settings", true)]
    [InlineData("my category*", true)]
    [InlineData("{c}", true)]
    [InlineData("Ünïcode", true)]
    [InlineData("a:b", false)]
    [InlineData(":", false)]
    [InlineData("", false)]
    public void Categories(string category, bool valid)
        => AssertRule(() => KeyValidation.ValidateCategory(category, KeyLayout.ZnDraw, "category"), "category", valid);

    [Fact]
    public void Category_braces_only_matter_in_the_cluster_layout()
        => Assert.Equal("c", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateCategory("{c}", KeyLayout.ClusterSafe, "c")).ParamName);

    [Theory]
    [InlineData("Rotate", true)]
    [InlineData("a:b", true)]
    [InlineData("x:queue", true)]
    [InlineData(" ", true)]
    [InlineData("tab\there", true)]
    [InlineData("{}", true)]
    [InlineData("", false)]
    public void Extension_names(string name, bool valid)
        => AssertRule(() => KeyValidation.ValidateExtensionName(name, "extension"), "extension", valid);

    [Theory]
    [InlineData("trajectory:meta", true)]
    [InlineData("metadata", true)]
    [InlineData("metadata:x", true)]
    [InlineData("x:Metadata", true)]
    [InlineData("x:metadata", false)]
    [InlineData(":metadata", false)]
    [InlineData("", false)]
    public void Lock_targets(string target, bool valid)
        => AssertRule(() => KeyValidation.ValidateLockTarget(target, "target"), "target", valid);

    [Theory]
    [InlineData("local", true)]
    [InlineData("worker", true)]
    [InlineData("a:b", true)]
    [InlineData("x:workers", true)]
    [InlineData("x:worker", false)]
    [InlineData(":worker", false)]
    [InlineData("", false)]
    public void Filesystem_names(string name, bool valid)
        => AssertRule(() => KeyValidation.ValidateFilesystemName(name, "filesystemName"), "filesystemName", valid);

    [Theory]
    [InlineData("0b7f2c1e-3d4a-4b5c-8d6e-7f8091a2b3c4", true)]
    [InlineData("a:b", true)]
    [InlineData("", false)]
    public void Job_ids(string id, bool valid)
        => AssertRule(() => KeyValidation.ValidateJobId(id, "jobId"), "jobId", valid);

    // Unpaired surrogates are tested in code: attribute strings are stored as UTF-8, which replaces them with U+FFFD.
    [Fact]
    public void Unpaired_surrogates_are_refused_but_pairs_are_accepted()
    {
        string[] bad = [LoneHigh, LoneLow, "\uDC00\uD800", "a\uD800b", "\uD83D"];
        foreach (var value in bad)
        {
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateUserName(value, KeyLayout.ZnDraw, "p")).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateSessionId(value, KeyLayout.ZnDraw, "p")).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateCategory(value, KeyLayout.ZnDraw, "p")).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateExtensionName(value, "p")).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidateLockTarget(value, "p")).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidatePrefix(value, KeyLayout.ZnDraw, "p")).ParamName);
        }

        KeyValidation.ValidateUserName("\uD83D\uDE00");
        KeyValidation.ValidateExtensionName("x\uD83D\uDE00y");
    }

    [Fact]
    public void Every_kind_refuses_null_and_overlong_values()
    {
        var checks = new Action<string?>[]
        {
            v => KeyValidation.ValidateRoomId(v, "p"),
            v => KeyValidation.ValidateUserName(v, KeyLayout.ZnDraw, "p"),
            v => KeyValidation.ValidateSessionId(v, KeyLayout.ZnDraw, "p"),
            v => KeyValidation.ValidateCategory(v, KeyLayout.ZnDraw, "p"),
            v => KeyValidation.ValidateExtensionName(v, "p"),
            v => KeyValidation.ValidateLockTarget(v, "p"),
            v => KeyValidation.ValidateFilesystemName(v, "p"),
            v => KeyValidation.ValidateJobId(v, "p"),
            v => KeyValidation.ValidateSegment(v, "p"),
        };
        foreach (var check in checks)
        {
            Assert.Equal("p", Assert.Throws<ArgumentNullException>(() => check(null)).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => check(string.Empty)).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => check(TooLong)).ParamName);
            Assert.Equal("p", Assert.Throws<ArgumentException>(() => check("a\uDBFF")).ParamName);
            check(Longest);
        }
    }

    [Fact]
    public void Messages_do_not_echo_the_value()
    {
        var ex = Assert.Throws<ArgumentException>(() => KeyValidation.ValidateRoomId("secret:value", "roomId"));
        Assert.DoesNotContain("secret", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefix_rules()
    {
        KeyValidation.ValidatePrefix(null);
        KeyValidation.ValidatePrefix(string.Empty, KeyLayout.ClusterSafe);
        KeyValidation.ValidatePrefix("{app}:");
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => KeyValidation.ValidatePrefix("{app}:", KeyLayout.ClusterSafe, "p")).ParamName);
    }

    private static void AssertRule(Action check, string paramName, bool valid)
    {
        if (valid)
        {
            check();
        }
        else
        {
            Assert.Equal(paramName, Assert.Throws<ArgumentException>(check).ParamName);
        }
    }
}
