using System.Globalization;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>How table cells show values (JSON output keeps the values themselves).</summary>
internal static class Formats
{
    /// <summary>UTC, to the second: <c>2026-01-31 12:00:00Z</c>; empty when unknown.</summary>
    public static string? Time(DateTime? value) =>
        value?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <inheritdoc cref="Time(DateTime?)"/>
    public static string? Time(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string YesNo(bool value) => value ? "yes" : "no";

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string? Number(long? value) => value?.ToString(CultureInfo.InvariantCulture);

    public static string List(IEnumerable<string> values) => string.Join(", ", values);
}
