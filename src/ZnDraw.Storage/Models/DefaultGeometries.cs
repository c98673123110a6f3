namespace ZnDraw.Storage.Models;

/// <summary>The six geometries ZnDraw's <c>RoomService</c> writes into <c>room:{room}:geometries</c> when it creates an empty room.</summary>
/// <remarks>
/// <para>
/// Each value is <c>json.dumps({"type": cls.__name__, "data": cls(**kwargs).model_dump()})</c> in ZnDraw.
/// The <c>data</c> objects depend on the pydantic geometry models of the ZnDraw version, which changed
/// often; these values are a reconstruction, not a byte-for-byte copy of 940d2ae0.
/// </para>
/// <para>
/// Verified against the layout reference and ZnDraw's own tests of that period: the six names,
/// their order and types; the non-default arguments (positions/colours/radii references, the
/// <c>in_array</c> transforms, colour <c>["#FF0000"]</c>, scale <c>0.71</c>, active flags, a wireframe
/// <c>MeshBasicMaterial</c>); the particles field list and values of the reference's example
/// (<c>scale</c> <c>0.7</c>, <c>resolution</c> 16, <c>opacity</c> <c>1.0</c>, material
/// <c>MeshPhysicalMaterial_matt</c>); bonds <c>connectivity</c> <c>"info.connectivity"</c> and <c>scale</c>
/// <c>0.15</c>; curve position <c>[]</c>, cell position <c>"cell"</c>, floor inactive.
/// </para>
/// <para>
/// Not verified at 940d2ae0 (taken from other revisions of the same model files): the contents of
/// <c>selecting</c>/<c>hovering</c>, the bond radius/resolution, the curve, cell and floor fields other
/// than those named above, and the full dump of <c>MeshBasicMaterial</c>. ZnDraw validates geometry data
/// with its model when it is updated, so fields it does not know are rejected there and missing ones
/// take the model's default.
/// </para>
/// </remarks>
public static class DefaultGeometries
{
    private const string Selecting = "{\"enabled\": true, \"color\": \"#FF6A00\", \"opacity\": 0.5}";
    private const string Hovering = "{\"enabled\": true, \"color\": \"#FF0000\", \"opacity\": 0.5}";

    /// <summary><c>particles</c>: a <c>Sphere</c> bound to <c>arrays.positions</c>, <c>arrays.colors</c>, <c>arrays.radii</c>.</summary>
    public static DefaultGeometry Particles { get; } = new(
        "particles",
        GeometryTypes.Sphere,
        "{\"type\": \"Sphere\", \"data\": {\"active\": true, \"position\": \"arrays.positions\", \"color\": \"arrays.colors\", "
        + "\"material\": \"MeshPhysicalMaterial_matt\", \"radius\": \"arrays.radii\", \"resolution\": 16, \"scale\": 0.7, "
        + "\"opacity\": 1.0, \"selecting\": " + Selecting + ", \"hovering\": " + Hovering + "}}");

    /// <summary><c>bonds</c>: a <c>Bond</c> bound to <c>arrays.positions</c>, <c>arrays.colors</c>, <c>info.connectivity</c>.</summary>
    public static DefaultGeometry Bonds { get; } = new(
        "bonds",
        GeometryTypes.Bond,
        "{\"type\": \"Bond\", \"data\": {\"active\": true, \"position\": \"arrays.positions\", \"color\": \"arrays.colors\", "
        + "\"material\": \"MeshPhysicalMaterial_matt\", \"radius\": 1.0, \"resolution\": 16, \"connectivity\": \"info.connectivity\", "
        + "\"scale\": 0.15, \"opacity\": 1.0, \"selecting\": " + Selecting + ", \"hovering\": " + Hovering + "}}");

    /// <summary><c>curve</c>: an empty <c>Curve</c>.</summary>
    public static DefaultGeometry Curve { get; } = new(
        "curve",
        GeometryTypes.Curve,
        "{\"type\": \"Curve\", \"data\": {\"active\": true, \"position\": [], \"color\": [\"#FFA200\"], \"material\": \"LineBasicMaterial\", "
        + "\"variant\": \"CatmullRomCurve3\", \"divisions\": 50, \"thickness\": 1.0, \"marker\": {\"size\": 0.1, \"color\": null}}}");

    /// <summary><c>cell</c>: a <c>Cell</c> bound to the frame's <c>cell</c>.</summary>
    public static DefaultGeometry Cell { get; } = new(
        "cell",
        GeometryTypes.Cell,
        "{\"type\": \"Cell\", \"data\": {\"active\": true, \"position\": \"cell\", \"color\": \"default\", \"material\": \"LineBasicMaterial\", "
        + "\"thickness\": 2.0}}");

    /// <summary><c>floor</c>: an inactive <c>Floor</c>.</summary>
    public static DefaultGeometry Floor { get; } = new(
        "floor",
        GeometryTypes.Floor,
        "{\"type\": \"Floor\", \"data\": {\"active\": false, \"position\": [0, 0, 0], \"color\": \"default\", "
        + "\"material\": \"MeshPhysicalMaterial_matt\", \"height\": -5.0, \"grid_spacing\": 10.0, \"grid_color\": \"default\", "
        + "\"grid_opacity\": 1.0, \"show_grid\": true, \"show_shadows\": true, \"shadow_opacity\": 0.5, \"shadow_blur\": 0.5, "
        + "\"fog_enabled\": true}}");

    /// <summary><c>constraints-fixed-atoms</c>: red wireframe spheres over the atoms fixed by the first constraint.</summary>
    public static DefaultGeometry ConstraintsFixedAtoms { get; } = new(
        "constraints-fixed-atoms",
        GeometryTypes.Sphere,
        "{\"type\": \"Sphere\", \"data\": {\"active\": true, "
        + "\"position\": {\"type\": \"in_array\", \"source\": \"constraints\", \"path\": \"0.kwargs.indices\", \"filter\": \"arrays.positions\"}, "
        + "\"color\": [\"#FF0000\"], "
        + "\"material\": {\"wireframe\": true, \"flatShading\": false, \"transparent\": false, \"polygonOffset\": false, "
        + "\"polygonOffsetFactor\": 0, \"material_type\": \"MeshBasicMaterial\", \"toneMapped\": true}, "
        + "\"radius\": {\"type\": \"in_array\", \"source\": \"constraints\", \"path\": \"0.kwargs.indices\", \"filter\": \"arrays.radii\"}, "
        + "\"resolution\": 16, \"scale\": 0.71, \"opacity\": 1.0, \"selecting\": " + Selecting + ", \"hovering\": " + Hovering + "}}");

    /// <summary>All six, in the order ZnDraw writes them.</summary>
    public static IReadOnlyList<DefaultGeometry> All { get; } = [Particles, Bonds, Curve, Cell, Floor, ConstraintsFixedAtoms];
}
