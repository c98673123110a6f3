namespace ZnDraw.Storage.Models;

/// <summary>The six geometries ZnDraw's <c>RoomService</c> writes into <c>room:{room}:geometries</c> when it creates an empty room.</summary>
/// <remarks>
/// Each value is byte for byte what ZnDraw 940d2ae0 writes (<c>json.dumps({"type": cls.__name__, "data":
/// cls(**kwargs).model_dump()})</c>, read back from a Redis that ZnDraw's own <c>RoomService.create_room</c> wrote):
/// Python's separators <c>", "</c> and <c>": "</c>, integers without a fraction (<c>"radius": 1</c>), floats with one
/// (<c>"opacity": 1.0</c>), fields in the models' order. ZnDraw validates geometry data with its models when a geometry
/// is edited, so a room created by this library accepts the same edits as one ZnDraw created.
/// </remarks>
internal static class DefaultGeometries
{
    /// <summary><c>particles</c>: a <c>Sphere</c> bound to <c>arrays.positions</c>, <c>arrays.colors</c>, <c>arrays.radii</c>.</summary>
    public static DefaultGeometry Particles { get; } = new(
        "particles",
        GeometryTypes.Sphere,
        """
        {"type": "Sphere", "data": {"active": true, "position": "arrays.positions", "color": "arrays.colors", "material": "MeshPhysicalMaterial_matt", "radius": "arrays.radii", "resolution": 16, "scale": 0.7, "opacity": 1.0, "selecting": {"enabled": true, "color": "#FF6A00", "opacity": 0.5}, "hovering": {"enabled": true, "color": "#FF0000", "opacity": 0.5}}}
        """);

    /// <summary><c>bonds</c>: a <c>Bond</c> bound to <c>arrays.positions</c>, <c>arrays.colors</c>, <c>info.connectivity</c>.</summary>
    public static DefaultGeometry Bonds { get; } = new(
        "bonds",
        GeometryTypes.Bond,
        """
        {"type": "Bond", "data": {"active": true, "position": "arrays.positions", "color": "arrays.colors", "material": "MeshPhysicalMaterial_matt", "radius": 1, "resolution": 16, "connectivity": "info.connectivity", "scale": 0.15, "opacity": 1.0, "bond_order_mode": "parallel", "bond_order_offset": 3, "bond_order_radius_scale": {"1": 1.0, "1.5": 0.75, "2": 0.75, "3": 0.7}, "selecting": {"enabled": true, "color": "#FF6A00", "opacity": 0.5}, "hovering": {"enabled": true, "color": "#FF0000", "opacity": 0.5}}}
        """);

    /// <summary><c>curve</c>: an empty <c>Curve</c>.</summary>
    public static DefaultGeometry Curve { get; } = new(
        "curve",
        GeometryTypes.Curve,
        """
        {"type": "Curve", "data": {"active": true, "position": [], "color": "default", "material": "LineBasicMaterial", "variant": "CatmullRomCurve3", "divisions": 50, "thickness": 2.0, "marker": {"enabled": true, "size": 0.1, "color": "default", "opacity": 1.0}, "virtual_marker": {"enabled": true, "size": 0.08, "color": "default", "opacity": 0.5}}}
        """);

    /// <summary><c>cell</c>: a <c>Cell</c> bound to the frame's <c>cell</c>.</summary>
    public static DefaultGeometry Cell { get; } = new(
        "cell",
        GeometryTypes.Cell,
        """
        {"type": "Cell", "data": {"active": true, "position": "cell", "color": "default", "material": "LineBasicMaterial", "thickness": 2.0}}
        """);

    /// <summary><c>floor</c>: an inactive <c>Floor</c>.</summary>
    public static DefaultGeometry Floor { get; } = new(
        "floor",
        GeometryTypes.Floor,
        """
        {"type": "Floor", "data": {"active": false, "position": [0, 0, 0], "color": "default", "material": "MeshPhysicalMaterial_matt", "height": -5.0, "grid_spacing": 10.0, "grid_color": "default", "grid_opacity": 1.0, "show_grid": true, "show_shadows": true, "shadow_opacity": 0.5, "shadow_blur": 0.5, "fog_enabled": true}}
        """);

    /// <summary><c>constraints-fixed-atoms</c>: red wireframe spheres over the atoms fixed by the first constraint.</summary>
    public static DefaultGeometry ConstraintsFixedAtoms { get; } = new(
        "constraints-fixed-atoms",
        GeometryTypes.Sphere,
        """
        {"type": "Sphere", "data": {"active": true, "position": {"type": "in_array", "source": "constraints", "path": "0.kwargs.indices", "filter": "arrays.positions"}, "color": ["#FF0000"], "material": {"wireframe": true, "flatShading": false, "transparent": false, "polygonOffset": false, "polygonOffsetFactor": 0, "material_type": "MeshBasicMaterial", "toneMapped": true}, "radius": {"type": "in_array", "source": "constraints", "path": "0.kwargs.indices", "filter": "arrays.radii"}, "resolution": 16, "scale": 0.71, "opacity": 1.0, "selecting": {"enabled": true, "color": "#FF6A00", "opacity": 0.5}, "hovering": {"enabled": true, "color": "#FF0000", "opacity": 0.5}}}
        """);

    /// <summary>All six, in the order ZnDraw writes them.</summary>
    public static IReadOnlyList<DefaultGeometry> All { get; } = [Particles, Bonds, Curve, Cell, Floor, ConstraintsFixedAtoms];
}
