using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Serialization;

/// <summary>Parses stored JSON values into detached <see cref="JsonElement"/>s; every failure is a <see cref="StorageDataException"/>.</summary>
/// <remarks>The JSON rules are the neutral <see cref="StoredJson"/>'s; this adds what is Redis's: a missing value.</remarks>
internal static class JsonParsing
{
    /// <summary>Parses any JSON value. A missing value is an error.</summary>
    /// <remarks>The key becomes text only for an error message (a prefixed key costs a string otherwise).</remarks>
    public static JsonElement Parse(in RedisKey key, string? field, in RedisValue value)
    {
        using JsonDocument document = ParseDocument(key, field, value);
        return document.RootElement.Clone();
    }

    /// <summary>Parses a JSON value that must be an object.</summary>
    public static JsonElement ParseObject(in RedisKey key, string? field, in RedisValue value)
    {
        JsonElement element = Parse(key, field, value);
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw StoredJson.NotAnObject(new RedisValueLocation(key, field), element.ValueKind);
        }

        return element;
    }

    /// <summary>
    /// Like <see cref="ParseObject"/>, but returns the document itself (the caller disposes it, which returns its pooled
    /// buffers) instead of a detached copy: for values that are only read while the document is open.
    /// </summary>
    public static JsonDocument ParseObjectDocument(in RedisKey key, string? field, in RedisValue value)
    {
        RequirePresent(key, field, value, "expected JSON, found nothing (missing).");
        return StoredJson.ParseObjectDocument(new RedisValueLocation(key, field), (ReadOnlyMemory<byte>)value);
    }

    /// <summary>The text of <paramref name="key"/> for an error message (no copy for a key that is one string).</summary>
    public static string KeyText(in RedisKey key) => (string?)key ?? string.Empty;

    /// <summary>Reads a JSON array of non-negative integers (selections, frame selections).</summary>
    public static int[] ParseIndexArray(in RedisKey key, string? field, in RedisValue value)
    {
        RequirePresent(key, field, value, "expected a JSON array of indices, found nothing (missing).");
        ReadOnlyMemory<byte> utf8 = value;
        return StoredJson.ParseIndexArray(new RedisValueLocation(key, field), utf8.Span);
    }

    private static JsonDocument ParseDocument(in RedisKey key, string? field, in RedisValue value)
    {
        RequirePresent(key, field, value, "expected JSON, found nothing (missing).");
        return StoredJson.ParseDocument(new RedisValueLocation(key, field), (ReadOnlyMemory<byte>)value);
    }

    private static void RequirePresent(in RedisKey key, string? field, in RedisValue value, string message)
    {
        if (value.IsNull)
        {
            throw new StorageDataException(KeyText(key), field, message);
        }
    }
}
