using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Serialization;
using ZnDraw.Storage.Tests.Redis.Mapping;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>The merge rule of <see cref="GeometryRepository.MergeAsync"/> (<see cref="GeometryMapping.Merge"/>), without a server.</summary>
public sealed class GeometryMergeTests
{
    private const string Key = "room:r1:geometries";

    private static Geometry Update(string type, string data) => new(type, JsonDocument.Parse(data).RootElement.Clone());

    private static string Merge(string? stored, Geometry update) =>
        (string)GeometryMapping.Merge(Key, "g", stored is null ? RedisValue.Null : (RedisValue)stored, update)!;

    [Fact]
    public void Same_type_keeps_stored_order_replaces_in_place_and_appends_new_members()
    {
        Assert.Equal(
            "{\"type\": \"Sphere\", \"data\": {\"a\": [1.0, 2], \"b\": \"x\", \"c\": {\"d\": 1e-07}, \"e\": null}}",
            Merge("{\"type\": \"Sphere\", \"data\": {\"a\": 1, \"b\": \"x\", \"c\": {\"k\": true}}}", Update("Sphere", "{\"e\": null, \"c\": {\"d\": 1e-07}, \"a\": [1.0, 2]}")));
    }

    [Fact]
    public void A_member_repeated_in_stored_data_is_written_once_with_its_last_value()
    {
        Assert.Equal(
            "{\"type\": \"Box\", \"data\": {\"a\": 2, \"b\": 3}}",
            Merge("{\"type\": \"Box\", \"data\": {\"a\": 1, \"b\": 3, \"a\": 2}}", Update("Box", "{}")));
    }

    [Fact]
    public void Missing_or_other_type_takes_the_replacement()
    {
        Geometry box = Update("Box", "{\"size\": [1.0, 2], \"label\": \"b\u00f6x\"}");
        string replacement = "{\"type\": \"Box\", \"data\": {\"size\": [1.0, 2], \"label\": \"b\\u00f6x\"}}";
        Assert.Equal(replacement, (string)GeometryMapping.Format(box)!);
        Assert.Equal(replacement, Merge(null, box));
        Assert.Equal(replacement, Merge("{\"type\": \"Sphere\", \"data\": {\"size\": 3}}", box));
    }

    [Fact]
    public void Unreadable_stored_data_is_a_storage_error()
    {
        var ex = Assert.Throws<StorageDataException>(() => Merge("{\"type\": 3, \"data\": {}}", Update("Box", "{}")));
        Assert.Equal(Key, ex.Key);
        Assert.Equal("g", ex.Field);
    }

    [Theory]
    [MemberData(nameof(GeometryMappingTests.BadGeometries), MemberType = typeof(GeometryMappingTests))]
    [InlineData("")]
    public void Unreadable_stored_data_fails_as_reading_it_does(string stored)
    {
        RedisKey key = new RoomKeys("r1").Geometries(); // a prefixed key: its text is built for the message only
        var read = Assert.Throws<StorageDataException>(() => GeometryMapping.Parse(key, "g", stored));
        var merge = Assert.Throws<StorageDataException>(() => GeometryMapping.Merge(key, "g", stored, Update("Sphere", "{\"a\": 1}")));
        Assert.Equal(read.Message, merge.Message);
        Assert.Equal("room:r1:geometries", merge.Key);
        Assert.Equal("g", merge.Field);
    }

    /// <summary>Stored data and update data (both JSON objects) whose merge must equal <see cref="Reference"/>.</summary>
    public static TheoryData<string, string, string, string> Cases()
    {
        string many = string.Join(", ", Enumerable.Range(0, 70).Select(i => $"\"m{i}\": {i}"));
        string exactlySmall = string.Join(", ", Enumerable.Range(0, 64).Select(i => $"\"m{i}\": {i}.0"));
        return new()
        {
            { "Sphere", "{\"a\": 1, \"b\": 2}", "Sphere", "{\"b\": 3, \"c\": 4}" },
            { "Sphere", "{}", "Sphere", "{}" },
            { "Sphere", "{\"a\": 1}", "Sphere", "{}" },
            { "Sphere", "{}", "Sphere", "{\"a\": 1}" },
            { "Sphere", "{\"a\": 1, \"b\": 2, \"a\": 3}", "Sphere", "{\"b\": 5}" },
            { "Sphere", "{\"a\": 1}", "Sphere", "{\"c\": 1, \"a\": 2, \"c\": 3, \"d\": 4, \"d\": 5}" },
            { "Sphere", "{\"a\": 1, \"\\u0062\": 2}", "Sphere", "{\"\\u0061\": 9, \"b\": 8, \"\\u0063\": 7, \"c\": 6}" },
            { "Sphere", "{\"\u00e9\": 1, \"\\u00e9x\": 2}", "Sphere", "{\"\\u00e9\": 3, \"\u00e9x\": 4, \"\u00fc\": 5}" },
            { "Sphere", "{\"a\\\"b\": 1, \"c\\\\d\": 2, \"\\/\": 0}", "Sphere", "{\"a\\\"b\": 3, \"e\\\\f\": 4, \"/\": 5}" },
            { "Sphere", "{\"\\ud800\": 1, \"x\": 2}", "Sphere", "{\"\\ud800\": 3, \"\\udc00\": 4, \"x\": 5}" },
            { "Sphere", "{\"tab\\tname\": 1, \"nl\\n\": 2}", "Sphere", "{\"nl\\n\": 3, \"tab\\u0009name\": 4}" },
            { "Sphere", "{\"a\": {\"x\": [1, 2.50, \"\\u00e9\", 1e-07, null, true]}}", "Sphere", "{\"b\": [[0.0, 1.5], {\"k\": \"\u00e9\"}]}" },
            { "Sphere", "{" + many + ", \"m3\": 33}", "Sphere", "{\"m5\": \"five\", \"new\": 1, \"m69\": [], \"new\": 2, \"\\u006d7\": 7}" },
            { "Sphere", "{" + exactlySmall + "}", "Sphere", "{\"m0\": 0, \"m64\": 64, \"\\u006d63\": 1, \"m64\": 2}" },
            { "Sphere", "{" + exactlySmall + ", \"m64\": 1, \"m3\": 3}", "Sphere", "{\"m0\": 0, \"m65\": 65}" },
            { "Sphere", "{\"a\": 1}", "Sphere", "{" + many + "}" },
            { "Sph\\u0065re", "{\"a\": 1}", "Sphere", "{\"b\": 2}" },
            { "Sph\u00e9re", "{\"a\": 1}", "Sph\u00e9re", "{\"b\": 2}" },
            { "Sph\\u00e9re", "{\"a\": 1}", "Sph\u00e9re", "{\"b\": 2}" },
            { "Sphere", "{\"a\": 1}", "sphere", "{\"b\": 2}" },
            { "Sph\\u00e9re", "{\"a\": 1}", "Sphere", "{\"b\": 2}" },
            { "Sphere", "{\"a\": 1}", "Sphere\u00e9", "{\"b\": 2}" },
        };
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Merge_equals_the_reference_rule(string storedType, string storedData, string updateType, string updateData)
    {
        string stored = "{\"type\": \"" + storedType + "\", \"data\": " + storedData + "}";
        Geometry update = Update(updateType, updateData);
        RedisKey key = new RoomKeys("r1").Geometries();
        Assert.Equal(Outcome(() => Reference(stored, update)), Outcome(() => (string)GeometryMapping.Merge(key, "g", stored, update)!));
    }

    [Fact]
    public void Merging_twice_gives_the_same_value_and_repeats_nothing()
    {
        const string stored = "{\"type\": \"Sphere\", \"data\": {\"a\": 1, \"b\": 2, \"a\": 3}}";
        Geometry update = Update("Sphere", "{\"c\": 1, \"b\": 4, \"c\": 5}");
        string once = Merge(stored, update);
        Assert.Equal("{\"type\": \"Sphere\", \"data\": {\"a\": 3, \"b\": 4, \"c\": 5}}", once);
        Assert.Equal(once, Merge(once, update));
    }

    /// <summary>The result text, or the exception type and message.</summary>
    private static string Outcome(Func<string> merge)
    {
        try
        {
            return merge();
        }
        catch (Exception ex)
        {
            return ex.GetType().Name + ": " + ex.Message;
        }
    }

    /// <summary>The merge rule as first written: decoded member names in a set, the stored data parsed into a copy.</summary>
    private static string Reference(string storedText, Geometry update)
    {
        Geometry? stored = GeometryMapping.Parse(Key, "g", storedText);
        if (stored is null || !string.Equals(stored.Type, update.Type, StringComparison.Ordinal))
        {
            return (string)GeometryMapping.Format(update)!;
        }

        using var writer = new PythonJsonWriter();
        writer.WriteStartObject();
        writer.WriteString("type", stored.Type);
        writer.WritePropertyName("data");
        writer.WriteStartObject();
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonProperty property in stored.Data.EnumerateObject())
        {
            string member = JsonValues.GetName(property);
            if (!written.Add(member))
            {
                continue;
            }

            writer.WritePropertyName(member);
            writer.WriteElement(update.Data.TryGetProperty(member, out JsonElement value) ? value
                : stored.Data.TryGetProperty(member, out JsonElement last) ? last : property.Value);
        }

        foreach (JsonProperty property in update.Data.EnumerateObject())
        {
            string member = JsonValues.GetName(property);
            if (written.Add(member))
            {
                writer.WritePropertyName(member);
                writer.WriteElement(update.Data.TryGetProperty(member, out JsonElement last) ? last : property.Value);
            }
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        return writer.ToString();
    }
}
