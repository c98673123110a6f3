using System.Collections.Immutable;

namespace ZnDraw.Storage.Models;

/// <summary>A geometry's selected instance indices: one field of <c>room:{room}:selections</c> (JSON array such as <c>[0, 1]</c>).</summary>
/// <param name="Geometry">The geometry name (hash field), e.g. <c>particles</c>.</param>
/// <param name="Indices">Non-negative indices in stored order.</param>
public sealed record Selection(string Geometry, ImmutableArray<int> Indices)
{
    /// <inheritdoc/>
    public bool Equals(Selection? other) =>
        other is not null && Geometry == other.Geometry && Indices.AsSpan().SequenceEqual(other.Indices.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Geometry, Indices.IsDefault ? 0 : Indices.Length);
}

/// <summary>A named selection group: one field of <c>room:{room}:selection_groups</c>, a JSON object <c>{geometry: [indices…]}</c>.</summary>
/// <param name="Name">The group name (hash field).</param>
/// <param name="Selections">One selection per geometry, in stored order.</param>
public sealed record SelectionGroup(string Name, ImmutableArray<Selection> Selections)
{
    /// <inheritdoc/>
    public bool Equals(SelectionGroup? other)
    {
        if (other is null || Name != other.Name || Selections.Length != other.Selections.Length)
        {
            return false;
        }

        for (int i = 0; i < Selections.Length; i++)
        {
            if (!Selections[i].Equals(other.Selections[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Selections.IsDefault ? 0 : Selections.Length);
}

/// <summary>Selected frames: the string <c>room:{room}:frame_selection:{group}</c> (JSON array of frame indices).</summary>
/// <param name="Group">The group; ZnDraw only uses <c>default</c>.</param>
/// <param name="Frames">Non-negative logical frame indices in stored order.</param>
public sealed record FrameSelection(string Group, ImmutableArray<int> Frames)
{
    /// <summary>The only group ZnDraw uses.</summary>
    public const string DefaultGroup = "default";

    /// <inheritdoc/>
    public bool Equals(FrameSelection? other) =>
        other is not null && Group == other.Group && Frames.AsSpan().SequenceEqual(other.Frames.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Group, Frames.IsDefault ? 0 : Frames.Length);
}
