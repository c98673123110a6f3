using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// A stored <see cref="Geometry"/>'s JSON, backend-neutral: <c>{"type": "&lt;Type&gt;", "data": {…}}</c> in Python
/// <c>json.dumps</c> style, read back and merged. Both backends store the same bytes.
/// </summary>
internal static class GeometryJson
{
    // Up to this many data members (each side) a merge finds repeated names by comparing name hashes kept on the stack;
    // beyond, in a set of the decoded names.
    private const int SmallMemberCount = 64;

    /// <summary>The argument checks of a write, without writing anything.</summary>
    /// <exception cref="ArgumentException">The geometry is null, its type empty or its data not a JSON object.</exception>
    public static void Validate(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentException.ThrowIfNullOrEmpty(geometry.Type);
        JsonValues.RequireObject(geometry.Data, nameof(geometry));
    }

    /// <summary>The geometry's JSON as UTF-8.</summary>
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public static byte[] FormatUtf8(Geometry geometry)
    {
        using PythonJsonWriter writer = Write(geometry);
        return writer.ToArray();
    }

    /// <summary>The geometry's JSON as text (pure ASCII).</summary>
    /// <exception cref="ArgumentException">See <see cref="Validate"/>.</exception>
    public static string FormatText(Geometry geometry)
    {
        using PythonJsonWriter writer = Write(geometry);
        return writer.ToString();
    }

    /// <summary>Reads a stored geometry from its parsed JSON object.</summary>
    /// <exception cref="StorageDataException"><c>type</c> missing or not a non-empty string, <c>data</c> missing or not an object.</exception>
    public static Geometry Read<TLocation>(in TLocation at, JsonElement root)
        where TLocation : struct, IStoredValueLocation
    {
        CheckShape(at, root, out JsonElement type, out JsonElement data);
        return new Geometry(JsonValues.GetString(type), data.Clone());
    }

    /// <summary>
    /// The UTF-8 value to store for a merge of <paramref name="update"/> into the stored geometry <paramref name="root"/>:
    /// the stored data with the update's members replacing or appended (stored order kept), or the update as a whole
    /// (<see cref="FormatUtf8"/>) when the stored type differs.
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
    /// <exception cref="StorageDataException">The stored value is not a geometry (see <see cref="Read{TLocation}"/>).</exception>
    public static byte[] MergeUtf8<TLocation>(in TLocation at, JsonElement root, Geometry update)
        where TLocation : struct, IStoredValueLocation
    {
        var output = new Utf8Output(512);
        try
        {
            return TryMerge(at, root, update, ref output) ? output.ToArray() : FormatUtf8(update);
        }
        finally
        {
            output.Dispose();
        }
    }

    /// <summary>Like <see cref="MergeUtf8{TLocation}"/>, as text (pure ASCII).</summary>
    /// <exception cref="StorageDataException">The stored value is not a geometry (see <see cref="Read{TLocation}"/>).</exception>
    public static string MergeText<TLocation>(in TLocation at, JsonElement root, Geometry update)
        where TLocation : struct, IStoredValueLocation
    {
        var output = new Utf8Output(512);
        try
        {
            return TryMerge(at, root, update, ref output) ? output.ToText() : FormatText(update);
        }
        finally
        {
            output.Dispose();
        }
    }

    private static PythonJsonWriter Write(Geometry geometry)
    {
        Validate(geometry);
        PythonJsonWriter writer = PythonJsonWriter.Rent(512);
        try
        {
            writer.WriteStartObject();
            writer.WriteString("type", geometry.Type);
            writer.WritePropertyName("data");
            writer.WriteElement(geometry.Data);
            writer.WriteEndObject();
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>Writes the merge into <paramref name="output"/>; false (nothing written) when the stored type differs.</summary>
    private static bool TryMerge<TLocation>(in TLocation at, JsonElement root, Geometry update, ref Utf8Output output)
        where TLocation : struct, IStoredValueLocation
    {
        CheckShape(at, root, out JsonElement type, out JsonElement stored);
        if (!TypeEquals(type, update.Type))
        {
            return false;
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
        return true;
    }

    /// <summary>Checks that <paramref name="root"/> has a non-empty string <c>type</c> and an object <c>data</c>.</summary>
    private static void CheckShape<TLocation>(in TLocation at, JsonElement root, out JsonElement type, out JsonElement data)
        where TLocation : struct, IStoredValueLocation
    {
        if (!root.TryGetProperty("type"u8, out type) || type.ValueKind != JsonValueKind.String)
        {
            throw at.Unreadable("geometry has no string member 'type'.");
        }

        // The raw token includes the quotes; any escape decodes to at least one character.
        if (JsonMarshal.GetRawUtf8Value(type).Length == 2)
        {
            throw at.Unreadable("geometry 'type' is empty.");
        }

        if (!root.TryGetProperty("data"u8, out data) || data.ValueKind != JsonValueKind.Object)
        {
            throw at.Unreadable("geometry has no object member 'data'.");
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

        /// <summary>The output as text: pure ASCII (Python's <c>ensure_ascii</c>), so its UTF-8 is its text.</summary>
        public readonly string ToText() => Encoding.ASCII.GetString(_buffer, 0, _length);

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
