using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.DependencyInjection;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>
/// A run with secrets configured (the Redis password in the connection string, the password of a PKCS#12 client
/// certificate for mutual TLS) against a private TLS Redis with <c>requirepass</c>: every log line (Trace), every
/// activity of the library's sources, every health report, the options' <c>ToString()</c> and the exceptions of the
/// failure cases (wrong Redis password, wrong certificate password, server down) are captured and searched for the
/// secrets.
/// </summary>
[Collection(RedisTlsListeningCollection.Name)]
public sealed class SecretsTests(RedisTlsFixture tls)
{
    [Fact]
    public async Task No_log_line_activity_health_report_ToString_or_exception_carries_a_secret()
    {
        string redisPassword = "redis-secret-" + Guid.NewGuid().ToString("N");
        string pfxPassword = await File.ReadAllTextAsync(tls.File("client.pfx.password"));
        string[] secrets = [redisPassword, pfxPassword];
        var seen = new List<string>();
        using var logs = new FakeLoggerProvider();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("ZnDraw", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (seen)
                {
                    seen.Add(Describe(activity));
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        int tlsPort = OwnRedisServer.FreePort();
        await using var server = await OwnRedisServer.StartAsync(password: redisPassword, arguments:
        [
            "--tls-port", tlsPort.ToString(CultureInfo.InvariantCulture),
            "--tls-cert-file", tls.File("server.crt"), "--tls-key-file", tls.File("server.key"),
            "--tls-ca-cert-file", tls.File("ca.crt"), "--tls-auth-clients", "yes",
        ]);
        string endpoint = $"127.0.0.1:{tlsPort}";

        IHost NewHost(string password, string certificatePassword) =>
            Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true })
                .Also(b =>
                {
                    b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                    {
                        ["ConnectionStrings:redis"] = $"{endpoint},password={password},connectTimeout=2000,syncTimeout=1000,asyncTimeout=1000",
                        ["ZnDrawStorage:KeyPrefix"] = RedisFixture.NewId("secrets") + ":",
                        ["ZnDrawStorage:IndexReconciliation:Interval"] = "00:00:01",
                        ["ZnDrawStorage:IndexReconciliation:UseKeyspaceNotifications"] = "false",
                        ["ZnDrawStorage:Tls:Enabled"] = "true",
                        ["ZnDrawStorage:Tls:CaCertificatePath"] = tls.File("ca.crt"),
                        ["ZnDrawStorage:Tls:ClientCertificatePath"] = tls.File("client.pfx"),
                        ["ZnDrawStorage:Tls:ClientCertificatePassword"] = certificatePassword,
                    });
                    b.Logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs);
                    b.AddZnDrawStorage("redis").AddRedisHealthCheck(timeout: TimeSpan.FromSeconds(1));
                })
                .Build();

        using (var host = NewHost(redisPassword, pfxPassword))
        {
            await host.StartAsync();
            var options = host.Services.GetRequiredService<IOptions<ZnDrawStorageOptions>>().Value;
            seen.Add(options.ToString());
            seen.Add(options.Tls.ToString());
            Assert.Contains(endpoint, options.ToString(), StringComparison.Ordinal); // ToString says something useful
            Assert.Contains("ClientCertificatePassword=(set)", options.Tls.ToString(), StringComparison.Ordinal);

            var rooms = host.Services.GetRequiredService<IRoomRepository>();
            string room = RedisFixture.NewId("room");
            Assert.True(await rooms.CreateAsync(room, "secrets"));
            Assert.NotNull(await rooms.GetWithFrameCountAsync(room));
            var health = host.Services.GetRequiredService<HealthCheckService>();
            seen.Add(Describe(await health.CheckHealthAsync()));

            await server.KillAsync(); // the server goes away: health report and call failures
            seen.Add(Describe(await health.CheckHealthAsync()));
            var down = await Assert.ThrowsAnyAsync<Exception>(async () => await rooms.CreateAsync(RedisFixture.NewId("room")));
            seen.Add(down.ToString());
            await host.StopAsync();
        }

        await server.RestartAsync();
        using (var wrongPassword = NewHost("not-the-" + redisPassword[..8], pfxPassword))
        {
            seen.Add((await Assert.ThrowsAnyAsync<Exception>(() => wrongPassword.StartAsync())).ToString());
        }

        using (var wrongCertificatePassword = NewHost(redisPassword, "wrong"))
        {
            seen.Add((await Assert.ThrowsAsync<OptionsValidationException>(() => wrongCertificatePassword.StartAsync())).ToString());
        }

        foreach (var record in logs.Collector.GetSnapshot())
        {
            seen.Add($"{record.Level} {record.Category} {record.Message} {record.Exception} "
                + string.Join(";", record.StructuredState?.Select(p => $"{p.Key}={p.Value}") ?? []));
        }

        Assert.True(seen.Count > 10, $"only {seen.Count} captured texts");
        Assert.Contains(seen, text => text.Contains("Unhealthy", StringComparison.Ordinal));
        foreach (string text in seen)
        {
            foreach (string secret in secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"a secret in: {text}");
            }
        }
    }

    private static string Describe(Activity activity)
    {
        var text = new StringBuilder().Append(activity.Source.Name).Append(' ').Append(activity.DisplayName).Append(' ').Append(activity.StatusDescription);
        foreach (var tag in activity.TagObjects)
        {
            text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
        }

        foreach (var activityEvent in activity.Events)
        {
            text.Append(' ').Append(activityEvent.Name);
            foreach (var tag in activityEvent.Tags)
            {
                text.Append(' ').Append(tag.Key).Append('=').Append(tag.Value);
            }
        }

        return text.ToString();
    }

    private static string Describe(HealthReport report)
    {
        var text = new StringBuilder().Append(report.Status);
        foreach (var (name, entry) in report.Entries)
        {
            text.Append(' ').Append(name).Append(' ').Append(entry.Status).Append(' ').Append(entry.Description).Append(' ').Append(entry.Exception);
            foreach (var (key, value) in entry.Data)
            {
                text.Append(' ').Append(key).Append('=').Append(value);
            }
        }

        return text.ToString();
    }
}
