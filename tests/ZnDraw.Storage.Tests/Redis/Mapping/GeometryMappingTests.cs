using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Mapping;

public class GeometryMappingTests
{
    private const string Key = "room:r1:geometries";

    [Fact]
    public void Every_default_geometry_parses_and_is_written_back_byte_identical()
    {
        foreach (DefaultGeometry d in DefaultGeometries.All)
        {
            Geometry g = GeometryMapping.Parse(Key, d.Name, TestData.Bytes(d.Json))!;
            Assert.Equal(d.Type, g.Type);
            Assert.Equal(d.Json, (string?)GeometryMapping.Format(g));
        }
    }

    [Fact]
    public void Particles_match_the_reference_example()
    {
        Geometry g = GeometryMapping.Parse(Key, "particles", DefaultGeometries.Particles.Json)!;
        Assert.Equal(
            ["active", "position", "color", "material", "radius", "resolution", "scale", "opacity", "selecting", "hovering"],
            g.Data.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith(
            "{\"type\": \"Sphere\", \"data\": {\"active\": true, \"position\": \"arrays.positions\", \"color\": \"arrays.colors\", \"material\": \"MeshPhysicalMaterial_matt\", \"radius\": \"arrays.radii\", \"resolution\": 16, \"scale\": 0.7, \"opacity\": 1.0, \"selecting\": {",
            DefaultGeometries.Particles.Json,
            StringComparison.Ordinal);

        Geometry c = GeometryMapping.Parse(Key, "constraints-fixed-atoms", DefaultGeometries.ConstraintsFixedAtoms.Json)!;
        Assert.Equal("in_array", c.Data.GetProperty("position").GetProperty("type").GetString());
        Assert.Equal("arrays.radii", c.Data.GetProperty("radius").GetProperty("filter").GetString());
        Assert.Equal("0.71", c.Data.GetProperty("scale").GetRawText());
        Assert.True(c.Data.GetProperty("material").GetProperty("wireframe").GetBoolean());

        Geometry b = GeometryMapping.Parse(Key, "bonds", DefaultGeometries.Bonds.Json)!;
        Assert.Equal("info.connectivity", b.Data.GetProperty("connectivity").GetString());
        Assert.Equal("0.15", b.Data.GetProperty("scale").GetRawText());
        Assert.False(GeometryMapping.Parse(Key, "floor", DefaultGeometries.Floor.Json)!.Data.GetProperty("active").GetBoolean());
    }

    [Fact]
    public void Round_trip_of_a_model_built_in_dotnet()
    {
        var g = new Geometry("Arrow", TestData.Json("{\"position\": [[0, 0, 0]], \"color\": [\"#FF0000\"], \"scale\": 1.0}"));
        RedisValue stored = GeometryMapping.Format(g);
        Assert.Equal("{\"type\": \"Arrow\", \"data\": {\"position\": [[0, 0, 0]], \"color\": [\"#FF0000\"], \"scale\": 1.0}}", (string?)stored);
        Assert.Equal(g, GeometryMapping.Parse(Key, "a", stored));

        KeyValuePair<string, Geometry>[] all = GeometryMapping.FromHash(Key, [new HashEntry("a", stored)], ex => Assert.Fail(ex.Message));
        Assert.Equal(g, all[0].Value);
        Assert.Null(GeometryMapping.Parse(Key, "a", RedisValue.Null));
        Assert.Throws<ArgumentException>(() => GeometryMapping.Format(new Geometry("Arrow", TestData.Json("[1]"))));
    }

    /// <summary>Stored geometry values that are not a geometry (reading and merging must both refuse them).</summary>
    public static TheoryData<string> BadGeometries() =>
    [
        "{\"type\": \"Sphere\"}",
        "{\"data\": {}}",
        "{\"type\": 3, \"data\": {}}",
        "{\"type\": \"\", \"data\": {}}",
        "{\"type\": \"Sphere\", \"data\": []}",
        "[]",
        "{\"type\": \"Sphere\", \"data\": {}",
        "{\"type\": \"Sphere\", \"data\": {\"x\": NaN}}",
    ];

    [Theory]
    [MemberData(nameof(BadGeometries))]
    public void Bad_geometry_is_a_storage_error(string json)
    {
        var ex = Assert.Throws<StorageDataException>(() => GeometryMapping.Parse(Key, "particles", json));
        Assert.Equal("particles", ex.Field);
    }

    [Fact]
    public void Figures_are_opaque_json()
    {
        const string plotly = "{\"data\": [{\"x\": [1, 2], \"y\": [0.5, 1e-05], \"name\": \"\\u03b1\"}], \"layout\": {}}";
        Figure f = GeometryMapping.ParseFigure("room:r1:figures", "energy", plotly)!;
        Assert.Equal(plotly, (string?)GeometryMapping.FormatFigure(f));
        Assert.Equal(f, GeometryMapping.ParseFigure("room:r1:figures", "energy", GeometryMapping.FormatFigure(f)));
        Assert.Throws<StorageDataException>(() => GeometryMapping.ParseFigure("room:r1:figures", "energy", "{"));
        Assert.Equal(JsonValueKind.Object, f.Value.ValueKind);
    }
}
