using System.Text;

namespace ZnDraw.Storage.Redis.History;

/// <summary>
/// Redis Cluster hash slots for the sharded outbox: the slot of a key (CRC16-XMODEM of the key or of its hash tag,
/// modulo 16384, as the cluster computes it) and, for every slot, a short hash tag that lands in it.
/// </summary>
/// <remarks>
/// The tag of a slot is the first string in the order <c>0</c>…<c>z</c>, <c>00</c>…<c>zz</c>, <c>000</c>… (base 36,
/// shortest first) whose CRC16 falls in the slot: at most four characters, the same on every process and version. The
/// table (16384 strings) is built once, on first use, in a few milliseconds.
/// </remarks>
internal static class OutboxSlots
{
    /// <summary>The number of hash slots of a Redis Cluster.</summary>
    public const int Count = 16384;

    private const string Digits = "0123456789abcdefghijklmnopqrstuvwxyz";

    private static readonly ushort[] Table = BuildCrcTable();
    private static readonly Lazy<string[]> Tags = new(BuildTags);

    /// <summary>The hash slot of <paramref name="key"/> (its bytes), honouring a hash tag (<c>{…}</c>) as Redis does.</summary>
    public static int Of(ReadOnlySpan<byte> key)
    {
        var open = key.IndexOf((byte)'{');
        if (open >= 0)
        {
            var close = key[(open + 1)..].IndexOf((byte)'}');
            if (close > 0)
            {
                key = key.Slice(open + 1, close);
            }
        }

        return Crc16(key) & (Count - 1);
    }

    /// <summary>The hash slot of the UTF-8 text <paramref name="key"/>.</summary>
    public static int Of(string key) => Of(Encoding.UTF8.GetBytes(key));

    /// <summary>The shortest deterministic hash tag whose slot is <paramref name="slot"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="slot"/> is not 0 to 16383.</exception>
    public static string Tag(int slot)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, Count);
        return Tags.Value[slot];
    }

    /// <summary>CRC16-XMODEM (polynomial 0x1021, initial 0), the checksum of Redis Cluster key slots.</summary>
    public static ushort Crc16(ReadOnlySpan<byte> data)
    {
        ushort crc = 0;
        foreach (var b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[((crc >> 8) ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] BuildCrcTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }

    private static string[] BuildTags()
    {
        var tags = new string[Count];
        var missing = Count;
        Span<byte> buffer = stackalloc byte[8];
        for (var length = 1; missing > 0; length++)
        {
            var total = (long)Math.Pow(Digits.Length, length);
            for (long n = 0; n < total && missing > 0; n++)
            {
                var value = n;
                for (var i = length - 1; i >= 0; i--)
                {
                    buffer[i] = (byte)Digits[(int)(value % Digits.Length)];
                    value /= Digits.Length;
                }

                var slot = Crc16(buffer[..length]) & (Count - 1);
                if (tags[slot] is null)
                {
                    tags[slot] = Encoding.ASCII.GetString(buffer[..length]);
                    missing--;
                }
            }
        }

        return tags;
    }
}
