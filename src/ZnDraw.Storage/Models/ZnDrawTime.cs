namespace ZnDraw.Storage.Models;

/// <summary>Formats and parses timestamps the way ZnDraw stores them (Python <c>datetime.isoformat()</c>, epoch milliseconds).</summary>
/// <remarks>
/// ZnDraw writes user, job and lock times as <c>datetime.utcnow().isoformat()</c>: naive UTC without
/// <c>Z</c> or offset, six fraction digits (microseconds), and no fraction at all when the
/// microseconds are zero. .NET's 100 ns ticks below a microsecond are truncated on writing.
/// Everything here uses the invariant culture and ignores the current one.
/// </remarks>
internal static class ZnDrawTime
{
    /// <summary>Formats <paramref name="utc"/> as ZnDraw's naive-UTC ISO text, e.g. <c>2025-10-31T12:00:00.123456</c>.</summary>
    /// <param name="utc">The time; a <see cref="DateTimeKind.Local"/> value is converted to UTC first, others are taken as UTC.</param>
    /// <returns>The text, with the fraction left out when the microseconds are zero (as Python does).</returns>
    public static string FormatIso(DateTime utc)
    {
        if (utc.Kind == DateTimeKind.Local)
        {
            utc = utc.ToUniversalTime();
        }

        Span<char> buffer = stackalloc char[26];
        int length = FormatCore(utc, buffer);
        return new string(buffer[..length]);
    }

    /// <summary>Formats <paramref name="value"/> as Python's <c>isoformat()</c> of an aware datetime, e.g. <c>2025-10-31T12:00:00+00:00</c>.</summary>
    /// <param name="value">The time with its offset (ZnDraw writes <c>+00:00</c> for room metadata).</param>
    /// <returns>The text with the offset as <c>±HH:MM</c>.</returns>
    public static string FormatIsoWithOffset(DateTimeOffset value)
    {
        Span<char> buffer = stackalloc char[32];
        int length = FormatCore(value.DateTime, buffer);
        TimeSpan offset = value.Offset;
        buffer[length++] = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        Write2(buffer, ref length, offset.Hours);
        buffer[length++] = ':';
        Write2(buffer, ref length, offset.Minutes);
        return new string(buffer[..length]);
    }

    /// <summary>Parses ZnDraw's naive ISO text into a UTC <see cref="DateTime"/>.</summary>
    /// <param name="text">
    /// <c>YYYY-MM-DDTHH:MM:SS</c> with an optional fraction of 1 to 7 digits. A space instead of
    /// <c>T</c> is accepted (Python's <c>fromisoformat</c> does), and so is a <c>Z</c> or <c>±HH:MM</c>
    /// offset, which is converted to UTC.
    /// </param>
    /// <param name="utc">The parsed time, <see cref="DateTimeKind.Utc"/>.</param>
    /// <returns><see langword="false"/> when the text is not such a timestamp.</returns>
    public static bool TryParseIso(ReadOnlySpan<char> text, out DateTime utc)
    {
        if (TryParseCore(text, out DateTime local, out TimeSpan? offset))
        {
            utc = offset is { } o
                ? DateTime.SpecifyKind(local - o, DateTimeKind.Utc)
                : DateTime.SpecifyKind(local, DateTimeKind.Utc);
            return true;
        }

        utc = default;
        return false;
    }

    /// <summary>Parses ISO text with an offset (room metadata <c>file_modified_timestamp</c>); naive text is taken as UTC.</summary>
    /// <param name="text">The stored text.</param>
    /// <param name="value">The parsed time.</param>
    /// <returns><see langword="false"/> when the text is not an ISO timestamp.</returns>
    public static bool TryParseIsoWithOffset(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        if (TryParseCore(text, out DateTime local, out TimeSpan? offset))
        {
            value = new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), offset ?? TimeSpan.Zero);
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>Truncates <paramref name="value"/> to whole microseconds, the precision ZnDraw stores.</summary>
    /// <param name="value">Any time.</param>
    /// <returns>The same time without its sub-microsecond ticks.</returns>
    public static DateTime TruncateToMicroseconds(DateTime value) =>
        new(value.Ticks - (value.Ticks % 10), value.Kind);

    private static int FormatCore(DateTime value, Span<char> buffer)
    {
        int pos = 0;
        Write4(buffer, ref pos, value.Year);
        buffer[pos++] = '-';
        Write2(buffer, ref pos, value.Month);
        buffer[pos++] = '-';
        Write2(buffer, ref pos, value.Day);
        buffer[pos++] = 'T';
        Write2(buffer, ref pos, value.Hour);
        buffer[pos++] = ':';
        Write2(buffer, ref pos, value.Minute);
        buffer[pos++] = ':';
        Write2(buffer, ref pos, value.Second);
        int micro = (int)(value.Ticks % TimeSpan.TicksPerSecond / 10);
        if (micro != 0)
        {
            buffer[pos++] = '.';
            for (int divisor = 100_000; divisor > 0; divisor /= 10)
            {
                buffer[pos++] = (char)('0' + (micro / divisor % 10));
            }
        }

        return pos;
    }

    private static void Write2(Span<char> buffer, ref int pos, int value)
    {
        buffer[pos++] = (char)('0' + (value / 10));
        buffer[pos++] = (char)('0' + (value % 10));
    }

    private static void Write4(Span<char> buffer, ref int pos, int value)
    {
        Write2(buffer, ref pos, value / 100);
        Write2(buffer, ref pos, value % 100);
    }

    private static bool TryParseCore(ReadOnlySpan<char> s, out DateTime value, out TimeSpan? offset)
    {
        value = default;
        offset = null;
        if (s.Length < 19
            || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':'
            || !TryDigits(s[..4], out int year) || !TryDigits(s.Slice(5, 2), out int month)
            || !TryDigits(s.Slice(8, 2), out int day) || !TryDigits(s.Slice(11, 2), out int hour)
            || !TryDigits(s.Slice(14, 2), out int minute) || !TryDigits(s.Slice(17, 2), out int second))
        {
            return false;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        long ticks = 0;
        int pos = 19;
        if (pos < s.Length && s[pos] == '.')
        {
            pos++;
            int start = pos;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                pos++;
            }

            int digits = pos - start;
            if (digits is < 1 or > 7)
            {
                return false;
            }

            for (int i = 0; i < 7; i++)
            {
                ticks = (ticks * 10) + (i < digits ? s[start + i] - '0' : 0);
            }
        }

        if (pos < s.Length)
        {
            ReadOnlySpan<char> rest = s[pos..];
            if (rest is "Z")
            {
                offset = TimeSpan.Zero;
            }
            else if (rest.Length == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':'
                && TryDigits(rest.Slice(1, 2), out int oh) && TryDigits(rest.Slice(4, 2), out int om)
                && oh < 24 && om < 60)
            {
                var o = new TimeSpan(oh, om, 0);
                offset = rest[0] == '-' ? -o : o;
            }
            else
            {
                return false;
            }
        }

        value = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(ticks);
        if (offset is { } off)
        {
            // Converting must stay inside DateTime's range.
            long utcTicks = value.Ticks - off.Ticks;
            if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
