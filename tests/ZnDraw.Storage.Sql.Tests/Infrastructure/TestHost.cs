using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.History;

namespace ZnDraw.Storage.Sql.Tests.Infrastructure;

/// <summary>The smallest <see cref="IZnDrawStorageBuilder"/>, standing in for <c>AddZnDrawStorage</c>.</summary>
internal sealed class TestStorageBuilder(IServiceCollection services) : IZnDrawStorageBuilder
{
    public IServiceCollection Services { get; } = services;
}

/// <summary>Builds a bare host (no configuration files, no console logging) from a storage registration.</summary>
internal static class TestHost
{
    public static IHost Build(Action<IZnDrawStorageBuilder> configure)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        configure(new TestStorageBuilder(builder.Services));
        return builder.Build();
    }
}

/// <summary>A sink that records what it was given and can fail or hang on demand.</summary>
internal sealed class ProbeSink(IHistorySink? inner = null) : IHistorySink
{
    private readonly Lock _gate = new();
    private readonly List<HistoryEvent> _received = [];
    private int _calls;

    /// <summary>When set, every write throws this.</summary>
    public Exception? FailWith { get; set; }

    /// <summary>When set to n, the n-th call stores its batch through the inner sink and then hangs until cancelled.</summary>
    public int HangAfterStoringCall { get; set; }

    public TaskCompletionSource Hanging { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Failures { get; private set; }

    public IReadOnlyList<HistoryEvent> Received
    {
        get
        {
            lock (_gate)
            {
                return [.. _received];
            }
        }
    }

    public async ValueTask WriteAsync(IReadOnlyList<HistoryEvent> events, CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        if (FailWith is { } failure)
        {
            Failures++;
            throw failure;
        }

        if (inner is not null)
        {
            try
            {
                await inner.WriteAsync(events, cancellationToken);
            }
            catch
            {
                Failures++;
                throw;
            }
        }

        lock (_gate)
        {
            _received.AddRange(events);
        }

        if (call == HangAfterStoringCall)
        {
            Hanging.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
    }
}

/// <summary>Polls a condition with a deadline (no fixed sleeps).</summary>
internal static class Eventually
{
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout} waiting for {what}; last value: {last}.");
            }

            await Task.Delay(50);
        }
    }
}
