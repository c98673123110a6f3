using System.Collections.Immutable;
using System.Text.Json;
using ZnDraw.Storage.Serialization;

namespace ZnDraw.Storage.Models;

/// <summary>The section names of a user's room settings (fields of <c>room:{room}:user:{user}:settings</c>).</summary>
public static class RoomSettingsSections
{
    /// <summary><c>camera</c>.</summary>
    public const string Camera = "camera";

    /// <summary><c>studio_lighting</c>.</summary>
    public const string StudioLighting = "studio_lighting";

    /// <summary><c>property_inspector</c>.</summary>
    public const string PropertyInspector = "property_inspector";

    /// <summary><c>pathtracing</c>.</summary>
    public const string Pathtracing = "pathtracing";

    /// <summary>The four sections, in the order ZnDraw lists them.</summary>
    public static IReadOnlyList<string> All { get; } = [Camera, StudioLighting, PropertyInspector, Pathtracing];
}

/// <summary>One settings section: a field of <c>room:{room}:user:{user}:settings</c> whose value is a JSON object.</summary>
/// <param name="Name">The section name (see <see cref="RoomSettingsSections"/>).</param>
/// <param name="Value">The section's JSON object, kept as stored.</param>
public sealed record RoomSettingsSection(string Name, JsonElement Value)
{
    /// <inheritdoc/>
    public bool Equals(RoomSettingsSection? other) =>
        other is not null && Name == other.Name && JsonValues.DeepEquals(Value, other.Value);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, JsonValues.ShallowHash(Value));
}

/// <summary>A user's settings in one room: the hash <c>room:{room}:user:{user}:settings</c>.</summary>
/// <remarks>ZnDraw writes defaults only for the user who creates the room; other users start with no sections. Unknown sections are kept.</remarks>
/// <param name="Sections">The sections in stored order.</param>
public sealed record UserRoomSettings(ImmutableArray<RoomSettingsSection> Sections)
{
    /// <summary>The section named <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="name">A section name.</param>
    /// <returns>The section's JSON object.</returns>
    public JsonElement? this[string name]
    {
        get
        {
            if (!Sections.IsDefault)
            {
                foreach (RoomSettingsSection section in Sections)
                {
                    if (section.Name == name)
                    {
                        return section.Value;
                    }
                }
            }

            return null;
        }
    }

    /// <summary>The <c>camera</c> section, or <see langword="null"/>.</summary>
    public JsonElement? Camera => this[RoomSettingsSections.Camera];

    /// <summary>The <c>studio_lighting</c> section, or <see langword="null"/>.</summary>
    public JsonElement? StudioLighting => this[RoomSettingsSections.StudioLighting];

    /// <summary>The <c>property_inspector</c> section, or <see langword="null"/>.</summary>
    public JsonElement? PropertyInspector => this[RoomSettingsSections.PropertyInspector];

    /// <summary>The <c>pathtracing</c> section, or <see langword="null"/>.</summary>
    public JsonElement? Pathtracing => this[RoomSettingsSections.Pathtracing];

    /// <inheritdoc/>
    public bool Equals(UserRoomSettings? other)
    {
        if (other is null)
        {
            return false;
        }

        ReadOnlySpan<RoomSettingsSection> a = Sections.IsDefault ? [] : Sections.AsSpan();
        ReadOnlySpan<RoomSettingsSection> b = other.Sections.IsDefault ? [] : other.Sections.AsSpan();
        if (a.Length != b.Length)
        {
            return false;
        }

        for (int i = 0; i < a.Length; i++)
        {
            if (!a[i].Equals(b[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() => Sections.IsDefault ? 0 : Sections.Length;
}
