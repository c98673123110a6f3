using System.Buffers;
using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// Reads and writes stored JSON values, backend-neutral: documents and index arrays (selections, frame selections). Every
/// read failure is a <see cref="StorageDataException"/> at the value's <see cref="IStoredValueLocation"/>.
/// </summary>
internal static class StoredJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = JsonValues.MaxDepth };

    // Indices collected on the stack before a pooled array is needed (128 bytes).
    private const int StackIndices = 32;

    /// <summary>Parses any JSON value from UTF-8; the caller disposes the document.</summary>
    public static JsonDocument ParseDocument<TLocation>(in TLocation at, ReadOnlyMemory<byte> utf8)
        where TLocation : struct, IStoredValueLocation
    {
        try
        {
            return JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Parses any JSON value from text; the caller disposes the document.</summary>
    public static JsonDocument ParseDocument<TLocation>(in TLocation at, string text)
        where TLocation : struct, IStoredValueLocation
    {
        try
        {
            return JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Parses a JSON value that must be an object, from UTF-8; the caller disposes the document.</summary>
    public static JsonDocument ParseObjectDocument<TLocation>(in TLocation at, ReadOnlyMemory<byte> utf8)
        where TLocation : struct, IStoredValueLocation =>
        RequireObject(at, ParseDocument(at, utf8));

    /// <summary>Parses a JSON value that must be an object, from text; the caller disposes the document.</summary>
    public static JsonDocument ParseObjectDocument<TLocation>(in TLocation at, string text)
        where TLocation : struct, IStoredValueLocation =>
        RequireObject(at, ParseDocument(at, text));

    /// <summary>The error of a value that should be a JSON object and is a JSON <paramref name="kind"/>.</summary>
    public static StorageDataException NotAnObject<TLocation>(in TLocation at, JsonValueKind kind)
        where TLocation : struct, IStoredValueLocation =>
        at.Unreadable($"expected a JSON object, found a JSON {kind}.");

    /// <summary>Reads a JSON array of non-negative integers that is the whole value (selections, frame selections).</summary>
    public static int[] ParseIndexArray<TLocation>(in TLocation at, ReadOnlySpan<byte> utf8)
        where TLocation : struct, IStoredValueLocation
    {
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = JsonValues.MaxDepth });
            return ReadIndexArray(ref reader, at, expectEnd: true);
        }
        catch (JsonException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }
    }

    /// <summary>Like <see cref="ParseIndexArray{TLocation}(in TLocation, ReadOnlySpan{byte})"/>, from text (transcoded into a pooled buffer).</summary>
    public static int[] ParseIndexArray<TLocation>(in TLocation at, string text)
        where TLocation : struct, IStoredValueLocation
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(System.Text.Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = System.Text.Encoding.UTF8.GetBytes(text, utf8);
            return ParseIndexArray(at, utf8.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>Reads an index array starting at the reader's next token (or the current <c>[</c>).</summary>
    /// <remarks>Collects into a stack buffer (pooled arrays beyond it): the result array is the only allocation.</remarks>
    public static int[] ReadIndexArray<TLocation>(ref Utf8JsonReader reader, in TLocation at, bool expectEnd)
        where TLocation : struct, IStoredValueLocation
    {
        if (reader.TokenType != JsonTokenType.StartArray && (!reader.Read() || reader.TokenType != JsonTokenType.StartArray))
        {
            throw at.Unreadable("expected a JSON array of non-negative integers.");
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
                        throw at.Unreadable("unexpected content after the JSON array.");
                    }

                    return items[..count].ToArray();
                }

                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int index) || index < 0)
                {
                    throw at.Unreadable("expected a JSON array of non-negative integers.");
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

            throw at.Unreadable("unterminated JSON array.");
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<int>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Python's <c>json.dumps(list)</c> of <paramref name="indices"/> as UTF-8: <c>[0, 1]</c>, <c>[]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    public static byte[] FormatIndexArrayUtf8(ReadOnlySpan<int> indices)
    {
        using var writer = PythonJsonWriter.Rent(2 + (indices.Length * 6));
        WriteIndexArray(writer, indices);
        return writer.ToArray();
    }

    /// <summary>Python's <c>json.dumps(list)</c> of <paramref name="indices"/> as text (pure ASCII).</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
    public static string FormatIndexArrayText(ReadOnlySpan<int> indices)
    {
        using var writer = PythonJsonWriter.Rent(2 + (indices.Length * 6));
        WriteIndexArray(writer, indices);
        return writer.ToString();
    }

    /// <summary>Writes <paramref name="indices"/> as Python's <c>json.dumps(list)</c> does: <c>[0, 1]</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative.</exception>
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

    private static JsonDocument RequireObject<TLocation>(in TLocation at, JsonDocument document)
        where TLocation : struct, IStoredValueLocation
    {
        JsonValueKind kind = document.RootElement.ValueKind;
        if (kind != JsonValueKind.Object)
        {
            document.Dispose();
            throw NotAnObject(at, kind);
        }

        return document;
    }
}
