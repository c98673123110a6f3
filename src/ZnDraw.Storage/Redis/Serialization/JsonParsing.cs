using System.Buffers;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Serialization;

/// <summary>Parses stored JSON values into detached <see cref="JsonElement"/>s; every failure is a <see cref="StorageDataException"/>.</summary>
internal static class JsonParsing
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = JsonValues.MaxDepth };

    // Indices collected on the stack before a pooled array is needed (128 bytes).
    private const int StackIndices = 32;

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
            throw NotAnObject(key, field, element.ValueKind);
        }

        return element;
    }

    /// <summary>
    /// Like <see cref="ParseObject"/>, but returns the document itself (the caller disposes it, which returns its pooled
    /// buffers) instead of a detached copy: for values that are only read while the document is open.
    /// </summary>
    public static JsonDocument ParseObjectDocument(in RedisKey key, string? field, in RedisValue value)
    {
        JsonDocument document = ParseDocument(key, field, value);
        JsonValueKind kind = document.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw NotAnObject(key, field, kind);
        }

        return document;
    }

    /// <summary>The text of <paramref name="key"/> for an error message (no copy for a key that is one string).</summary>
    public static string KeyText(in RedisKey key) => (string?)key ?? string.Empty;

    private static JsonDocument ParseDocument(in RedisKey key, string? field, in RedisValue value)
    {
        if (value.IsNull)
        {
            throw new StorageDataException(KeyText(key), field, "expected JSON, found nothing (missing).");
        }

        ReadOnlyMemory<byte> utf8 = value;
        try
        {
            return JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new StorageDataException(KeyText(key), field, $"broken JSON: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new StorageDataException(KeyText(key), field, $"broken JSON: {ex.Message}", ex);
        }
    }

    private static StorageDataException NotAnObject(in RedisKey key, string? field, JsonValueKind kind) =>
        new(KeyText(key), field, $"expected a JSON object, found a JSON {kind}.");

    /// <summary>Reads a JSON array of non-negative integers (selections, frame selections).</summary>
    public static int[] ParseIndexArray(in RedisKey key, string? field, in RedisValue value)
    {
        if (value.IsNull)
        {
            throw new StorageDataException(KeyText(key), field, "expected a JSON array of indices, found nothing (missing).");
        }

        ReadOnlyMemory<byte> utf8 = value;
        try
        {
            var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = JsonValues.MaxDepth });
            return ReadIndexArray(ref reader, key, field, expectEnd: true);
        }
        catch (JsonException ex)
        {
            throw new StorageDataException(KeyText(key), field, $"broken JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Reads an index array starting at the reader's next token (or the current <c>[</c>).</summary>
    /// <remarks>Collects into a stack buffer (pooled arrays beyond it): the result array is the only allocation.</remarks>
    public static int[] ReadIndexArray(ref Utf8JsonReader reader, in RedisKey key, string? field, bool expectEnd)
    {
        if (reader.TokenType != JsonTokenType.StartArray && (!reader.Read() || reader.TokenType != JsonTokenType.StartArray))
        {
            throw new StorageDataException(KeyText(key), field, "expected a JSON array of non-negative integers.");
        }

        Span<int> items = stackalloc int[StackIndices];
        int[]? rented = null;
        int count = 0;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    if (expectEnd && reader.Read())
                    {
                        throw new StorageDataException(KeyText(key), field, "unexpected content after the JSON array.");
                    }

                    return items[..count].ToArray();
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int index) || index < 0)
                {
                    throw new StorageDataException(KeyText(key), field, "expected a JSON array of non-negative integers.");
                }

                if (count == items.Length)
                {
                    int[] bigger = ArrayPool<int>.Shared.Rent(count * 2);
                    items.CopyTo(bigger);
                    if (rented is not null)
                    {
                        ArrayPool<int>.Shared.Return(rented);
                    }

                    rented = bigger;
                    items = bigger;
                }

                items[count++] = index;
            }

            throw new StorageDataException(KeyText(key), field, "unterminated JSON array.");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Writes <paramref name="indices"/> as Python's <c>json.dumps(list)</c> does: <c>[0, 1]</c>.</summary>
    public static RedisValue FormatIndexArray(ReadOnlySpan<int> indices)
    {
        using var writer = PythonJsonWriter.Rent(2 + (indices.Length * 6));
        WriteIndexArray(writer, indices);
        return writer.ToArray();
    }

    public static void WriteIndexArray(PythonJsonWriter writer, ReadOnlySpan<int> indices)
    {
        writer.WriteStartArray();
        foreach (int index in indices)
        {
            if (index < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), index, "Indices must be non-negative.");
            }

            writer.WriteNumber(index);
        }

        writer.WriteEndArray();
    }
}
