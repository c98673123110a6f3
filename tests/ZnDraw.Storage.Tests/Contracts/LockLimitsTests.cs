using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Tests.Contracts;

public sealed class LockLimitsTests
{
    [Theory]
    [InlineData(1, 1)]          // 1 ms
    [InlineData(500, 1)]        // ZnDraw would send 0
    [InlineData(1000, 1)]
    [InlineData(1001, 2)]       // rounded up, never shorter than asked
    [InlineData(60_000, 60)]
    [InlineData(300_000, 300)]
    public void Ttl_is_whole_seconds_rounded_up(int milliseconds, long seconds) =>
        Assert.Equal(seconds, LockLimits.ToSeconds(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void Ttl_outside_zero_to_300_seconds_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LockLimits.ToSeconds(TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => LockLimits.ToSeconds(TimeSpan.FromTicks(-1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => LockLimits.ToSeconds(LockLimits.MaxTimeToLive + TimeSpan.FromTicks(1)));
        Assert.Equal(TimeSpan.FromSeconds(10), LockLimits.DefaultPresenterTimeToLive);
        Assert.Equal(TimeSpan.FromSeconds(60), LockLimits.DefaultTimeToLive);
    }
}
