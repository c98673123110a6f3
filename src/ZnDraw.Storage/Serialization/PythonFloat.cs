using System.Globalization;
using System.Text;

namespace ZnDraw.Storage.Serialization;

/// <summary>Formats a <see cref="double"/> exactly as Python's <c>repr(float)</c> (and therefore <c>json.dumps</c>) does.</summary>
internal static class PythonFloat
{
    /// <summary>Python's repr: shortest round-trip digits, <c>.0</c> for integral values, exponent form when the decimal point is at or below -4 or above 16.</summary>
    public static string Format(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        string r = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        bool negative = double.IsNegative(value);

        int e = r.IndexOfAny(['E', 'e']);
        int exponent = 0;
        string mantissa = r;
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = r[..e];
        }

        int dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        string intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        string fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        string digits = intPart + fracPart;
        int decpt = intPart.Length + exponent;

        int lead = 0;
        while (lead < digits.Length && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..];
        decpt -= lead;
        digits = digits.TrimEnd('0');

        var sb = new StringBuilder(32);
        if (negative)
        {
            sb.Append('-');
        }

        if (digits.Length == 0)
        {
            return sb.Append("0.0").ToString();
        }

        if (decpt <= -4 || decpt > 16)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            int exp = decpt - 1;
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            sb.Append(Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decpt <= 0)
        {
            sb.Append("0.").Append('0', -decpt).Append(digits);
        }
        else if (decpt >= digits.Length)
        {
            sb.Append(digits).Append('0', decpt - digits.Length).Append(".0");
        }
        else
        {
            sb.Append(digits, 0, decpt).Append('.').Append(digits, decpt, digits.Length - decpt);
        }

        return sb.ToString();
    }
}
