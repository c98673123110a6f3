using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Contracts;

/// <summary>A stored <see cref="SelectionGroup"/>'s JSON, backend-neutral: <c>{"particles": [0, 1], …}</c> in Python style.</summary>
internal static class SelectionJson
{
    /// <summary>The group's JSON as UTF-8.</summary>
    public static byte[] FormatGroupUtf8(SelectionGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        using PythonJsonWriter writer = WriteGroup(group);
        return writer.ToArray();
    }

    /// <summary>The group's JSON as text (pure ASCII).</summary>
    public static string FormatGroupText(SelectionGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        using PythonJsonWriter writer = WriteGroup(group);
        return writer.ToString();
    }

    /// <summary>Reads a stored group named <paramref name="name"/> from UTF-8.</summary>
    /// <remarks>A geometry named twice keeps its first position and its last value, as Python's <c>json.loads</c> does.</remarks>
    /// <exception cref="StorageDataException">Broken JSON, not an object, or a member that is not an index array.</exception>
    public static SelectionGroup ParseGroup<TLocation>(in TLocation at, string name, ReadOnlySpan<byte> utf8)
        where TLocation : struct, IStoredValueLocation
    {
        var selections = ImmutableArray.CreateBuilder<Selection>();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = JsonValues.MaxDepth });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw at.Unreadable("expected a JSON object {geometry: [indices]}.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string geometry = reader.GetString()!;
                reader.Read();
                var selection = new Selection(
                    geometry,
                    ImmutableCollectionsMarshal.AsImmutableArray(StoredJson.ReadIndexArray(ref reader, at, expectEnd: false)));
                int existing = -1;
                for (int i = 0; i < selections.Count; i++)
                {
                    if (selections[i].Geometry == geometry)
                    {
                        existing = i;
                        break;
                    }
                }

                if (existing >= 0)
                {
                    selections[existing] = selection;
                }
                else
                {
                    selections.Add(selection);
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
            {
                throw at.Unreadable("expected a single JSON object {geometry: [indices]}.");
            }
        }
        catch (JsonException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }
        catch (InvalidOperationException ex)
        {
            throw at.Unreadable($"broken JSON: {ex.Message}", ex);
        }

        return new SelectionGroup(name, selections.ToImmutable());
    }

    /// <summary>Like <see cref="ParseGroup{TLocation}(in TLocation, string, ReadOnlySpan{byte})"/>, from text (transcoded into a pooled buffer).</summary>
    public static SelectionGroup ParseGroup<TLocation>(in TLocation at, string name, string text)
        where TLocation : struct, IStoredValueLocation
    {
        byte[] utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(text.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(text, utf8);
            return ParseGroup(at, name, utf8.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    private static PythonJsonWriter WriteGroup(SelectionGroup group)
    {
        PythonJsonWriter writer = PythonJsonWriter.Rent();
        try
        {
            writer.WriteStartObject();
            if (!group.Selections.IsDefault)
            {
                foreach (Selection selection in group.Selections)
                {
                    writer.WritePropertyName(selection.Geometry);
                    StoredJson.WriteIndexArray(writer, selection.Indices.IsDefault ? [] : selection.Indices.AsSpan());
                }
            }

            writer.WriteEndObject();
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}
