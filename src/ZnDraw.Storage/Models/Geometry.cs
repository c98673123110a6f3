using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>A geometry: one field of the hash <c>room:{room}:geometries</c>, stored as <c>{"type": "&lt;Class&gt;", "data": {…}}</c>.</summary>
/// <remarks>
/// <see cref="Data"/> is kept as an opaque JSON object (the pydantic <c>model_dump</c> of ZnDraw's geometry
/// class); its number tokens and member order survive a round trip byte for byte.
/// </remarks>
/// <param name="Type">The geometry class name, e.g. <c>Sphere</c> (see <see cref="GeometryTypes"/>).</param>
/// <param name="Data">The model fields as a JSON object.</param>
public sealed record Geometry(string Type, JsonElement Data)
{
    /// <inheritdoc/>
    public bool Equals(Geometry? other) =>
        other is not null && Type == other.Type && JsonValues.DeepEquals(Data, other.Data);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Type, JsonValues.ShallowHash(Data));
}

/// <summary>The geometry class names ZnDraw registers (field <c>type</c> of a stored geometry) at 940d2ae0.</summary>
public static class GeometryTypes
{
    /// <summary><c>Sphere</c>.</summary>
    public const string Sphere = "Sphere";

    /// <summary><c>Arrow</c>.</summary>
    public const string Arrow = "Arrow";

    /// <summary><c>Bond</c>.</summary>
    public const string Bond = "Bond";

    /// <summary><c>Curve</c>.</summary>
    public const string Curve = "Curve";

    /// <summary><c>Cell</c>.</summary>
    public const string Cell = "Cell";

    /// <summary><c>Floor</c>.</summary>
    public const string Floor = "Floor";

    /// <summary><c>Camera</c>.</summary>
    public const string Camera = "Camera";

    /// <summary><c>Box</c>.</summary>
    public const string Box = "Box";

    /// <summary><c>Plane</c>.</summary>
    public const string Plane = "Plane";

    /// <summary>Every name above, in the order the reference lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Sphere, Arrow, Bond, Curve, Cell, Floor, Camera, Box, Plane];
}

/// <summary>A figure: one field of the hash <c>room:{room}:figures</c>, any JSON value (e.g. Plotly JSON), kept opaque.</summary>
/// <param name="Value">The figure JSON.</param>
public sealed record Figure(JsonElement Value)
{
    /// <inheritdoc/>
    public bool Equals(Figure? other) => other is not null && JsonValues.DeepEquals(Value, other.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => JsonValues.ShallowHash(Value);
}

/// <summary>One of the geometries ZnDraw writes into every new room.</summary>
/// <param name="Name">The hash field, e.g. <c>particles</c>.</param>
/// <param name="Type">The geometry class name.</param>
/// <param name="Json">The stored value exactly as written (<c>{"type": …, "data": …}</c>, Python <c>json.dumps</c> style).</param>
internal sealed record DefaultGeometry(string Name, string Type, string Json);
