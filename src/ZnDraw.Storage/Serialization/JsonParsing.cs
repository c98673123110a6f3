using System.Buffers;
using System.Text.Json;
using StackExchange.Redis;

namespace ZnDraw.Storage.Serialization;

/// <summary>Parses stored JSON values into detached <see cref="JsonElement"/>s; every failure is a <see cref="StorageDataException"/>.</summary>
internal static class JsonParsing
{
    /// <summary>Python's json module nests as deep as its recursion limit allows; 512 is far beyond any ZnDraw value.</summary>
    public const int MaxDepth = 512;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = MaxDepth };

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

    /// <summary>Throws <see cref="ArgumentException"/> unless <paramref name="element"/> is a JSON object (for writers).</summary>
    public static void RequireObject(JsonElement element, string paramName)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"Expected a JSON object, got {element.ValueKind}.", paramName);
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> when <paramref name="element"/> is <c>default</c> (undefined).</summary>
    public static void RequireDefined(JsonElement element, string paramName)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("The JSON value is undefined (default JsonElement).", paramName);
        }
    }

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
            var reader = new Utf8JsonReader(utf8.Span, new JsonReaderOptions { MaxDepth = MaxDepth });
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
        return writer.ToRedisValue();
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

    /// <summary>Structural equality of two JSON values (for record equality); <c>default</c> equals only <c>default</c>.</summary>
    public static bool DeepEquals(JsonElement a, JsonElement b)
    {
        if (a.ValueKind == JsonValueKind.Undefined || b.ValueKind == JsonValueKind.Undefined)
        {
            return a.ValueKind == b.ValueKind;
        }

        try
        {
            if (JsonElement.DeepEquals(a, b))
            {
                return true;
            }
        }
        catch (InvalidOperationException)
        {
            // Lone surrogates (legal in Python strings) cannot be decoded by System.Text.Json.
        }
        catch (ArgumentOutOfRangeException)
        {
            // Number exponents beyond System.Text.Json's range (Python reads them as inf or huge ints).
        }

        // DeepEquals also says "different" for numbers beyond its range (e.g. 1e999999); the canonical
        // Python serialisations decide then (only reached for values that differ or are exotic).
        return PythonJsonWriter.Serialize(a) == PythonJsonWriter.Serialize(b);
    }

    /// <summary>
    /// The string value of <paramref name="element"/>, keeping lone surrogates (which Python writes as
    /// <c>\ud800</c>) where <see cref="JsonElement.GetString"/> would throw.
    /// </summary>
    public static string GetString(JsonElement element)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            ReadOnlySpan<byte> raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element);
            return Unescape(raw[1..^1]);
        }
    }

    /// <summary>The name of <paramref name="property"/>, keeping lone surrogates.</summary>
    public static string GetName(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return Unescape(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8PropertyName(property));
        }
    }

    private static string Unescape(ReadOnlySpan<byte> raw)
    {
        var sb = new System.Text.StringBuilder(raw.Length);
        int i = 0;
        while (i < raw.Length)
        {
            byte b = raw[i];
            if (b == (byte)'\\' && i + 1 < raw.Length)
            {
                byte e = raw[i + 1];
                if (e == (byte)'u' && i + 5 < raw.Length
                    && int.TryParse(System.Text.Encoding.ASCII.GetString(raw.Slice(i + 2, 4)), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out int unit))
                {
                    sb.Append((char)unit);
                    i += 6;
                    continue;
                }

                sb.Append(e switch
                {
                    (byte)'b' => '\b',
                    (byte)'f' => '\f',
                    (byte)'n' => '\n',
                    (byte)'r' => '\r',
                    (byte)'t' => '\t',
                    _ => (char)e,
                });
                i += 2;
            }
            else
            {
                if (System.Text.Rune.DecodeFromUtf8(raw[i..], out System.Text.Rune rune, out int consumed) != System.Buffers.OperationStatus.Done)
                {
                    rune = System.Text.Rune.ReplacementChar;
                    consumed = Math.Max(consumed, 1);
                }

                sb.Append(rune.ToString());
                i += consumed;
            }
        }

        return sb.ToString();
    }

    /// <summary>A cheap hash consistent with <see cref="DeepEquals"/> (kind and length only).</summary>
    public static int ShallowHash(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => HashCode.Combine(1, element.GetPropertyCount()),
        JsonValueKind.Array => HashCode.Combine(2, element.GetArrayLength()),
        _ => (int)element.ValueKind,
    };
}
