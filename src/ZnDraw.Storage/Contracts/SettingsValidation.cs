using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>The argument checks of a settings write, the same on every backend.</summary>
internal static class SettingsValidation
{
    // Section lists up to this long are checked for repeated names by a linear scan (no set allocated).
    private const int SmallSectionCount = 8;

    /// <summary>Every section is non-null with a non-empty name, and no name is listed twice.</summary>
    /// <exception cref="ArgumentNullException">A section is null.</exception>
    /// <exception cref="ArgumentException">A section name is null or empty, or listed twice.</exception>
    public static void ValidateSectionNames(ReadOnlySpan<RoomSettingsSection> sections, string paramName)
    {
        HashSet<string>? names = sections.Length > SmallSectionCount ? new HashSet<string>(sections.Length, StringComparer.Ordinal) : null;
        for (int i = 0; i < sections.Length; i++)
        {
            RoomSettingsSection section = sections[i];
            ArgumentNullException.ThrowIfNull(section, paramName);
            ArgumentException.ThrowIfNullOrEmpty(section.Name, paramName);
            bool repeated;
            if (names is not null)
            {
                repeated = !names.Add(section.Name);
            }
            else
            {
                repeated = false;
                for (int j = 0; j < i && !repeated; j++)
                {
                    repeated = string.Equals(sections[j].Name, section.Name, StringComparison.Ordinal);
                }
            }

            if (repeated)
            {
                throw new ArgumentException($"Section '{section.Name}' is listed twice.", paramName);
            }
        }
    }
}
