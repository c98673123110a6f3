using System.Globalization;
using System.Text;

namespace ZnDraw.Storage;

/// <summary>
/// TLS for the library's own Redis connection (configuration section <c>ZnDrawStorage:Tls</c>). The server certificate
/// is validated against <see cref="CaCertificatePath"/> (or, without it, the machine's trusted roots) and its host
/// name is checked; there is no setting that accepts any certificate. See <c>docs/production.md</c>.
/// </summary>
/// <remarks>
/// Applies to a connection the library makes from <see cref="ZnDrawStorageOptions.ConnectionString"/> or
/// <see cref="ZnDrawStorageOptions.RedisConfiguration"/>, not to a host-registered <c>IConnectionMultiplexer</c> (which
/// configures its own TLS). A certificate that fails validation at start throws
/// <see cref="Contracts.StorageUnavailableException"/> naming the reason and the setting to check.
/// <see cref="ToString"/> never shows <see cref="ClientCertificatePassword"/>.
/// </remarks>
public sealed class ZnDrawTlsOptions
{
    /// <summary>Whether the connection uses TLS.</summary>
    /// <value>
    /// Default <see langword="false"/> (unless the connection string says <c>ssl=true</c>, which then uses the machine's
    /// trusted roots). Setting any other property of these options without this one fails validation.
    /// </value>
    public bool Enabled { get; set; }

    /// <summary>A PEM file holding the certificate(s) of the CA that issued the server certificate.</summary>
    /// <value>
    /// Default <see langword="null"/>: the machine's trusted roots. When set, only a chain ending at one of these
    /// certificates is accepted (the machine's roots are not consulted).
    /// </value>
    public string? CaCertificatePath { get; set; }

    /// <summary>The client certificate for mutual TLS: a PEM certificate (with <see cref="ClientKeyPath"/>) or a PKCS#12 (<c>.pfx</c>/<c>.p12</c>) file.</summary>
    /// <value>Default <see langword="null"/>: no client certificate.</value>
    public string? ClientCertificatePath { get; set; }

    /// <summary>The PEM private key of a PEM <see cref="ClientCertificatePath"/>.</summary>
    /// <value>Default <see langword="null"/>: the key is read from the certificate file itself (or the PKCS#12 file).</value>
    public string? ClientKeyPath { get; set; }

    /// <summary>The password of an encrypted PEM key or of a PKCS#12 client certificate.</summary>
    /// <value>Default <see langword="null"/>. Never logged nor shown by <see cref="ToString"/>; keep it in a secret store.</value>
    public string? ClientCertificatePassword { get; set; }

    /// <summary>The host name the server certificate must be issued for.</summary>
    /// <value>
    /// Default <see langword="null"/>: the host of each endpoint (or the connection string's <c>sslHost</c>). Set it when
    /// the endpoints are IP addresses or internal names the certificate does not list.
    /// </value>
    public string? HostName { get; set; }

    /// <summary>The settings, with the password shown only as set or not.</summary>
    /// <returns>For example <c>Enabled=True, CaCertificatePath=ca.crt, ClientCertificatePassword=(set)</c>.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Enabled={Enabled}");
        Append(text, nameof(CaCertificatePath), CaCertificatePath);
        Append(text, nameof(ClientCertificatePath), ClientCertificatePath);
        Append(text, nameof(ClientKeyPath), ClientKeyPath);
        Append(text, nameof(ClientCertificatePassword), ClientCertificatePassword is null ? null : "(set)");
        Append(text, nameof(HostName), HostName);
        return text.ToString();
    }

    /// <summary>Whether any setting other than <see cref="Enabled"/> has a value.</summary>
    internal bool AnySet =>
        CaCertificatePath is not null || ClientCertificatePath is not null || ClientKeyPath is not null
        || ClientCertificatePassword is not null || HostName is not null;

    private static void Append(StringBuilder text, string name, string? value)
    {
        if (value is not null)
        {
            text.Append(", ").Append(name).Append('=').Append(value);
        }
    }
}
