using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Repositories;

namespace ZnDraw.Storage.Tests.Repositories.Frames;

/// <summary>The merge rule of <see cref="GeometryRepository.MergeAsync"/>, without a server.</summary>
public sealed class GeometryMergeTests
{
    private const string Key = "room:r1:geometries";

    private static Geometry Update(string type, string data) => new(type, JsonDocument.Parse(data).RootElement.Clone());

    private static string Merge(string? stored, Geometry update) =>
        (string)GeometryRepository.Merge(Key, "g", stored is null ? RedisValue.Null : (RedisValue)stored, update, "REPLACEMENT")!;

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
        Assert.Equal("REPLACEMENT", Merge(null, Update("Box", "{}")));
        Assert.Equal("REPLACEMENT", Merge("{\"type\": \"Sphere\", \"data\": {}}", Update("Box", "{}")));
    }

    [Fact]
    public void Unreadable_stored_data_is_a_storage_error()
    {
        var ex = Assert.Throws<StorageDataException>(() => Merge("{\"type\": 3, \"data\": {}}", Update("Box", "{}")));
        Assert.Equal(Key, ex.Key);
        Assert.Equal("g", ex.Field);
    }
}
