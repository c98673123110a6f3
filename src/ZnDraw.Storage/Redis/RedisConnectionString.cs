using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// Reads a StackExchange.Redis configuration string the way the library uses it, and describes it without its secrets:
/// the checks behind <c>ZnDrawStorageOptions</c> validation and the endpoints named in connection errors.
/// </summary>
internal static class RedisConnectionString
{
    private const string AbortConnectKeyword = "abortConnect";
    private const string PasswordKeyword = "password";

    /// <summary>
    /// What is wrong with <paramref name="value"/>, or <see langword="null"/> when it parses and names at least one
    /// endpoint and nothing but endpoints and <c>key=value</c> options. Never contains the password.
    /// </summary>
    public static string? Problem(string value)
    {
        ConfigurationOptions parsed;
        try
        {
            parsed = ConfigurationOptions.Parse(value);
        }
        catch (ArgumentException ex)
        {
            return $"is not a valid StackExchange.Redis configuration string ({Redact(ex.Message, value)})";
        }

        // StackExchange.Redis silently skips an entry that is neither key=value nor host:port ("127.0.0.1:notaport"),
        // and fails only at connect time when no endpoint is left: both are mistakes, said here by position (an entry
        // is never echoed, it might be a password written without "password=").
        string[] entries = value.Split(',');
        var bad = new List<int>();
        int written = 0;
        for (int i = 0; i < entries.Length; i++)
        {
            string entry = entries[i].Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            written++;
            if (!entry.Contains('=', StringComparison.Ordinal) && !IsEndPoint(entry))
            {
                bad.Add(i + 1);
            }
        }

        string entriesText = bad.Count == 0
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"{(bad.Count == 1 ? "entry" : "entries")} {string.Join(", ", bad)} of {entries.Length} {(bad.Count == 1 ? "is" : "are")} neither host:port (port 1 to 65535) nor key=value");
        if (parsed.EndPoints.Count == 0)
        {
            return written == 0
                ? "names no Redis endpoint (the value holds no entries); expected host:port, e.g. 127.0.0.1:6379, optionally followed by ,key=value options"
                : $"names no Redis endpoint{(bad.Count > 0 ? $" ({entriesText})" : string.Empty)}; expected host:port, e.g. 127.0.0.1:6379, optionally followed by ,key=value options";
        }

        return bad.Count > 0 ? entriesText : null;
    }

    /// <summary>
    /// Parses <paramref name="value"/> and sets <see cref="ConfigurationOptions.AbortOnConnectFail"/> to
    /// <paramref name="abortOnConnectFail"/> unless the string names <c>abortConnect</c> itself (the string wins).
    /// </summary>
    public static ConfigurationOptions Parse(string value, bool abortOnConnectFail)
    {
        ConfigurationOptions options = ConfigurationOptions.Parse(value);
        if (!NamesAbortConnect(value))
        {
            options.AbortOnConnectFail = abortOnConnectFail;
        }

        return options;
    }

    /// <summary>Whether <paramref name="value"/> holds an <c>abortConnect=...</c> entry.</summary>
    public static bool NamesAbortConnect(string value) => HasKey(value, AbortConnectKeyword);

    /// <summary>The endpoints of <paramref name="options"/> as <c>host:port</c> (default ports filled in), comma-separated.</summary>
    public static string DescribeEndPoints(ConfigurationOptions options)
    {
        ConfigurationOptions copy = options.Clone();
        copy.SetDefaultPorts();
        string endpoints = DescribeEndPoints(copy.EndPoints);
        return string.IsNullOrEmpty(copy.ServiceName) ? endpoints : $"{endpoints} (sentinel service {copy.ServiceName})";
    }

    /// <summary><paramref name="endpoints"/> as <c>host:port</c>, comma-separated; <c>(none)</c> when empty.</summary>
    public static string DescribeEndPoints(IEnumerable<EndPoint> endpoints)
    {
        string text = string.Join(", ", endpoints.Select(Describe));
        return text.Length == 0 ? "(none)" : text;
    }

    /// <summary>One endpoint as <c>host:port</c> (<c>[::1]:6379</c> for IPv6).</summary>
    public static string Describe(EndPoint? endpoint) => endpoint switch
    {
        DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
        IPEndPoint ip => ip.ToString(),
        null => "(unknown)",
        _ => endpoint.ToString() ?? "(unknown)",
    };

    /// <summary><paramref name="message"/> with every password value of <paramref name="value"/> replaced by <c>***</c>.</summary>
    internal static string Redact(string message, string value)
    {
        foreach (string entry in value.Split(','))
        {
            string trimmed = entry.Trim();
            int equals = trimmed.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && trimmed[..equals].Trim().Equals(PasswordKeyword, StringComparison.OrdinalIgnoreCase))
            {
                string secret = trimmed[(equals + 1)..];
                if (secret.Length > 0)
                {
                    message = message.Replace(secret, "***", StringComparison.Ordinal);
                }
            }
        }

        return message;
    }

    private static bool IsEndPoint(string entry)
    {
        try
        {
            return ConfigurationOptions.Parse(entry).EndPoints.Count == 1;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool HasKey(string value, string key)
    {
        foreach (string entry in value.Split(','))
        {
            int equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0 && entry[..equals].Trim().Equals(key, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
