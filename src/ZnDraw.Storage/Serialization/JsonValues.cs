using System.Text.Json;

namespace ZnDraw.Storage.Serialization;

/// <summary>ZnDraw's JSON values, backend-neutral: equality for records, strings with lone surrogates, argument checks.</summary>
internal static class JsonValues
{
    /// <summary>The deepest JSON nesting the library reads (System.Text.Json's limit, above Python's default recursion limit).</summary>
    public const int MaxDepth = 512;

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
