using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using StackExchange.Redis;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// <see cref="ZnDrawTlsOptions"/> applied to a StackExchange.Redis <see cref="ConfigurationOptions"/>: TLS on, the
/// server certificate validated against the configured CA (or the machine's roots) with its host name checked, an
/// optional client certificate. Remembers why the last server certificate was refused, so the start-up failure can say
/// it (StackExchange.Redis itself reports only <c>AuthenticationFailure</c>). Built through the public
/// <see cref="ConfigurationOptions.CertificateValidation"/> and <see cref="ConfigurationOptions.CertificateSelection"/>
/// events, present in StackExchange.Redis 2.13 and 3.x alike.
/// </summary>
internal sealed class RedisTls
{
    private readonly X509Certificate2Collection? _roots;
    private readonly X509Certificate2? _client;
    private readonly string _caSetting;
    private readonly string _hostSetting;
    private volatile string? _lastFailure;

    private RedisTls(X509Certificate2Collection? roots, X509Certificate2? client, string caSetting, string hostSetting)
    {
        _roots = roots;
        _client = client;
        _caSetting = caSetting;
        _hostSetting = hostSetting;
    }

    /// <summary>Why the last server certificate was refused, naming the setting to check; null if none was.</summary>
    public string? LastFailure => _lastFailure;

    /// <summary>
    /// Reads the certificate files of <paramref name="options"/>.<see cref="ZnDrawStorageOptions.Tls"/>; null when TLS is
    /// not enabled there.
    /// </summary>
    /// <exception cref="ArgumentException">A file is missing or unreadable, or the password does not open it; the message names the setting (never the password).</exception>
    public static RedisTls? Create(ZnDrawStorageOptions options)
    {
        ZnDrawTlsOptions? tls = options.Tls;
        if (tls is not { Enabled: true })
        {
            return null;
        }

        X509Certificate2Collection? roots = null;
        if (tls.CaCertificatePath is { } caPath)
        {
            string setting = options.SettingName("Tls:CaCertificatePath");
            roots = [];
            try
            {
                roots.ImportFromPemFile(caPath);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                throw new ArgumentException($"{setting}: cannot read a PEM certificate from '{caPath}' ({ex.GetType().Name}: {ex.Message}).", ex);
            }

            if (roots.Count == 0)
            {
                throw new ArgumentException($"{setting}: '{caPath}' holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
            }
        }

        X509Certificate2? client = null;
        if (tls.ClientCertificatePath is { } clientPath)
        {
            client = LoadClient(options, tls, clientPath);
        }

        return new RedisTls(roots, client, options.SettingName("Tls:CaCertificatePath"), options.SettingName("Tls:HostName"));
    }

    /// <summary>Turns TLS on in <paramref name="configuration"/> with this validation and client certificate.</summary>
    public void Apply(ConfigurationOptions configuration, ZnDrawTlsOptions options)
    {
        configuration.Ssl = true;
        if (options.HostName is { } host)
        {
            configuration.SslHost = host;
        }

        configuration.CertificateValidation += Validate;
        if (_client is { } client)
        {
            configuration.CertificateSelection += (_, _, _, _, _) => client;
        }
    }

    private static X509Certificate2 LoadClient(ZnDrawStorageOptions options, ZnDrawTlsOptions tls, string path)
    {
        string setting = options.SettingName("Tls:ClientCertificatePath");
        bool pkcs12 = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
        X509Certificate2 certificate;
        try
        {
            certificate = pkcs12
                ? X509CertificateLoader.LoadPkcs12FromFile(path, tls.ClientCertificatePassword)
                : tls.ClientCertificatePassword is { } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(path, password, tls.ClientKeyPath)
                    : X509Certificate2.CreateFromPemFile(path, tls.ClientKeyPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{setting}: cannot read '{path}' ({ex.GetType().Name}).", ex);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // The inner exception is not kept: its text could echo key material; the password is never part of the message.
            string passwordSetting = options.SettingName("Tls:ClientCertificatePassword");
            throw new ArgumentException(
                pkcs12
                    ? $"{setting}: '{path}' cannot be opened as PKCS#12 with the password of {passwordSetting} (wrong password, or not a PKCS#12 file)."
                    : $"{setting}: '{path}' (key: {tls.ClientKeyPath ?? "in the same file"}, see {options.SettingName("Tls:ClientKeyPath")}) is not a PEM certificate with its private key, or the key needs {passwordSetting}.");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ArgumentException($"{setting}: '{path}' holds no private key; a client certificate needs one ({options.SettingName("Tls:ClientKeyPath")}).");
        }

        return certificate;
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            return Refuse("the server sent no certificate");
        }

        if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            return Refuse($"the server certificate ({certificate.Subject}) is not issued for the host name the connection checks (the endpoint's host, or {_hostSetting}); connect by a name it lists or set {_hostSetting}");
        }

        if (_roots is null)
        {
            if (errors == SslPolicyErrors.None)
            {
                _lastFailure = null;
                return true;
            }

            return Refuse($"the server certificate ({certificate.Subject}) is not trusted by this machine ({errors}); set {_caSetting} to the CA that issued it");
        }

        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(_roots);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            foreach (X509ChainElement element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        if (custom.Build(server))
        {
            _lastFailure = null;
            return true;
        }

        X509ChainStatusFlags flags = X509ChainStatusFlags.NoError;
        foreach (X509ChainStatus status in custom.ChainStatus)
        {
            flags |= status.Status;
        }

        string validity = string.Create(CultureInfo.InvariantCulture, $"valid {server.NotBefore.ToUniversalTime():u} to {server.NotAfter.ToUniversalTime():u}");
        return Refuse((flags & X509ChainStatusFlags.NotTimeValid) != 0
            ? $"the server certificate ({server.Subject}) has expired or is not yet valid ({validity}, checked with the CA of {_caSetting}); renew it on the server"
            : (flags & (X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain)) != 0
                ? $"the server certificate ({server.Subject}, issued by {server.Issuer}) is not issued by a CA of {_caSetting}"
                : $"the server certificate ({server.Subject}) failed validation against {_caSetting}: {flags}");
    }

    private bool Refuse(string reason)
    {
        _lastFailure = reason;
        return false;
    }
}
