using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text;

namespace ZnDraw.Storage.Serialization;

/// <summary>
/// Writes JSON byte-for-byte the way Python's <c>json.dumps</c> does with its default settings:
/// separators <c>", "</c> and <c>": "</c>, every character outside printable ASCII escaped as a
/// lowercase <c>\uXXXX</c> (astral characters as surrogate pairs), floats as Python <c>repr</c>.
/// </summary>
/// <remarks>
/// Numbers copied from a <see cref="JsonElement"/> keep their raw token text, so a value that
/// Python wrote (<c>1.0</c>) is written back unchanged. Output is pure ASCII. Not thread-safe;
/// dispose to return the pooled buffer.
/// </remarks>
internal sealed class PythonJsonWriter : IDisposable
{
    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    // Bytes (and chars) Python writes as they are: printable ASCII except the quote and the backslash.
    private static readonly SearchValues<byte> PlainBytes = SearchValues.Create(PlainAscii());
    private static readonly SearchValues<char> PlainChars = SearchValues.Create(Encoding.ASCII.GetString(PlainAscii()));

    // Writers are reused per thread (Rent / Dispose): a JSON write then allocates only its result.
    [ThreadStatic]
    private static PythonJsonWriter? t_cached;

    private const int MaxCachedBuffer = 16 * 1024;

    private byte[] _buffer;
    private int _length;

    // One entry per open container: 0 = nothing written yet, 1 = at least one item written.
    private byte[] _stack = new byte[16];
    private int _depth;
    private bool _afterPropertyName;

    public PythonJsonWriter(int initialCapacity = 256)
    {
        _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
    }

    /// <summary>A writer for this thread (a cached one when free); dispose it to give it back.</summary>
    public static PythonJsonWriter Rent(int initialCapacity = 256)
    {
        PythonJsonWriter? writer = t_cached;
        if (writer is null)
        {
            return new PythonJsonWriter(initialCapacity);
        }

        t_cached = null;
        if (writer._buffer.Length < initialCapacity)
        {
            ArrayPool<byte>.Shared.Return(writer._buffer);
            writer._buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);
        }

        return writer;
    }

    /// <summary>Serialises <paramref name="element"/> in Python style and returns the text.</summary>
    public static string Serialize(JsonElement element)
    {
        using var writer = Rent();
        writer.WriteElement(element);
        return writer.ToString();
    }

    /// <summary>Serialises <paramref name="element"/> in Python style as UTF-8 bytes (what ZnDraw stores).</summary>
    public static byte[] ToUtf8(JsonElement element)
    {
        using var writer = Rent();
        writer.WriteElement(element);
        return writer.ToArray();
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>A copy of what was written (UTF-8 bytes).</summary>
    public byte[] ToArray() => WrittenSpan.ToArray();

    public override string ToString() => Encoding.ASCII.GetString(_buffer, 0, _length);

    /// <summary>Gives the writer back to this thread's cache (or its buffer to the pool); do not use it afterwards.</summary>
    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return; // disposed twice
        }

        _length = 0;
        _depth = 0;
        _afterPropertyName = false;
        if (t_cached is null && _buffer.Length <= MaxCachedBuffer)
        {
            t_cached = this;
            return;
        }

        var buffer = _buffer;
        _buffer = [];
        ArrayPool<byte>.Shared.Return(buffer);
    }

    public void WriteStartObject() => Open((byte)'{');

    public void WriteEndObject() => Close((byte)'}');

    public void WriteStartArray() => Open((byte)'[');

    public void WriteEndArray() => Close((byte)']');

    public void WritePropertyName(string name)
    {
        BeforeValue();
        WriteQuoted(name.AsSpan());
        Append(": "u8);
        _afterPropertyName = true;
    }

    public void WriteString(string value)
    {
        BeforeValue();
        WriteQuoted(value.AsSpan());
    }

    public void WriteString(string name, string value)
    {
        WritePropertyName(name);
        WriteString(value);
    }

    public void WriteNumber(long value)
    {
        BeforeValue();
        Span<byte> tmp = stackalloc byte[24];
        value.TryFormat(tmp, out int written, default, CultureInfo.InvariantCulture);
        Append(tmp[..written]);
    }

    public void WriteNumber(string name, long value)
    {
        WritePropertyName(name);
        WriteNumber(value);
    }

    public void WriteBoolean(bool value)
    {
        BeforeValue();
        Append(value ? "true"u8 : "false"u8);
    }

    public void WriteBoolean(string name, bool value)
    {
        WritePropertyName(name);
        WriteBoolean(value);
    }

    public void WriteNull()
    {
        BeforeValue();
        Append("null"u8);
    }

    /// <summary>Writes a parsed JSON value, keeping number tokens' raw text and property order.</summary>
    public void WriteElement(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                WriteStartObject();
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    BeforeValue();
                    WriteRawJsonString(JsonMarshal.GetRawUtf8PropertyName(property));
                    Append(": "u8);
                    _afterPropertyName = true;
                    WriteElement(property.Value);
                }

                WriteEndObject();
                break;
            case JsonValueKind.Array:
                WriteStartArray();
                foreach (JsonElement item in element.EnumerateArray())
                {
                    WriteElement(item);
                }

                WriteEndArray();
                break;
            case JsonValueKind.String:
            {
                BeforeValue();
                ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element);
                // Raw value includes the quotes.
                WriteRawJsonString(raw[1..^1]);
                break;
            }

            case JsonValueKind.Number:
                BeforeValue();
                Append(JsonMarshal.GetRawUtf8Value(element));
                break;
            case JsonValueKind.True:
                WriteBoolean(true);
                break;
            case JsonValueKind.False:
                WriteBoolean(false);
                break;
            case JsonValueKind.Null:
                WriteNull();
                break;
            default:
                throw new ArgumentException("An undefined JsonElement cannot be written.", nameof(element));
        }
    }

    private void Open(byte token)
    {
        BeforeValue();
        Append(token);
        if (_depth == _stack.Length)
        {
            Array.Resize(ref _stack, _stack.Length * 2);
        }

        _stack[_depth++] = 0;
    }

    private void Close(byte token)
    {
        _depth--;
        Append(token);
    }

    private void BeforeValue()
    {
        if (_afterPropertyName)
        {
            _afterPropertyName = false;
            return;
        }

        if (_depth > 0)
        {
            if (_stack[_depth - 1] != 0)
            {
                Append(", "u8);
            }
            else
            {
                _stack[_depth - 1] = 1;
            }
        }
    }

    private void WriteQuoted(ReadOnlySpan<char> value)
    {
        Append((byte)'"');
        while (!value.IsEmpty)
        {
            // Runs of plain ASCII go in one copy; only the rest goes char by char.
            int plain = value.IndexOfAnyExcept(PlainChars);
            if (plain < 0)
            {
                plain = value.Length;
            }

            if (plain > 0)
            {
                EnsureCapacity(plain);
                _length += Encoding.ASCII.GetBytes(value[..plain], _buffer.AsSpan(_length));
                value = value[plain..];
                continue;
            }

            WriteEscapedUnit(value[0]);
            value = value[1..];
        }

        Append((byte)'"');
    }

    /// <summary>
    /// Re-encodes the raw (still escaped) UTF-8 text of a JSON string the way Python would have
    /// written its decoded value. Works on UTF-16 code units, so lone surrogates survive as Python keeps them.
    /// </summary>
    private void WriteRawJsonString(ReadOnlySpan<byte> raw)
    {
        Append((byte)'"');
        Span<char> units = stackalloc char[2];
        int i = 0;
        while (i < raw.Length)
        {
            int plain = raw[i..].IndexOfAnyExcept(PlainBytes);
            if (plain != 0)
            {
                // A run of plain ASCII (or the whole rest): one copy.
                int run = plain < 0 ? raw.Length - i : plain;
                Append(raw.Slice(i, run));
                i += run;
                continue;
            }

            byte b = raw[i];
            if (b == (byte)'\\' && i + 1 < raw.Length)
            {
                byte e = raw[i + 1];
                switch (e)
                {
                    case (byte)'u' when i + 5 < raw.Length:
                        WriteEscapedUnit((char)ParseHex4(raw.Slice(i + 2, 4)));
                        i += 6;
                        continue;
                    case (byte)'b': WriteEscapedUnit('\b'); break;
                    case (byte)'f': WriteEscapedUnit('\f'); break;
                    case (byte)'n': WriteEscapedUnit('\n'); break;
                    case (byte)'r': WriteEscapedUnit('\r'); break;
                    case (byte)'t': WriteEscapedUnit('\t'); break;
                    default: WriteEscapedUnit((char)e); break; // \" \\ \/
                }

                i += 2;
            }
            else if (b < 0x80)
            {
                WriteEscapedUnit((char)b);
                i++;
            }
            else
            {
                OperationStatus status = Rune.DecodeFromUtf8(raw[i..], out Rune rune, out int consumed);
                if (status != OperationStatus.Done)
                {
                    rune = Rune.ReplacementChar;
                    consumed = Math.Max(consumed, 1);
                }

                int count = rune.EncodeToUtf16(units);
                for (int u = 0; u < count; u++)
                {
                    WriteEscapedUnit(units[u]);
                }

                i += consumed;
            }
        }

        Append((byte)'"');
    }

    private static int ParseHex4(ReadOnlySpan<byte> hex)
    {
        int value = 0;
        foreach (byte h in hex)
        {
            int digit = h switch
            {
                >= (byte)'0' and <= (byte)'9' => h - '0',
                >= (byte)'a' and <= (byte)'f' => h - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => h - 'A' + 10,
                _ => 0,
            };
            value = (value << 4) | digit;
        }

        return value;
    }

    private void WriteEscapedUnit(char c)
    {
        switch (c)
        {
            case '"': Append("\\\""u8); return;
            case '\\': Append("\\\\"u8); return;
            case '\n': Append("\\n"u8); return;
            case '\r': Append("\\r"u8); return;
            case '\t': Append("\\t"u8); return;
            case '\b': Append("\\b"u8); return;
            case '\f': Append("\\f"u8); return;
        }

        if (c >= ' ' && c <= '~')
        {
            Append((byte)c);
            return;
        }

        Span<byte> esc = stackalloc byte[6];
        esc[0] = (byte)'\\';
        esc[1] = (byte)'u';
        esc[2] = Hex[(c >> 12) & 0xF];
        esc[3] = Hex[(c >> 8) & 0xF];
        esc[4] = Hex[(c >> 4) & 0xF];
        esc[5] = Hex[c & 0xF];
        Append(esc);
    }

    private void Append(byte b)
    {
        EnsureCapacity(1);
        _buffer[_length++] = b;
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        EnsureCapacity(bytes.Length);
        bytes.CopyTo(_buffer.AsSpan(_length));
        _length += bytes.Length;
    }

    private void EnsureCapacity(int extra)
    {
        if (_length + extra <= _buffer.Length)
        {
            return;
        }

        byte[] bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_buffer.Length * 2, _length + extra));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = bigger;
    }

    private static byte[] PlainAscii()
    {
        var bytes = new List<byte>();
        for (int b = ' '; b <= '~'; b++)
        {
            if (b != '"' && b != '\\')
            {
                bytes.Add((byte)b);
            }
        }

        return [.. bytes];
    }
}
