namespace ZnDraw.Storage;

/// <summary>Size limits of user-supplied text, checked before anything is sent to Redis (<see cref="ZnDrawStorageOptions.Limits"/>).</summary>
/// <remarks>
/// <para>
/// Every limit counts UTF-8 bytes (what Redis stores): for text, the UTF-8 encoding of the string; for geometry and
/// figure JSON, the bytes of the JSON the library writes. A value over its limit throws <see cref="ArgumentException"/>
/// whose <see cref="ArgumentException.ParamName"/> names the method's parameter; nothing is sent.
/// </para>
/// <para>
/// The defaults are generous for ZnDraw's real use (a description is a line or a paragraph, a geometry of 100,000
/// particles with per-particle colours is a few MB of JSON, a Plotly figure with large traces can be several MB);
/// they stop a single request from filling the server's memory. Every limit is at least 1 and at most
/// <see cref="MaxLimit"/> (Redis' 512 MB string limit).
/// </para>
/// </remarks>
public sealed class ZnDrawLimitOptions
{
    /// <summary>The largest value any limit may be set to: 512 MiB, Redis' largest string.</summary>
    public const int MaxLimit = 512 * 1024 * 1024;

    /// <summary>The largest room description, in UTF-8 bytes.</summary>
    /// <value>Default 65,536 (64 KiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxDescriptionBytes { get; set; } = 64 * 1024;

    /// <summary>The largest chat message content (posted or edited), in UTF-8 bytes.</summary>
    /// <value>Default 65,536 (64 KiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxChatMessageBytes { get; set; } = 64 * 1024;

    /// <summary>The largest geometry JSON (as written to the room's <c>geometries</c> hash, after a merge), in bytes.</summary>
    /// <value>Default 16,777,216 (16 MiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxGeometryJsonBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest figure JSON (as written to the room's <c>figures</c> hash), in bytes.</summary>
    /// <value>Default 16,777,216 (16 MiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxFigureJsonBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>The largest value of one room metadata field, in UTF-8 bytes.</summary>
    /// <value>Default 65,536 (64 KiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxMetadataValueBytes { get; set; } = 64 * 1024;

    /// <summary>The largest total of one room metadata write (every field name and value of the call), in UTF-8 bytes.</summary>
    /// <value>Default 1,048,576 (1 MiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxMetadataTotalBytes { get; set; } = 1024 * 1024;

    /// <summary>The largest bookmark label, in UTF-8 bytes.</summary>
    /// <value>Default 4,096 (4 KiB). Range 1 to <see cref="MaxLimit"/>.</value>
    public int MaxBookmarkLabelBytes { get; set; } = 4 * 1024;

    /// <summary>Every limit with its name, for the options validator.</summary>
    internal IEnumerable<(string Name, int Value)> All()
    {
        yield return (nameof(MaxDescriptionBytes), MaxDescriptionBytes);
        yield return (nameof(MaxChatMessageBytes), MaxChatMessageBytes);
        yield return (nameof(MaxGeometryJsonBytes), MaxGeometryJsonBytes);
        yield return (nameof(MaxFigureJsonBytes), MaxFigureJsonBytes);
        yield return (nameof(MaxMetadataValueBytes), MaxMetadataValueBytes);
        yield return (nameof(MaxMetadataTotalBytes), MaxMetadataTotalBytes);
        yield return (nameof(MaxBookmarkLabelBytes), MaxBookmarkLabelBytes);
    }
}
