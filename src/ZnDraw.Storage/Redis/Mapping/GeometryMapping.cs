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
    /// <summary><c>{"type": "&lt;Type&gt;", "data": {…}}</c> in Python <c>json.dumps</c> style.</summary>
    public static RedisValue Format(Geometry geometry) => GeometryJson.FormatUtf8(geometry);

    /// <summary>The argument checks of <see cref="Format"/>, without writing anything.</summary>
    /// <exception cref="ArgumentException">The geometry is null, its type empty or its data not a JSON object.</exception>
    public static void Validate(Geometry geometry) => GeometryJson.Validate(geometry);

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
        return GeometryJson.Read(new RedisValueLocation(key, field), document.RootElement);
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
    /// <remarks>The rules and the bytes are <see cref="GeometryJson.MergeUtf8{TLocation}"/>'s.</remarks>
    /// <exception cref="StorageDataException">The stored value is not a geometry (see <see cref="Parse"/>).</exception>
    public static RedisValue Merge(in RedisKey key, string field, in RedisValue current, Geometry update)
    {
        if (current.IsNull)
        {
            return Format(update);
        }

        using JsonDocument document = JsonParsing.ParseObjectDocument(key, field, current);
        return GeometryJson.MergeUtf8(new RedisValueLocation(key, field), document.RootElement, update);
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
}
