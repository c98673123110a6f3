using System.Text.Json;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Tests.Models;

/// <summary>
/// <see cref="DefaultGeometries"/> against the bytes ZnDraw 940d2ae0 writes at room creation, copied from a Redis that
/// ZnDraw's own <c>RoomService.create_room</c> wrote (the layout reference, "Exact values at commit 940d2ae0").
/// </summary>
public sealed class DefaultGeometriesTests
{
    /// <summary>Field → value of <c>room:{room}:geometries</c> after ZnDraw created a room, in ZnDraw's order.</summary>
    internal static readonly IReadOnlyList<KeyValuePair<string, string>> ZnDrawBytes = new Dictionary<string, string>
    {
        ["particles"] = """
            {"type": "Sphere", "data": {"active": true, "position": "arrays.positions", "color": "arrays.colors", "material": "MeshPhysicalMaterial_matt", "radius": "arrays.radii", "resolution": 16, "scale": 0.7, "opacity": 1.0, "selecting": {"enabled": true, "color": "#FF6A00", "opacity": 0.5}, "hovering": {"enabled": true, "color": "#FF0000", "opacity": 0.5}}}
            """,
        ["bonds"] = """
            {"type": "Bond", "data": {"active": true, "position": "arrays.positions", "color": "arrays.colors", "material": "MeshPhysicalMaterial_matt", "radius": 1, "resolution": 16, "connectivity": "info.connectivity", "scale": 0.15, "opacity": 1.0, "bond_order_mode": "parallel", "bond_order_offset": 3, "bond_order_radius_scale": {"1": 1.0, "1.5": 0.75, "2": 0.75, "3": 0.7}, "selecting": {"enabled": true, "color": "#FF6A00", "opacity": 0.5}, "hovering": {"enabled": true, "color": "#FF0000", "opacity": 0.5}}}
            """,
        ["curve"] = """
            {"type": "Curve", "data": {"active": true, "position": [], "color": "default", "material": "LineBasicMaterial", "variant": "CatmullRomCurve3", "divisions": 50, "thickness": 2.0, "marker": {"enabled": true, "size": 0.1, "color": "default", "opacity": 1.0}, "virtual_marker": {"enabled": true, "size": 0.08, "color": "default", "opacity": 0.5}}}
            """,
        ["cell"] = """
            {"type": "Cell", "data": {"active": true, "position": "cell", "color": "default", "material": "LineBasicMaterial", "thickness": 2.0}}
            """,
        ["floor"] = """
            {"type": "Floor", "data": {"active": false, "position": [0, 0, 0], "color": "default", "material": "MeshPhysicalMaterial_matt", "height": -5.0, "grid_spacing": 10.0, "grid_color": "default", "grid_opacity": 1.0, "show_grid": true, "show_shadows": true, "shadow_opacity": 0.5, "shadow_blur": 0.5, "fog_enabled": true}}
            """,
        ["constraints-fixed-atoms"] = """
            {"type": "Sphere", "data": {"active": true, "position": {"type": "in_array", "source": "constraints", "path": "0.kwargs.indices", "filter": "arrays.positions"}, "color": ["#FF0000"], "material": {"wireframe": true, "flatShading": false, "transparent": false, "polygonOffset": false, "polygonOffsetFactor": 0, "material_type": "MeshBasicMaterial", "toneMapped": true}, "radius": {"type": "in_array", "source": "constraints", "path": "0.kwargs.indices", "filter": "arrays.radii"}, "resolution": 16, "scale": 0.71, "opacity": 1.0, "selecting": {"enabled": true, "color": "#FF6A00", "opacity": 0.5}, "hovering": {"enabled": true, "color": "#FF0000", "opacity": 0.5}}}
            """,
    }.ToList();

    [Fact]
    public void Every_default_is_byte_identical_to_what_zndraw_writes_in_the_same_order()
    {
        Assert.Equal(ZnDrawBytes.Select(p => p.Key), DefaultGeometries.All.Select(g => g.Name));
        foreach (var (geometry, expected) in DefaultGeometries.All.Zip(ZnDrawBytes))
        {
            Assert.Equal(expected.Value, geometry.Json);
        }
    }

    [Fact]
    public void The_type_of_each_default_is_the_type_inside_its_json()
    {
        foreach (DefaultGeometry geometry in DefaultGeometries.All)
        {
            using var json = JsonDocument.Parse(geometry.Json);
            Assert.Equal(json.RootElement.GetProperty("type").GetString(), geometry.Type);
        }
    }

    [Fact]
    public void Curve_marker_colours_are_strings_as_zndraws_model_requires()
    {
        using var json = JsonDocument.Parse(DefaultGeometries.Curve.Json);
        JsonElement data = json.RootElement.GetProperty("data");
        Assert.Equal(JsonValueKind.String, data.GetProperty("color").ValueKind);
        Assert.Equal(JsonValueKind.String, data.GetProperty("marker").GetProperty("color").ValueKind);
        Assert.Equal(JsonValueKind.String, data.GetProperty("virtual_marker").GetProperty("color").ValueKind);
    }
}
