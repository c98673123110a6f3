using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>Maps <see cref="Geometry"/> and <see cref="Figure"/> to and from hash field values.</summary>
internal static class GeometryMapping
{
    /// <summary><c>{"type": "&lt;Type&gt;", "data": {…}}</c> in Python <c>json.dumps</c> style.</summary>
    public static RedisValue Format(Geometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentException.ThrowIfNullOrEmpty(geometry.Type);
        JsonParsing.RequireObject(geometry.Data, nameof(geometry));
        using var writer = PythonJsonWriter.Rent(512);
        writer.WriteStartObject();
        writer.WriteString("type", geometry.Type);
        writer.WritePropertyName("data");
        writer.WriteElement(geometry.Data);
        writer.WriteEndObject();
        return writer.ToRedisValue();
    }

    /// <summary>Reads one geometry field (HGET); <see langword="null"/> when the field is missing.</summary>
    /// <exception cref="StorageDataException">Broken JSON, not an object, <c>type</c> missing or not a non-empty string, <c>data</c> missing or not an object.</exception>
    public static Geometry? Parse(string key, string field, in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        JsonElement root = JsonParsing.ParseObject(key, field, value);
        if (!root.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String)
        {
            throw new StorageDataException(key, field, "geometry has no string member 'type'.");
        }

        string typeName = JsonParsing.GetString(type);
        if (string.IsNullOrEmpty(typeName))
        {
            throw new StorageDataException(key, field, "geometry 'type' is empty.");
        }

        if (!root.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new StorageDataException(key, field, "geometry has no object member 'data'.");
        }

        return new Geometry(typeName, data);
    }

    /// <summary>Reads every geometry (HGETALL) in stored order; empty for a missing key.</summary>
    public static KeyValuePair<string, Geometry>[] FromHash(string key, HashEntry[] entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var result = new KeyValuePair<string, Geometry>[entries.Length];
        for (int i = 0; i < entries.Length; i++)
        {
            string name = entries[i].Name!;
            result[i] = new(name, Parse(key, name, entries[i].Value) ?? throw RedisText.Missing(key, name));
        }

        return result;
    }

    /// <summary>The figure JSON in Python style.</summary>
    public static RedisValue FormatFigure(Figure figure)
    {
        ArgumentNullException.ThrowIfNull(figure);
        JsonParsing.RequireDefined(figure.Value, nameof(figure));
        return PythonJsonWriter.ToRedisValue(figure.Value);
    }

    /// <summary>Reads one figure field; <see langword="null"/> when missing.</summary>
    /// <exception cref="StorageDataException">Broken JSON.</exception>
    public static Figure? ParseFigure(string key, string field, in RedisValue value) =>
        value.IsNull ? null : new Figure(JsonParsing.Parse(key, field, value));
}
