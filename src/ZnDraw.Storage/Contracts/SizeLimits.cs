using System.Text;

namespace ZnDraw.Storage.Contracts;

/// <summary>The checks behind <see cref="ZnDrawLimitOptions"/>: throw <see cref="ArgumentException"/> before anything is sent.</summary>
internal static class SizeLimits
{
    /// <summary>Whether <paramref name="text"/> is at most <paramref name="limit"/> UTF-8 bytes; counts the bytes only when the length alone cannot tell.</summary>
    public static bool FitsUtf8(string text, int limit)
    {
        // A UTF-16 char is 1 to 3 UTF-8 bytes (a surrogate pair, 2 chars, is 4 bytes): count only when the bounds disagree.
        if ((long)text.Length * 3 <= limit)
        {
            return true;
        }

        return text.Length <= limit && Encoding.UTF8.GetByteCount(text) <= limit;
    }

    /// <summary>Throws when <paramref name="text"/> is longer than <paramref name="limit"/> UTF-8 bytes.</summary>
    public static void CheckText(string? text, int limit, string what, string paramName)
    {
        if (text is not null && !FitsUtf8(text, limit))
        {
            throw TooLarge(what, Encoding.UTF8.GetByteCount(text), limit, paramName);
        }
    }

    /// <summary>Throws when <paramref name="bytes"/> exceeds <paramref name="limit"/>.</summary>
    public static void CheckBytes(long bytes, int limit, string what, string paramName)
    {
        if (bytes > limit)
        {
            throw TooLarge(what, bytes, limit, paramName);
        }
    }

    /// <summary>The exception for a value of <paramref name="bytes"/> over <paramref name="limit"/>.</summary>
    public static ArgumentException TooLarge(string what, long bytes, int limit, string paramName) =>
        new($"The {what} is {bytes} bytes (UTF-8); the limit is {limit} bytes (ZnDrawStorageOptions.Limits). Nothing was written.", paramName);
}
