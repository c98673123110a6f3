namespace ZnDraw.Storage.Redis.Keys;

/// <summary>The UTF-8 heads a key builder prepends, made for one key-space prefix (shared; never mutated).</summary>
internal interface IPrefixHead
{
    /// <summary>The key-space prefix the head was made for.</summary>
    string Prefix { get; }
}

/// <summary>
/// The per-prefix heads of the user and session key builders: the default (empty) prefix's head is a static, other
/// prefixes are cached direct-mapped by prefix (a slot holds one entry; racing writers replace each other, and a
/// reader sees either a finished entry or makes one), so building a key allocates no head once its prefix is warm.
/// </summary>
internal static class PrefixHeads
{
    /// <summary>Slots per cache (a power of two).</summary>
    public const int Slots = 16;

    /// <summary>The head of <paramref name="prefix"/>: <paramref name="defaultHead"/> for the empty prefix, else cached in <paramref name="cache"/>.</summary>
    public static T Get<T>(T?[] cache, T defaultHead, string prefix, Func<string, T> create)
        where T : class, IPrefixHead
    {
        if (prefix.Length == 0)
        {
            return defaultHead;
        }

        ref T? slot = ref cache[(uint)prefix.GetHashCode() & (Slots - 1)];
        T? entry = Volatile.Read(ref slot);
        if (entry is null || !string.Equals(entry.Prefix, prefix, StringComparison.Ordinal))
        {
            entry = create(prefix);
            Volatile.Write(ref slot, entry);
        }

        return entry;
    }
}
