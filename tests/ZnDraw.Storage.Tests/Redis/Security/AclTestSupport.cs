using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.Tests.Redis.Security;

/// <summary>A Redis ACL user created by the test with exactly one rule (on every node of a cluster), deleted at the end.</summary>
internal sealed class AclUser : IAsyncDisposable
{
    private readonly IServer[] _servers;

    private AclUser(IServer[] servers, string name, string password)
    {
        _servers = servers;
        Name = name;
        Password = password;
    }

    public string Name { get; }

    public string Password { get; }

    /// <summary>Creates a user allowed exactly <paramref name="rule"/> on every server of <paramref name="admin"/>.</summary>
    public static async Task<AclUser> CreateAsync(IConnectionMultiplexer admin, IEnumerable<string> rule)
    {
        var user = new AclUser(admin.GetServers(), "acl-" + Guid.NewGuid().ToString("N")[..12], Guid.NewGuid().ToString("N"));
        await user.SetAsync(rule);
        return user;
    }

    /// <summary>Replaces the user's rule by <paramref name="rule"/> (its password stays).</summary>
    public async Task SetAsync(IEnumerable<string> rule)
    {
        object[] args = ["SETUSER", Name, "reset", "on", ">" + Password, .. rule];
        foreach (IServer server in _servers)
        {
            await server.ExecuteAsync("ACL", args);
        }
    }

    /// <summary><paramref name="address"/> (one endpoint or several) with this user's credentials.</summary>
    public string ConnectionString(string address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address},user={Name},password={Password},connectTimeout=5000,asyncTimeout=5000");

    public async ValueTask DisposeAsync()
    {
        foreach (IServer server in _servers)
        {
            await server.ExecuteAsync("ACL", "DELUSER", Name);
        }
    }
}

/// <summary>A history sink that keeps what it receives.</summary>
internal sealed class CollectingSink : IHistorySink
{
    public ConcurrentQueue<HistoryEvent> Events { get; } = new();

    public ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        foreach (HistoryEvent e in events)
        {
            Events.Enqueue(e);
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>Builds hosts with <c>AddZnDrawStorage</c> as an ACL user, and the representative flows of each feature set.</summary>
internal static class AclFlows
{
    /// <summary>Builds and starts a host; <paramref name="history"/> turns durable history on with <see cref="CollectingSink"/>.</summary>
    public static async Task<IHost> StartAsync(string connectionString, Action<ZnDrawStorageOptions> configure, Action<HistoryOptions>? history = null, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        var storage = builder.Services.AddZnDrawStorage(o =>
        {
            o.ConnectionString = connectionString;
            o.Passwords.Hashing = PasswordHashing.Pbkdf2;
            configure(o);
        });
        if (history is not null)
        {
            builder.Services.AddSingleton<CollectingSink>();
            builder.Services.AddSingleton<IHistorySink>(sp => sp.GetRequiredService<CollectingSink>());
            storage.AddHistory(h =>
            {
                h.Mode = HistoryMode.Durable;
                h.PollInterval = TimeSpan.FromMilliseconds(50);
                history(h);
            });
        }

        IHost host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(stop.Token);
        host.Dispose();
    }

    /// <summary>
    /// Users, sessions, a room with frames and bookmarks and its copy, an extension with a job taken and finished by a
    /// worker, a lock: the quick start's calls, which reach every kind of repository command and script.
    /// </summary>
    public static async Task CoreFlowAsync(IServiceProvider services)
    {
        var users = services.GetRequiredService<UserService>();
        var sessions = services.GetRequiredService<SessionService>();
        var rooms = services.GetRequiredService<RoomService>();
        var extensions = services.GetRequiredService<ExtensionService>();
        var locks = services.GetRequiredService<LockService>();
        var frames = services.GetRequiredService<IFrameRepository>();
        var bookmarks = services.GetRequiredService<IBookmarkRepository>();
        var chat = services.GetRequiredService<IChatRepository>();
        string run = Guid.NewGuid().ToString("N")[..8];
        string roomId = "r-" + run;

        var guest = await users.CreateGuestAsync();
        var newcomer = await users.CreateGuestAsync();
        string alice = await users.RegisterAsync(newcomer.UserName, "alice-" + run, "correct horse battery staple");
        var login = await users.LoginAsync(alice, "correct horse battery staple");
        Assert.True(login.Succeeded);
        await users.SetAdminAsync(alice, true);
        string sid = Guid.NewGuid().ToString("N");
        await sessions.ConnectAsync(sid, alice, UserRole.Admin, "127.0.0.1");

        await rooms.JoinAsync(roomId, alice, description: "acl");
        await frames.AppendAsync(roomId, [.. Enumerable.Range(0, 3).Select(i => new FrameIndex(roomId, i))]);
        await bookmarks.SetAsync(roomId, 0, "start");
        await chat.PostAsync(roomId, alice, "hello");
        await rooms.CopyAsync(roomId, roomId + "-copy", "a copy", alice);
        Assert.Equal(3, await frames.CountAsync(roomId + "-copy"));

        var rotate = ExtensionId.InRoom(roomId, "modifiers", "Rotate");
        using var schema = JsonDocument.Parse("""{"type": "object"}""");
        await extensions.RegisterAsync(sid, rotate, schema.RootElement);
        using var data = JsonDocument.Parse("""{"angle": 90.0}""");
        var job = await extensions.SubmitJobAsync(roomId, rotate, guest.UserName, data.RootElement);
        var task = await extensions.GetNextJobAsync(rotate, sid);
        Assert.NotNull(task);
        using var result = JsonDocument.Parse("""{"ok": true}""");
        await extensions.CompleteJobAsync(roomId, job.Id, sid, result.RootElement);

        Assert.NotNull(await locks.AcquireAsync(roomId, "trajectory:meta", alice, TimeSpan.FromSeconds(30), "editing"));
        Assert.True(await locks.ReleaseAsync(roomId, "trajectory:meta", alice));
        Assert.Contains(roomId, await rooms.ListAsync());
        await sessions.DisconnectAsync(sid);
    }

    /// <summary>The rule <paramref name="rule"/> without the permission <paramref name="token"/> (e.g. <c>+sadd</c>).</summary>
    public static List<string> Without(IReadOnlyList<string> rule, string token)
    {
        Assert.Contains(token, rule);
        return [.. rule.Where(t => t != token)];
    }
}
