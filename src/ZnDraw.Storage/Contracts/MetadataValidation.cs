using System.Text;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Contracts;

/// <summary>The argument checks of a room metadata write, the same on every backend.</summary>
internal static class MetadataValidation
{
    /// <summary>
    /// <paramref name="metadata"/> has at least one field, every name is non-empty, every value non-null and within
    /// <see cref="ZnDrawLimitOptions.MaxMetadataValueBytes"/>, and all names and values together within
    /// <see cref="ZnDrawLimitOptions.MaxMetadataTotalBytes"/> (UTF-8).
    /// </summary>
    /// <exception cref="ArgumentNullException">The metadata or a value is null.</exception>
    /// <exception cref="ArgumentException">No field, an empty name, or a value or the whole too large.</exception>
    public static void Validate(RoomMetadata metadata, ZnDrawLimitOptions limits)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Fields.Count == 0)
        {
            throw new ArgumentException("Metadata must have at least one field.", nameof(metadata));
        }

        long total = 0;
        foreach (KeyValuePair<string, string> field in metadata.Fields)
        {
            if (string.IsNullOrEmpty(field.Key))
            {
                throw new ArgumentException("Metadata field names must not be empty.", nameof(metadata));
            }

            ArgumentNullException.ThrowIfNull(field.Value, nameof(metadata));
            int valueBytes = Encoding.UTF8.GetByteCount(field.Value);
            if (valueBytes > limits.MaxMetadataValueBytes)
            {
                throw SizeLimits.TooLarge($"value of metadata field '{field.Key}'", valueBytes, limits.MaxMetadataValueBytes, nameof(metadata));
            }

            total += Encoding.UTF8.GetByteCount(field.Key) + valueBytes;
        }

        SizeLimits.CheckBytes(total, limits.MaxMetadataTotalBytes, "metadata (every field name and value)", nameof(metadata));
    }
}
