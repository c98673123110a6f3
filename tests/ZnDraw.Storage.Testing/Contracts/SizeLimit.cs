namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Values at and one byte over a small size limit, for the contracts' limit tests.</summary>
public static class SizeLimit
{
    /// <summary>The limit the tests configure: 12 bytes.</summary>
    public const int Bytes = 12;

    /// <summary>Six two-byte characters: 12 UTF-8 bytes in 6 chars, so a char-counting check would be wrong.</summary>
    public static readonly string AtLimit = new('é', Bytes / 2);

    /// <summary>One UTF-8 byte over <see cref="Bytes"/>.</summary>
    public static readonly string OverLimit = AtLimit + "a";
}
