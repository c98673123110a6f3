using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis;

/// <summary>
/// Redis stops under load: every failed repository or service call throws <see cref="StorageUnavailableException"/>
/// (or <see cref="OperationCanceledException"/> when its own token was cancelled), never a StackExchange.Redis type;
/// no call hangs; the messages carry no password; and once the server is back on the same port the same store works
/// again. Each test starts and stops its own throwaway redis-server (never one it did not start).
/// </summary>
public sealed class ServerLossTests
{
    private const string Password = "pw-ServerLossTests-7f3a";
    private static readonly TimeSpan CallBound = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Calls_fail_as_unavailable_while_Redis_is_down_and_work_again_after_it_restarts()
    {
        await using var server = await OwnRedisServer.StartAsync(password: Password);
        await using ServiceProvider store = BuildStore(server.Port);
        var workload = new Workload(store);
        await workload.SetUpAsync();

        // Healthy: everything succeeds, except calls whose own token cancelled them.
        Outcome healthy = await workload.RunAsync(TimeSpan.FromSeconds(1), callers: 12);
        Assert.True(healthy.Succeeded > 0);
        healthy.AssertOnlyCancelledByTheirToken();

        // Redis dies mid-run: the callers keep going while it is down.
        Task<Outcome> during = workload.RunAsync(TimeSpan.FromSeconds(3.5), callers: 12);
        await Task.Delay(500);
        await server.KillAsync();
        Outcome down = await during;

        Assert.Empty(down.Hung);
        Assert.NotEmpty(down.Failures);
        foreach ((string call, Exception ex, bool tokenCancelled) in down.Failures)
        {
            bool expected = ex is StorageUnavailableException || (ex is OperationCanceledException && tokenCancelled);
            Assert.True(expected, $"{call} threw {ex.GetType().FullName}: {ex.Message}");
            Assert.DoesNotContain(Password, ex.ToString(), StringComparison.Ordinal);
        }

        StorageUnavailableException sample = down.Failures.Select(f => f.Error).OfType<StorageUnavailableException>().First();
        Assert.NotNull(sample.InnerException);
        Assert.False(string.IsNullOrEmpty(sample.Operation));

        // Back on the same port (empty: no persistence): the same store reconnects by itself.
        await server.RestartAsync();
        await workload.WaitUntilWorkingAsync(TimeSpan.FromSeconds(10));
        await workload.SetUpAsync();
        Outcome recovered = await workload.RunAsync(TimeSpan.FromSeconds(1), callers: 12);
        Assert.True(recovered.Succeeded > 0);
        recovered.AssertOnlyCancelledByTheirToken();
    }

    [Fact]
    public async Task A_store_that_cannot_connect_fails_as_unavailable_without_the_password()
    {
        int port = OwnRedisServer.FreePort(); // nothing listens there
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddZnDrawStorage(o =>
        {
            o.RedisConfiguration = Configuration(port, abortOnConnectFail: true);
            o.IndexReconciliation.Enabled = false;
        });
        await using ServiceProvider store = services.BuildServiceProvider();

        var ex = Assert.Throws<StorageUnavailableException>(() => store.GetRequiredService<IRoomRepository>());
        Assert.IsType<RedisConnectionException>(ex.InnerException);
        Assert.DoesNotContain(Password, ex.ToString(), StringComparison.Ordinal);
    }

    private static ServiceProvider BuildStore(int port)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddZnDrawStorage(o =>
        {
            o.RedisConfiguration = Configuration(port, abortOnConnectFail: false);
            o.KeyPrefix = string.Create(CultureInfo.InvariantCulture, $"loss{Guid.NewGuid():N}:");
            o.IndexReconciliation.Enabled = false;
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    private static ConfigurationOptions Configuration(int port, bool abortOnConnectFail) => new()
    {
        EndPoints = { { IPAddress.Loopback, port } },
        Password = Password,
        ConnectTimeout = 500,
        SyncTimeout = 2000, // a loaded CI machine can take longer than 500 ms for a healthy call
        AsyncTimeout = 2000,
        ConnectRetry = 1,
        AbortOnConnectFail = abortOnConnectFail,
        ReconnectRetryPolicy = new LinearRetry(100),
    };

    private sealed record Outcome(int Succeeded, IReadOnlyList<(string Call, Exception Error, bool TokenCancelled)> Failures, IReadOnlyList<string> Hung)
    {
        public void AssertOnlyCancelledByTheirToken()
        {
            Assert.Empty(Hung);
            foreach ((string call, Exception ex, bool tokenCancelled) in Failures)
            {
                Assert.True(ex is OperationCanceledException && tokenCancelled, $"{call} threw {ex.GetType().FullName}: {ex.Message}");
            }
        }
    }

    /// <summary>Mixed repository and service calls over one store, by many callers at once.</summary>
    private sealed class Workload(IServiceProvider store)
    {
        private const string Room = "loss-room";
        private const string Holder = "holder";
        private readonly IRoomRepository _rooms = store.GetRequiredService<IRoomRepository>();
        private readonly IChatRepository _chat = store.GetRequiredService<IChatRepository>();
        private readonly IFrameRepository _frames = store.GetRequiredService<IFrameRepository>();
        private readonly ISessionRepository _sessions = store.GetRequiredService<ISessionRepository>();
        private readonly RoomService _roomService = store.GetRequiredService<RoomService>();
        private readonly UserService _users = store.GetRequiredService<UserService>();
        private readonly LockService _locks = store.GetRequiredService<LockService>();
        private int _sequence;

        private (string Name, Func<CancellationToken, Task> Call)[] Calls =>
        [
            ("IRoomRepository.ExistsAsync", async ct => await _rooms.ExistsAsync(Room, ct)),
            ("IRoomRepository.GetWithFrameCountAsync", async ct => await _rooms.GetWithFrameCountAsync(Room, ct)),
            ("IRoomRepository.SetCurrentFrameAsync", async ct => await _rooms.SetCurrentFrameAsync(Room, 0, ct)),
            ("IChatRepository.PostAsync", async ct => await _chat.PostAsync(Room, "alice", "hello", ct)),
            ("IChatRepository.CountAsync", async ct => await _chat.CountAsync(Room, ct)),
            ("IFrameRepository.CountAsync", async ct => await _frames.CountAsync(Room, ct)),
            ("ISessionRepository.ExistsAsync", async ct => await _sessions.ExistsAsync("sid-" + Next(), ct)),
            ("RoomService.GetAsync", async ct => await _roomService.GetAsync(Room, ct)),
            ("RoomService.CreateAsync", async ct => await _roomService.CreateAsync("loss-" + Next(), cancellationToken: ct)),
            ("UserService.CreateGuestAsync", async ct => await _users.CreateGuestAsync(ct)),
            ("LockService.GetAsync", async ct => await _locks.GetAsync(Room, "trajectory:meta", ct)),
            ("LockService.AcquireAsync", async ct => await _locks.AcquireAsync(Room, "trajectory:meta", Holder + Next(), cancellationToken: ct)),
        ];

        public async Task SetUpAsync()
        {
            if (!await _rooms.ExistsAsync(Room))
            {
                await _roomService.CreateAsync(Room);
            }
        }

        public async Task WaitUntilWorkingAsync(TimeSpan bound)
        {
            var clock = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    await _rooms.ExistsAsync(Room);
                    return;
                }
                catch (StorageUnavailableException) when (clock.Elapsed < bound)
                {
                    await Task.Delay(100);
                }
            }
        }

        public async Task<Outcome> RunAsync(TimeSpan duration, int callers)
        {
            var calls = Calls;
            int succeeded = 0;
            var failures = new ConcurrentQueue<(string, Exception, bool)>();
            var hung = new ConcurrentQueue<string>();
            var clock = Stopwatch.StartNew();

            async Task Caller(int caller)
            {
                for (int i = caller; clock.Elapsed < duration; i++)
                {
                    (string name, Func<CancellationToken, Task> call) = calls[i % calls.Length];

                    // Every third call carries a token that cancels after a short while.
                    using var cts = i % 3 == 0 ? new CancellationTokenSource(TimeSpan.FromMilliseconds(50 + (i % 7 * 100))) : null;
                    Task running = call(cts?.Token ?? CancellationToken.None);
                    if (await Task.WhenAny(running, Task.Delay(CallBound)) != running)
                    {
                        hung.Enqueue(name);
                        continue;
                    }

                    try
                    {
                        await running;
                        Interlocked.Increment(ref succeeded);
                    }
#pragma warning disable CA1031 // The test records every failure and asserts on its type.
                    catch (Exception ex)
#pragma warning restore CA1031
                    {
                        failures.Enqueue((name, ex, cts?.IsCancellationRequested == true));
                    }
                }
            }

            await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() => Caller(c))));
            return new Outcome(succeeded, [.. failures], [.. hung]);
        }

        private string Next() => Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
    }
}
