using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>
/// TLS at host start, against real TLS servers: the shared TLS Redis (server certificate for localhost and 127.0.0.1,
/// client certificates optional) and private ones this class starts (client certificates required; an expired server
/// certificate; a certificate for another host). A wrong CA, an expired certificate and a wrong host name each fail
/// start with <see cref="StorageUnavailableException"/> naming the setting; mutual TLS works with a PEM and a PKCS#12
/// client certificate and fails without one.
/// </summary>
[Collection(RedisTlsCollection.Name)]
public sealed class TlsStartupTests(RedisTlsFixture tls)
{
    private static HostApplicationBuilder NewBuilder(string json)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        builder.Services.AddZnDrawStorage(builder.Configuration.GetSection("ZnDrawStorage"));
        return builder;
    }

    /// <summary>A host for <paramref name="endpoint"/> with the TLS settings <paramref name="tlsJson"/> (JSON members).</summary>
    private static IHost NewHost(string endpoint, string tlsJson) =>
        NewBuilder($$"""
            { "ZnDrawStorage": { "ConnectionString": "{{endpoint}},connectTimeout=2000", "KeyPrefix": "{{RedisFixture.NewId("tls")}}:",
                                 "IndexReconciliation": { "Enabled": false }, "Tls": { "Enabled": true, {{tlsJson}} } } }
            """).Build();

    /// <summary>JSON object members <c>"key": "value", ...</c>, the values escaped.</summary>
    private static string Members(params (string Key, string Value)[] members) =>
        string.Join(", ", members.Select(m => $"\"{m.Key}\": {JsonSerializer.Serialize(m.Value)}"));

    private static async Task<OwnRedisServer> StartTlsServerAsync(string certificate, bool requireClientCertificates, RedisTlsFixture tls, List<int> tlsPort)
    {
        int port = OwnRedisServer.FreePort();
        tlsPort.Add(port);
        return await OwnRedisServer.StartAsync(arguments:
        [
            "--tls-port", port.ToString(CultureInfo.InvariantCulture),
            "--tls-cert-file", tls.File(certificate + ".crt"), "--tls-key-file", tls.File(certificate + ".key"),
            "--tls-ca-cert-file", tls.File("ca.crt"), "--tls-auth-clients", requireClientCertificates ? "yes" : "no",
        ]);
    }

    private static async Task RoundTripAsync(IHost host)
    {
        await host.StartAsync();
        var rooms = host.Services.GetRequiredService<IRoomRepository>();
        Assert.False(await rooms.ExistsAsync(RedisFixture.NewId("room")));
        await host.StopAsync();
    }

    [Fact]
    public async Task The_configured_CA_is_trusted_and_the_host_name_checked()
    {
        using var host = NewHost(tls.Address, Members(("CaCertificatePath", tls.File("ca.crt"))));
        await RoundTripAsync(host);
    }

    [Fact]
    public async Task A_wrong_CA_fails_start_naming_CaCertificatePath()
    {
        using var host = NewHost(tls.Address, Members(("CaCertificatePath", tls.File("other-ca.crt"))));

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

        Assert.Contains("TLS handshake", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is not issued by a CA of ZnDrawStorage:Tls:CaCertificatePath", ex.Message, StringComparison.Ordinal);
        Assert.Contains(tls.Address, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_CA_the_machine_roots_refuse_the_test_CA_naming_CaCertificatePath()
    {
        using var host = NewHost(tls.Address, "\"HostName\": \"localhost\"");

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

        Assert.Contains("is not trusted by this machine", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ZnDrawStorage:Tls:CaCertificatePath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_server_certificate_fails_start_saying_so()
    {
        var ports = new List<int>();
        await using var server = await StartTlsServerAsync("expired", requireClientCertificates: false, tls, ports);
        using var host = NewHost($"127.0.0.1:{ports[0]}", Members(("CaCertificatePath", tls.File("ca.crt"))));

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

        Assert.Contains("has expired or is not yet valid", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ZnDrawStorage:Tls:CaCertificatePath", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_certificate_for_another_host_fails_start_naming_HostName_and_HostName_accepts_it()
    {
        var ports = new List<int>();
        await using var server = await StartTlsServerAsync("wronghost", requireClientCertificates: false, tls, ports);
        string endpoint = $"127.0.0.1:{ports[0]}";
        using (var host = NewHost(endpoint, Members(("CaCertificatePath", tls.File("ca.crt")))))
        {
            var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

            Assert.Contains("is not issued for the host name", ex.Message, StringComparison.Ordinal);
            Assert.Contains("ZnDrawStorage:Tls:HostName", ex.Message, StringComparison.Ordinal);
        }

        using var named = NewHost(endpoint, Members(("CaCertificatePath", tls.File("ca.crt")), ("HostName", "wrong-host.invalid")));
        await RoundTripAsync(named);
    }

    [Fact]
    public async Task Mutual_TLS_works_with_PEM_and_PKCS12_client_certificates_and_fails_without()
    {
        var ports = new List<int>();
        await using var server = await StartTlsServerAsync("server", requireClientCertificates: true, tls, ports);
        string endpoint = $"127.0.0.1:{ports[0]}";
        string password = await File.ReadAllTextAsync(tls.File("client.pfx.password"));

        using (var pem = NewHost(endpoint, Members(("CaCertificatePath", tls.File("ca.crt")), ("ClientCertificatePath", tls.File("client.crt")), ("ClientKeyPath", tls.File("client.key")))))
        {
            await RoundTripAsync(pem);
        }

        using (var pfx = NewHost(endpoint, Members(("CaCertificatePath", tls.File("ca.crt")), ("ClientCertificatePath", tls.File("client.pfx")), ("ClientCertificatePassword", password))))
        {
            await RoundTripAsync(pfx);
        }

        using var none = NewHost(endpoint, Members(("CaCertificatePath", tls.File("ca.crt"))));
        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => none.StartAsync());
        Assert.Contains(endpoint, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unreadable_files_and_a_wrong_password_fail_validation_naming_the_setting_never_the_password()
    {
        const string WrongPassword = "wrong-pfx-password-5d2a";
        using (var missing = NewHost(tls.Address, "\"CaCertificatePath\": \"no-such-ca.crt\""))
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => missing.StartAsync());
            Assert.Contains("ZnDrawStorage:Tls:CaCertificatePath: cannot read", ex.Message, StringComparison.Ordinal);
        }

        using (var wrong = NewHost(tls.Address, Members(("CaCertificatePath", tls.File("ca.crt")), ("ClientCertificatePath", tls.File("client.pfx")), ("ClientCertificatePassword", WrongPassword))))
        {
            var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => wrong.StartAsync());
            Assert.Contains("ZnDrawStorage:Tls:ClientCertificatePath", ex.Message, StringComparison.Ordinal);
            Assert.Contains("ZnDrawStorage:Tls:ClientCertificatePassword", ex.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(WrongPassword, ex.ToString(), StringComparison.Ordinal);
        }

        using var disabled = NewBuilder($$"""
            { "ZnDrawStorage": { "ConnectionString": "{{tls.Address}}", "Tls": { "HostName": "localhost" } } }
            """).Build();
        var off = await Assert.ThrowsAsync<OptionsValidationException>(() => disabled.StartAsync());
        Assert.Contains("ZnDrawStorage:Tls:Enabled: is false while other Tls settings are set", off.Message, StringComparison.Ordinal);
    }
}
