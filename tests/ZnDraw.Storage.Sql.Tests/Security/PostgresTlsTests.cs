using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Sql.Tests.Infrastructure;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Sql.Tests.Security;

/// <summary>
/// PostgreSQL over TLS with full verification (<c>SSL Mode=VerifyFull;Root Certificate=...</c>, Npgsql's own
/// connection-string settings; nothing else is needed) against the TLS PostgreSQL of <c>scripts/services.sh</c>
/// (<c>svc_start_postgres_tls</c>, the throwaway CA of <c>ZNDRAW_TLS_DIR</c>): a host that configures it migrates and
/// runs over TLS; a wrong CA fails start naming the settings; no error carries the database password.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresTlsTests(RedisFixture redis)
{
    private const string Variable = "ZNDRAW_POSTGRES_TLS";

    private static (string ConnectionString, string Password, string Ca, string OtherCa) Settings()
    {
        string connectionString = Environment.GetEnvironmentVariable(Variable) ?? string.Empty;
        string directory = Environment.GetEnvironmentVariable(RedisTlsFixture.DirectoryVariable) ?? string.Empty;
        if (connectionString.Length == 0 || directory.Length == 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL TLS tests need {Variable} and {RedisTlsFixture.DirectoryVariable}; run ./scripts/test.sh (svc_start_postgres_tls in scripts/services.sh).");
        }

        string password = new NpgsqlConnectionStringBuilder(connectionString).Password!;
        return (connectionString, password, Path.Combine(directory, "ca.crt"), Path.Combine(directory, "other-ca.crt"));
    }

    private IHost NewHost(string connectionString, CapturingLoggerProvider? logs = null) => TestHost.Build(b =>
    {
        if (logs is not null)
        {
            b.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace));
            b.Services.AddSingleton<ILoggerProvider>(logs);
        }

        b.Services.AddSingleton<StackExchange.Redis.IConnectionMultiplexer>(redis.Connection);
        b.Services.AddZnDrawStorage(o =>
            {
                o.KeyPrefix = RedisFixture.NewId("pgtls") + ":";
                o.IndexReconciliation.Enabled = false;
            })
            .AddSqlStorage(sql => sql.UseNpgsql(connectionString), o =>
            {
                o.MigrateOnStart = true;
                o.ReconcileOnStart = false;
            });
    });

    [Fact]
    public async Task VerifyFull_with_the_test_CA_migrates_and_runs_over_TLS()
    {
        var (connectionString, _, ca, _) = Settings();
        string verified = $"{connectionString};SSL Mode=VerifyFull;Root Certificate={ca}";
        using var host = NewHost(verified);

        await host.StartAsync();
        var users = host.Services.GetRequiredService<IUserRepository>();
        string user = RedisFixture.NewId("user");
        Assert.False(await users.ExistsAsync(user));

        await using var connection = new NpgsqlConnection(verified);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", connection);
        Assert.True((bool)(await command.ExecuteScalarAsync())!);
        await host.StopAsync();
    }

    [Fact]
    public async Task A_wrong_CA_fails_start_naming_the_settings_and_never_the_password()
    {
        var (connectionString, password, _, otherCa) = Settings();
        using var host = NewHost($"{connectionString};SSL Mode=VerifyFull;Root Certificate={otherCa}");

        var ex = await Assert.ThrowsAsync<StorageUnavailableException>(() => host.StartAsync());

        Assert.Contains("Root Certificate", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SSL Mode", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_fails_start_without_showing_either_password()
    {
        var (connectionString, password, ca, _) = Settings();
        string wrong = "wrong-" + Guid.NewGuid().ToString("N");
        var builder = new NpgsqlConnectionStringBuilder(connectionString) { Password = wrong, SslMode = SslMode.VerifyFull, RootCertificate = ca };
        using var host = NewHost(builder.ConnectionString);

        var ex = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        Assert.DoesNotContain(password, ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_log_line_activity_or_exception_of_a_TLS_run_carries_the_database_password()
    {
        var (connectionString, password, ca, otherCa) = Settings();
        var seen = new ConcurrentQueue<string>();
        using var logs = new CapturingLoggerProvider(seen);
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("ZnDraw", StringComparison.Ordinal) || source.Name.StartsWith("Npgsql", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => seen.Enqueue($"{a.Source.Name} {a.DisplayName} {a.StatusDescription} " + string.Join(" ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))),
        };
        ActivitySource.AddActivityListener(listener);

        using (var host = NewHost($"{connectionString};SSL Mode=VerifyFull;Root Certificate={ca}", logs))
        {
            await host.StartAsync();
            var users = host.Services.GetRequiredService<IUserRepository>();
            Assert.False(await users.ExistsAsync(RedisFixture.NewId("user")));
            await host.StopAsync();
        }

        using (var wrongCa = NewHost($"{connectionString};SSL Mode=VerifyFull;Root Certificate={otherCa}", logs))
        {
            seen.Enqueue((await Assert.ThrowsAsync<StorageUnavailableException>(() => wrongCa.StartAsync())).ToString());
        }

        Assert.True(seen.Count > 5, $"only {seen.Count} captured texts");
        Assert.Contains(seen, text => text.StartsWith("Npgsql", StringComparison.Ordinal) || text.Contains("Npgsql", StringComparison.Ordinal));
        foreach (string text in seen)
        {
            Assert.False(text.Contains(password, StringComparison.Ordinal), $"the password in: {text}");
        }
    }
}

/// <summary>Every log line at every level, with its exception, into one queue.</summary>
internal sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category} {formatter(state, exception)} {state} {exception}");
    }
}
