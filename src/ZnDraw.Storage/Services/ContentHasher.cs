using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Services;

/// <summary>
/// A SHA-256 over typed, length-prefixed values: the content hash of one part of an aggregate, the same for two
/// backends that hold the same data whatever their encodings (JSON objects compare with their members sorted, strings
/// by their characters, numbers by their text as stored).
/// </summary>
internal sealed class ContentHasher : IDisposable
{
    private const byte NullTag = 0;
    private const byte StringTag = 1;
    private const byte LongTag = 2;
    private const byte DoubleTag = 3;
    private const byte BoolTag = 4;
    private const byte JsonObjectTag = 5;
    private const byte JsonArrayTag = 6;
    private const byte JsonStringTag = 7;
    private const byte JsonNumberTag = 8;
    private const byte JsonTrueTag = 9;
    private const byte JsonFalseTag = 10;
    private const byte JsonNullTag = 11;
    private const byte JsonUndefinedTag = 12;

    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    /// <summary>Adds a string (or null), length-prefixed, as its UTF-16 code units (lone surrogates kept).</summary>
    public ContentHasher Add(string? value)
    {
        if (value is null)
        {
            return Tag(NullTag);
        }

        Tag(StringTag);
        AddLength(value.Length);
        _hash.AppendData(MemoryMarshal.AsBytes(value.AsSpan()));
        return this;
    }

    /// <summary>Adds an integer.</summary>
    public ContentHasher Add(long value)
    {
        Span<byte> buffer = stackalloc byte[9];
        buffer[0] = LongTag;
        BinaryPrimitives.WriteInt64LittleEndian(buffer[1..], value);
        _hash.AppendData(buffer);
        return this;
    }

    /// <summary>Adds a double by its bits (negative zero counts as zero).</summary>
    public ContentHasher Add(double value)
    {
        Span<byte> buffer = stackalloc byte[9];
        buffer[0] = DoubleTag;
        BinaryPrimitives.WriteInt64LittleEndian(buffer[1..], BitConverter.DoubleToInt64Bits(value == 0 ? 0.0 : value));
        _hash.AppendData(buffer);
        return this;
    }

    /// <summary>Adds a boolean.</summary>
    public ContentHasher Add(bool value)
    {
        Tag(BoolTag);
        return Tag(value ? (byte)1 : (byte)0);
    }

    /// <summary>Adds a JSON value: objects with their members sorted by name (ordinal), numbers by their text.</summary>
    public ContentHasher Add(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<(string Name, JsonElement Value)>();
                foreach (JsonProperty property in value.EnumerateObject())
                {
                    members.Add((JsonValues.GetName(property), property.Value));
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                Tag(JsonObjectTag);
                AddLength(members.Count);
                foreach ((string name, JsonElement member) in members)
                {
                    Add(name);
                    Add(member);
                }

                return this;
            case JsonValueKind.Array:
                Tag(JsonArrayTag);
                AddLength(value.GetArrayLength());
                foreach (JsonElement item in value.EnumerateArray())
                {
                    Add(item);
                }

                return this;
            case JsonValueKind.String:
                Tag(JsonStringTag);
                return Add(JsonValues.GetString(value));
            case JsonValueKind.Number:
                Tag(JsonNumberTag);
                return Add(value.GetRawText());
            case JsonValueKind.True:
                return Tag(JsonTrueTag);
            case JsonValueKind.False:
                return Tag(JsonFalseTag);
            case JsonValueKind.Null:
                return Tag(JsonNullTag);
            default:
                return Tag(JsonUndefinedTag);
        }
    }

    /// <summary>Adds a count (of the items that follow).</summary>
    public ContentHasher AddLength(int length)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, length);
        _hash.AppendData(buffer);
        return this;
    }

    /// <summary>The hash of everything added; the hasher starts over.</summary>
    public byte[] Finish() => _hash.GetHashAndReset();

    /// <inheritdoc/>
    public void Dispose() => _hash.Dispose();

    /// <summary>The lowercase hex text of the first 16 bytes of <paramref name="hash"/> (for reports).</summary>
    public static string Text(byte[] hash) => Convert.ToHexStringLower(hash, 0, Math.Min(16, hash.Length));

    private ContentHasher Tag(byte tag)
    {
        Span<byte> buffer = stackalloc byte[1];
        buffer[0] = tag;
        _hash.AppendData(buffer);
        return this;
    }
}
