using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Tests.Models;

public class ZnDrawTimeTests
{
    [Fact]
    public void Formats_microseconds_and_drops_zero_fraction()
    {
        var t = new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc).AddTicks(1_234_560);
        Assert.Equal("2025-10-31T12:00:00.123456", ZnDrawTime.FormatIso(t));
        Assert.Equal("2025-10-31T12:00:00", ZnDrawTime.FormatIso(new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc)));
        Assert.Equal("2025-10-31T12:00:00.000001", ZnDrawTime.FormatIso(new DateTime(2025, 10, 31, 12, 0, 0, DateTimeKind.Utc).AddTicks(19)));
    }

    [Theory]
    [InlineData("2025-10-31T12:00:00.123456", 2025, 10, 31, 12, 0, 0, 1_234_560)]
    [InlineData("2025-10-31T12:00:00", 2025, 10, 31, 12, 0, 0, 0)]
    [InlineData("2025-10-31 12:00:00.5", 2025, 10, 31, 12, 0, 0, 5_000_000)]
    [InlineData("2025-10-31T14:00:00+02:00", 2025, 10, 31, 12, 0, 0, 0)]
    [InlineData("2025-10-31T12:00:00Z", 2025, 10, 31, 12, 0, 0, 0)]
    public void Parses_iso(string text, int y, int mo, int d, int h, int mi, int s, long ticks)
    {
        Assert.True(ZnDrawTime.TryParseIso(text, out DateTime value));
        Assert.Equal(new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc).AddTicks(ticks), value);
        Assert.Equal(DateTimeKind.Utc, value.Kind);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2025-10-31")]
    [InlineData("2025-13-31T12:00:00")]
    [InlineData("2025-02-30T12:00:00")]
    [InlineData("2025-10-31T24:00:00")]
    [InlineData("2025-10-31T12:00:00.")]
    [InlineData("2025-10-31T12:00:00.12345678")]
    [InlineData("2025-10-31T12:00:00+0200")]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("2025-10-31T12:00:00 ")]
    [InlineData("２０２５-10-31T12:00:00")]
    public void Rejects_bad_iso(string text)
    {
        Assert.False(ZnDrawTime.TryParseIso(text, out _));
    }

    [Fact]
    public void Formats_offset_like_python_aware_isoformat()
    {
        var t = new DateTimeOffset(2025, 10, 31, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("2025-10-31T12:00:00+00:00", ZnDrawTime.FormatIsoWithOffset(t));
        Assert.Equal("2025-10-31T12:00:00-05:30", ZnDrawTime.FormatIsoWithOffset(new DateTimeOffset(2025, 10, 31, 12, 0, 0, new TimeSpan(-5, -30, 0))));
        Assert.True(ZnDrawTime.TryParseIsoWithOffset("2025-10-31T12:00:00.5+00:00", out DateTimeOffset back));
        Assert.Equal(t.AddMilliseconds(500), back);
    }
}
