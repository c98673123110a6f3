namespace ZnDraw.Storage.Models;

/// <summary>A room's core state: the string keys <c>room:{room}:description</c>, <c>:locked</c>, <c>:hidden</c>, <c>:current_frame</c>.</summary>
/// <param name="Id">The room id (never contains <c>:</c>).</param>
/// <param name="Description">Free text, or <see langword="null"/> when <c>room:{room}:description</c> is absent.</param>
/// <param name="Locked">Read-only room (<c>"1"</c>); anything else stored reads as <see langword="false"/>, as in ZnDraw.</param>
/// <param name="Hidden">Hidden from listings (<c>"1"</c>); anything else stored reads as <see langword="false"/>, as in ZnDraw.</param>
/// <param name="CurrentFrame">The current logical frame; a missing, negative or non-numeric stored value reads as 0, as in ZnDraw.</param>
/// <param name="FrameCount">ZCARD of the trajectory when the caller asked for it, otherwise <see langword="null"/>.</param>
public sealed record Room(
    string Id,
    string? Description = null,
    bool Locked = false,
    bool Hidden = false,
    int CurrentFrame = 0,
    long? FrameCount = null);

/// <summary>The hash <c>room:{room}:metadata</c>: string fields describing the file a room was loaded from.</summary>
/// <remarks>
/// ZnDraw requires every value to be a string and uses three fields; others are kept in
/// <see cref="Fields"/> in stored order. The typed members are parsed from those three fields.
/// </remarks>
public sealed record RoomMetadata
{
    /// <summary>Field name <c>relative_file_path</c>.</summary>
    public const string RelativeFilePathField = "relative_file_path";

    /// <summary>Field name <c>file_size</c> (decimal bytes).</summary>
    public const string FileSizeField = "file_size";

    /// <summary>Field name <c>file_modified_timestamp</c> (ISO 8601 with <c>+00:00</c>).</summary>
    public const string FileModifiedTimestampField = "file_modified_timestamp";

    /// <summary>Creates metadata from its raw fields.</summary>
    /// <param name="fields">Field/value pairs as stored (order kept).</param>
    /// <exception cref="ArgumentException">A field name repeats.</exception>
    public RoomMetadata(IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var copy = new KeyValuePair<string, string>[fields.Count];
        for (int i = 0; i < copy.Length; i++)
        {
            copy[i] = fields[i];
            for (int j = 0; j < i; j++)
            {
                if (string.Equals(copy[j].Key, copy[i].Key, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"Field '{copy[i].Key}' repeats.", nameof(fields));
                }
            }
        }

        Fields = copy;
    }

    /// <summary>All fields in stored order.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    /// <summary>The value of <paramref name="field"/>, or <see langword="null"/>.</summary>
    /// <param name="field">The field name.</param>
    /// <returns>The stored text.</returns>
    public string? this[string field]
    {
        get
        {
            foreach (KeyValuePair<string, string> pair in Fields)
            {
                if (string.Equals(pair.Key, field, StringComparison.Ordinal))
                {
                    return pair.Value;
                }
            }

            return null;
        }
    }

    /// <summary>Field <c>relative_file_path</c>, or <see langword="null"/>.</summary>
    public string? RelativeFilePath => this[RelativeFilePathField];

    /// <summary>Field <c>file_size</c> parsed, or <see langword="null"/> when absent (validated when read from Redis).</summary>
    public long? FileSize => this[FileSizeField] is { } text
        && long.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long size)
        ? size : null;

    /// <summary>Field <c>file_modified_timestamp</c> parsed, or <see langword="null"/> when absent (validated when read from Redis).</summary>
    public DateTimeOffset? FileModified => this[FileModifiedTimestampField] is { } text
        && ZnDrawTime.TryParseIsoWithOffset(text, out DateTimeOffset value) ? value : null;

    /// <summary>Builds the metadata ZnDraw's file browser writes.</summary>
    /// <param name="relativeFilePath">The file path relative to the browser root.</param>
    /// <param name="fileSize">The size in bytes.</param>
    /// <param name="fileModified">The modification time (written with its offset, e.g. <c>+00:00</c>).</param>
    /// <returns>The metadata.</returns>
    public static RoomMetadata ForFile(string relativeFilePath, long fileSize, DateTimeOffset fileModified) =>
        new(
        [
            new(RelativeFilePathField, relativeFilePath),
            new(FileSizeField, fileSize.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(FileModifiedTimestampField, ZnDrawTime.FormatIsoWithOffset(fileModified)),
        ]);

    /// <inheritdoc/>
    public bool Equals(RoomMetadata? other)
    {
        if (other is null || other.Fields.Count != Fields.Count)
        {
            return false;
        }

        for (int i = 0; i < Fields.Count; i++)
        {
            if (!string.Equals(Fields[i].Key, other.Fields[i].Key, StringComparison.Ordinal)
                || !string.Equals(Fields[i].Value, other.Fields[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override int GetHashCode() => Fields.Count;
}
