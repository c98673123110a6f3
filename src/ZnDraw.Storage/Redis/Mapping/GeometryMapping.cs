using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Serialization;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Redis.Mapping;

/// <summary>Maps <see cref="Geometry"/> and <see cref="Figure"/> to and from hash field values.</summary>
internal static class GeometryMapping
{
    // Up to this many data members (each side) a merge finds repeated names by comparing name hashes kept on the stack;
    // beyond, in a set of the decoded names.
    private const int SmallMemberCount = 64;

    /// <summary><c>{"type": "&lt;Type&gt;", "data": {…}}</c> in Python <c>json.dumps</c> style.</summary>
    public static RedisValue Format(Geometry geometry)
    {
        Validate(geometry);
        using var writer = PythonJsonWriter.Rent(512);
        writer.WriteStartObject();
        writer.WriteString("type", geometry.Type);
        writer.WritePropertyName("data");
        writer.WriteElement(geometry.Data);
        writer.WriteEndObject();
        return writer.ToArray();
    }

    /// <summary>The argument checks of <see cref="Format"/>, without writing anything.</summary>
    /// <exception cref="ArgumentException">The geometry is null, its type empty or its data not a JSON object.</exception>
    public static void Validate(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentException.ThrowIfNullOrEmpty(geometry.Type);
        JsonValues.RequireObject(geometry.Data, nameof(geometry));
    }

    /// <summary>Reads one geometry field (HGET); <see langword="null"/> when the field is missing.</summary>
    /// <remarks>
    /// The key becomes text only for an error message. The value is parsed into pooled buffers and only <c>data</c> is
    /// copied out of them (not the whole value, whose <c>type</c> member becomes a string anyway).
    /// </remarks>
    /// <exception cref="StorageDataException">Broken JSON, not an object, <c>type</c> missing or not a non-empty string, <c>data</c> missing or not an object.</exception>
    public static Geometry? Parse(in RedisKey key, string field, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        using JsonDocument document = JsonParsing.ParseObjectDocument(key, field, value);
        CheckShape(key, field, document.RootElement, out JsonElement type, out JsonElement data);
        return new Geometry(JsonValues.GetString(type), data.Clone());
    }

    /// <summary>
    /// Reads every geometry (HGETALL) in stored order; empty for a missing key. A field that is not a geometry (see
    /// <see cref="Parse"/>) is left out and handed to <paramref name="unreadable"/> (a listing reports it and goes on).
    /// </summary>
    public static KeyValuePair<string, Geometry>[] FromHash(in RedisKey key, HashEntry[] entries, Action<StorageDataException> unreadable)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(unreadable);
        var result = new KeyValuePair<string, Geometry>[entries.Length];
        int count = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            try
            {
                result[count] = new(name, Parse(key, name, entries[i].Value) ?? throw RedisText.Missing(JsonParsing.KeyText(key), name));
                count++;
            }
            catch (StorageDataException ex)
            {
                unreadable(ex);
            }
        }

        return UnreadableEntries.Trim(result, count);
    }

    /// <summary>
    /// The value to store for a merge of <paramref name="update"/> into <paramref name="current"/>: the stored data with the
    /// update's members replacing or appended (stored order kept), or the update as a whole (<see cref="Format"/>) when
    /// nothing of the same type is stored.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A member named twice keeps its first position and its last value, as Python's <c>json.loads</c> reads it.
    /// </para>
    /// <para>
    /// A merge allocates its result only (up to <see cref="SmallMemberCount"/> members a side): the stored JSON is read in
    /// place, not copied; repeated names are found by name hashes on the stack; and since <see cref="PythonJsonWriter"/>
    /// takes property names as strings, the output is assembled here, member names of plain ASCII copied from the raw
    /// JSON and only the values (and other names) written by the writer.
    /// </para>
    /// </remarks>
    /// <exception cref="StorageDataException">The stored value is not a geometry (see <see cref="Parse"/>).</exception>
    public static RedisValue Merge(in RedisKey key, string field, in RedisValue current, Geometry update)
    {
        if (current.IsNull)
        {
            return Format(update);
        }

        using JsonDocument document = JsonParsing.ParseObjectDocument(key, field, current);
        CheckShape(key, field, document.RootElement, out JsonElement type, out JsonElement stored);
        if (!TypeEquals(type, update.Type))
        {
            return Format(update);
        }

        JsonElement changes = update.Data;
        int storedCount = stored.GetPropertyCount();
        int changeCount = changes.GetPropertyCount();
        bool small = storedCount <= SmallMemberCount && changeCount <= SmallMemberCount;
        HashSet<string>? written = small ? null : new HashSet<string>(StringComparer.Ordinal);
        Span<int> storedHashes = small ? stackalloc int[SmallMemberCount] : default;
        Span<int> changeHashes = small ? stackalloc int[SmallMemberCount] : default;
        if (small)
        {
            FillNameHashes(stored, storedHashes);
            FillNameHashes(changes, changeHashes);
        }

        using var values = PythonJsonWriter.Rent(512);
        var output = new Utf8Output(512);
        try
        {
            output.Append("{\"type\": "u8);
            values.WriteString(update.Type);
            output.CopyNew(values);
            output.Append(", \"data\": {"u8);
            bool first = true;
            int index = 0;
            foreach (JsonProperty property in stored.EnumerateObject())
            {
                // A repeated member: the value read below is the last one, as Python's json.loads keeps it.
                bool repeated = written is null
                    ? NameBefore(stored, storedHashes[..index], storedHashes[index], property)
                    : !written.Add(JsonValues.GetName(property));
                index++;
                if (repeated)
                {
                    continue;
                }

                WriteName(ref output, values, property, ref first);
                JsonElement value = TryGet(changes, property, out JsonElement changed) ? changed
                    : TryGet(stored, property, out JsonElement last) ? last : property.Value;
                values.WriteElement(value);
                output.CopyNew(values);
            }

            index = 0;
            foreach (JsonProperty property in changes.EnumerateObject())
            {
                bool known = written is null
                    ? NameBefore(stored, storedHashes[..storedCount], changeHashes[index], property)
                        || NameBefore(changes, changeHashes[..index], changeHashes[index], property)
                    : !written.Add(JsonValues.GetName(property));
                index++;
                if (!known)
                {
                    WriteName(ref output, values, property, ref first);
                    values.WriteElement(TryGet(changes, property, out JsonElement last) ? last : property.Value);
                    output.CopyNew(values);
                }
            }

            output.Append("}}"u8);
            return output.ToArray();
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>The figure JSON in Python style.</summary>
    public static RedisValue FormatFigure(Figure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        JsonValues.RequireDefined(figure.Value, nameof(figure));
        return PythonJsonWriter.ToUtf8(figure.Value);
    }

    /// <summary>Reads one figure field; <see langword="null"/> when missing.</summary>
    /// <exception cref="StorageDataException">Broken JSON.</exception>
    public static Figure? ParseFigure(in RedisKey key, string field, in RedisValue value) =>
        value.IsNull ? null : new Figure(JsonParsing.Parse(key, field, value));

    /// <summary>Checks that <paramref name="root"/> has a non-empty string <c>type</c> and an object <c>data</c>.</summary>
    private static void CheckShape(in RedisKey key, string field, JsonElement root, out JsonElement type, out JsonElement data)
    {
        if (!root.TryGetProperty("type"u8, out type) || type.ValueKind != JsonValueKind.String)
        {
            throw new StorageDataException(JsonParsing.KeyText(key), field, "geometry has no string member 'type'.");
        }

        // The raw token includes the quotes; any escape decodes to at least one character.
        if (JsonMarshal.GetRawUtf8Value(type).Length == 2)
        {
            throw new StorageDataException(JsonParsing.KeyText(key), field, "geometry 'type' is empty.");
        }

        if (!root.TryGetProperty("data"u8, out data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new StorageDataException(JsonParsing.KeyText(key), field, "geometry has no object member 'data'.");
        }
    }

    private static bool TypeEquals(JsonElement type, string other) =>
        IsPlain(JsonMarshal.GetRawUtf8Value(type)[1..^1])
            ? type.ValueEquals(other)
            : string.Equals(JsonValues.GetString(type), other, StringComparison.Ordinal);

    /// <summary>
    /// Whether one of the first <c>hashes.Length</c> members of <paramref name="obj"/> (whose name hashes are
    /// <paramref name="hashes"/>) has <paramref name="property"/>'s name (hash <paramref name="hash"/>).
    /// </summary>
    private static bool NameBefore(JsonElement obj, ReadOnlySpan<int> hashes, int hash, JsonProperty property)
    {
        int candidate = hashes.IndexOf(hash);
        while (candidate >= 0)
        {
            if (SameName(PropertyAt(obj, candidate), property))
            {
                return true;
            }

            int next = hashes[(candidate + 1)..].IndexOf(hash);
            candidate = next < 0 ? -1 : candidate + 1 + next;
        }

        return false;
    }

    private static JsonProperty PropertyAt(JsonElement obj, int index)
    {
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            if (index-- == 0)
            {
                return property;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(index));
    }

    /// <summary>The name hash of each member of <paramref name="obj"/>, in order.</summary>
    private static void FillNameHashes(JsonElement obj, Span<int> hashes)
    {
        int i = 0;
        foreach (JsonProperty property in obj.EnumerateObject())
        {
            hashes[i++] = NameHash(property);
        }
    }

    /// <summary>
    /// A hash of the decoded name's UTF-16 code units (FNV-1a): names that are equal as strings hash equal, whether written
    /// plain or escaped; plain ASCII names are hashed from their bytes, without decoding.
    /// </summary>
    private static int NameHash(JsonProperty property)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8PropertyName(property);
        uint hash = 2166136261;
        if (IsPlain(raw))
        {
            foreach (byte b in raw)
            {
                hash = (hash ^ b) * 16777619;
            }
        }
        else
        {
            foreach (char c in JsonValues.GetName(property))
            {
                hash = (hash ^ c) * 16777619;
            }
        }

        return (int)hash;
    }

    /// <summary>Name equality as decoded strings compare (ordinal); plain ASCII names are compared as bytes.</summary>
    private static bool SameName(JsonProperty a, JsonProperty b)
    {
        ReadOnlySpan<byte> rawA = JsonMarshal.GetRawUtf8PropertyName(a);
        ReadOnlySpan<byte> rawB = JsonMarshal.GetRawUtf8PropertyName(b);
        return IsPlain(rawA) && IsPlain(rawB)
            ? rawA.SequenceEqual(rawB)
            : string.Equals(JsonValues.GetName(a), JsonValues.GetName(b), StringComparison.Ordinal);
    }

    /// <summary><paramref name="obj"/>'s (last) value for <paramref name="property"/>'s name.</summary>
    private static bool TryGet(JsonElement obj, JsonProperty property, out JsonElement value)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return IsPlain(raw) ? obj.TryGetProperty(raw, out value) : obj.TryGetProperty(JsonValues.GetName(property), out value);
    }

    private static void WriteName(ref Utf8Output output, PythonJsonWriter values, JsonProperty property, ref bool first)
    {
        if (!first)
        {
            output.Append(", "u8);
        }

        first = false;
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (IsPlain(raw))
        {
            // Python writes printable ASCII without quote or backslash as it is.
            output.Append("\""u8);
            output.Append(raw);
            output.Append("\""u8);
        }
        else
        {
            values.WriteString(JsonValues.GetName(property));
            output.CopyNew(values);
        }

        output.Append(": "u8);
    }

    /// <summary>Printable ASCII without quote or backslash: the raw JSON text is the decoded text.</summary>
    private static bool IsPlain(ReadOnlySpan<byte> raw) =>
        !raw.ContainsAnyExceptInRange((byte)' ', (byte)'~') && !raw.ContainsAny((byte)'"', (byte)'\\');

    /// <summary>A pooled, growing UTF-8 buffer; values are written by a <see cref="PythonJsonWriter"/> and copied in.</summary>
    private struct Utf8Output(int capacity) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(capacity);
        private int _length;
        private int _copied;

        public void Append(ReadOnlySpan<byte> bytes)
        {
            if (_length + bytes.Length > _buffer.Length)
            {
                byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + bytes.Length));
                _buffer.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            bytes.CopyTo(_buffer.AsSpan(_length));
            _length += bytes.Length;
        }

        /// <summary>Appends what <paramref name="writer"/> wrote since the last copy (values are written one after another).</summary>
        public void CopyNew(PythonJsonWriter writer)
        {
            ReadOnlySpan<byte> written = writer.WrittenSpan;
            Append(written[_copied..]);
            _copied = written.Length;
        }

        public readonly byte[] ToArray() => _buffer.AsSpan(0, _length).ToArray();

        public void Dispose()
        {
            byte[] buffer = _buffer;
            _buffer = [];
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
