using System.Globalization;
using System.Text;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Redis.Serialization;

/// <summary>Culture-invariant, allocation-light reading and writing of ZnDraw's text encodings in Redis values.</summary>
internal static class RedisText
{
    /// <summary>Longest value decoded on the stack for number/date parsing; longer values cannot be valid anyway.</summary>
    public const int MaxStackChars = 64;

    /// <summary>The most decimal digits that always fit in a <see cref="long"/> (10^18 − 1 &lt; 2^63).</summary>
    private const int MaxPlainDigits = 18;

    /// <summary>The stored flag for <see langword="true"/> (<c>"1"</c>).</summary>
    public static readonly RedisValue One = "1";

    /// <summary>The stored flag for <see langword="false"/> (<c>"0"</c>).</summary>
    public static readonly RedisValue Zero = "0";

    /// <summary>Decodes a short value into <paramref name="buffer"/>; false when it is longer than the buffer.</summary>
    public static bool TryGetChars(in RedisValue value, Span<char> buffer, out int length)
    {
        length = 0;
        if (value.IsNull)
        {
            return false;
        }

        if (buffer.Length > MaxStackChars || value.GetByteCount() > buffer.Length)
        {
            return false;
        }

        // UTF-8 never needs fewer bytes than UTF-16 code units, so the chars fit.
        Span<byte> bytes = stackalloc byte[MaxStackChars];
        int byteCount = value.CopyTo(bytes);
        length = Encoding.UTF8.GetChars(bytes[..byteCount], buffer);
        return true;
    }

    /// <summary>ZnDraw's flag reading: exactly <c>"1"</c> is true, anything else (including missing) is false.</summary>
    public static bool IsOne(in RedisValue value) => !value.IsNull && value == One;

    /// <summary>Writes a flag as <c>"1"</c>/<c>"0"</c>.</summary>
    public static RedisValue Flag(bool value) => value ? One : Zero;

    /// <summary>Decimal text of an integer (invariant culture).</summary>
    public static RedisValue Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses a decimal integer; the error names <paramref name="key"/> and <paramref name="field"/>.</summary>
    public static long ParseInt64(string key, string? field, in RedisValue value, NumberStyles styles = NumberStyles.Integer)
    {
        if (TryParseInt64(value, styles, out long result))
        {
            return result;
        }

        throw new StorageDataException(key, field, $"expected a decimal integer, found {Describe(value)}.");
    }

    /// <summary>Parses a non-negative decimal integer that fits in <see cref="int"/> (digits only).</summary>
    public static int ParseIndex(string key, string? field, in RedisValue value)
    {
        if (TryParseInt64(value, NumberStyles.None, out long result) && result <= int.MaxValue)
        {
            return (int)result;
        }

        throw new StorageDataException(key, field, $"expected a non-negative integer index, found {Describe(value)}.");
    }

    /// <summary>
    /// Parses a decimal integer with <paramref name="styles"/> (invariant culture); false for a missing value or one
    /// longer than <see cref="MaxStackChars"/> bytes.
    /// </summary>
    /// <remarks>
    /// Plain digits (up to <see cref="MaxPlainDigits"/>, the common case) are read straight from the UTF-8 bytes: they
    /// mean the same under every decimal <see cref="NumberStyles"/>. Anything else is decoded and left to
    /// <see cref="long.TryParse(ReadOnlySpan{char}, NumberStyles, IFormatProvider, out long)"/>.
    /// </remarks>
    public static bool TryParseInt64(in RedisValue value, NumberStyles styles, out long result)
    {
        Span<byte> bytes = stackalloc byte[MaxStackChars];
        if (value.IsNull || value.GetByteCount() > bytes.Length)
        {
            result = 0;
            return false;
        }

        bytes = bytes[..value.CopyTo(bytes)];
        if (bytes.Length is > 0 and <= MaxPlainDigits
            && (styles & (NumberStyles.AllowHexSpecifier | NumberStyles.AllowBinarySpecifier)) == 0
            && !bytes.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
        {
            long plain = 0;
            foreach (byte digit in bytes)
            {
                plain = (plain * 10) + (digit - '0');
            }

            result = plain;
            return true;
        }

        // UTF-8 never needs fewer bytes than UTF-16 code units, so the chars fit.
        Span<char> chars = stackalloc char[MaxStackChars];
        int length = Encoding.UTF8.GetChars(bytes, chars);
        return long.TryParse(chars[..length], styles, CultureInfo.InvariantCulture, out result);
    }

    /// <summary>Parses a naive-UTC ISO timestamp (<see cref="ZnDrawTime.TryParseIso(ReadOnlySpan{char}, out DateTime)"/>).</summary>
    public static DateTime ParseIso(string key, string? field, in RedisValue value)
    {
        Span<char> buffer = stackalloc char[MaxStackChars];
        DateTime result = default;
        if (TryGetChars(value, buffer, out int length) && ZnDrawTime.TryParseIso(buffer[..length], out result))
        {
            return result;
        }

        throw new StorageDataException(key, field, $"expected an ISO 8601 timestamp, found {Describe(value)}.");
    }

    /// <summary>A short, safe description of a bad value for error messages.</summary>
    public static string Describe(in RedisValue value)
    {
        if (value.IsNull)
        {
            return "nothing (missing)";
        }

        string text = value.ToString();
        return text.Length <= 40 ? $"'{text}'" : $"'{text[..40]}…' ({text.Length} chars)";
    }

    /// <summary>The <see cref="StorageDataException"/> for a required field that is absent.</summary>
    public static StorageDataException Missing(string key, string field) =>
        new(key, field, "required field is missing.");
}
