using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.History;
using ZnDraw.Storage.Redis.History;
using ZnDraw.Storage.Sql.Tests.Infrastructure;

namespace ZnDraw.Storage.Sql.Tests;

[Collection(RedisCollection.Name)]
public sealed class HistoryRecorderTests(RedisFixture redis)
{
    private static HistoryEvent NewEvent(HistoryRecorder recorder) =>
        new RoomHistoryEvent(recorder.NewEventId(), recorder.Now, "r1", RoomEventTypes.Created, "alice", null);

    [Fact]
    public void CoreAssembly_DoesNotReferenceEntityFramework()
    {
        var references = typeof(HistoryEvent).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? string.Empty);

        Assert.DoesNotContain(references, n => n.Contains("EntityFramework", StringComparison.OrdinalIgnoreCase) || n.Contains("Npgsql", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithoutSink_HistoryIsOff_AndTheHostRunsWithoutRedisOrSql()
    {
        // Durable asked for, but no sink: the recorder is off and the dispatcher never resolves Redis
        // (no IConnectionMultiplexer is even registered here).
        using var host = TestHost.Build(b => b.AddHistory(o => o.Mode = HistoryMode.Durable));
        await host.StartAsync();

        var recorder = host.Services.GetRequiredService<HistoryRecorder>();
        Assert.Equal(HistoryMode.Off, recorder.Mode);
        Assert.False(recorder.IsEnabled);
        Assert.Null(recorder.Outbox);
        Assert.Null(host.Services.GetService<IHistorySink>());
        Assert.Null(host.Services.GetService<IHistoryQuery>());

        await host.StopAsync();
    }

    [Fact]
    public async Task Off_OpensNoScopeAndRecordsNothing()
    {
        var recorder = HistoryRecorder.Disabled;
        var e = NewEvent(recorder);

        Assert.Null(recorder.BeginOutbox(e));
        await recorder.RecordAsync(null, e, CancellationToken.None);

        Assert.Equal(0, await redis.Database.StreamLengthAsync(HistoryOptions.DefaultStreamKey));
    }

    [Fact]
    public async Task Direct_HandsTheEventToTheSinkAfterTheCall()
    {
        var sink = new ProbeSink();
        var recorder = new HistoryRecorder(Options.Create(new HistoryOptions { Mode = HistoryMode.Direct }), sink: sink);
        var e = NewEvent(recorder);

        Assert.Null(recorder.BeginOutbox(e)); // direct mode never enlists in a backend step
        await recorder.RecordAsync(null, e, CancellationToken.None);

        Assert.Equal([e], sink.Received);
    }

    [Fact]
    public async Task Direct_SinkFailure_IsLoggedAndCounted_AndNeverThrows()
    {
        var failures = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "ZnDraw.Storage" && instrument.Name == "zndraw.storage.history.sink_failures")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref failures, value));
        listener.Start();
        var sink = new ProbeSink { FailWith = new InvalidOperationException("database down") };
        var recorder = new HistoryRecorder(Options.Create(new HistoryOptions { Mode = HistoryMode.Direct }), sink: sink);

        await recorder.RecordAsync(null, NewEvent(recorder), CancellationToken.None);

        Assert.Equal(1, sink.Failures);
        Assert.True(Interlocked.Read(ref failures) >= 1);
    }

    [Fact]
    public async Task Durable_LeavesAnEnlistedEventToTheBackendStep_AndAppendsAnEventNoStepTook()
    {
        var stream = RedisFixture.NewId("stream");
        var outbox = new RedisHistoryOutbox(redis.Database, new HistoryOutbox(stream), KeyLayout.ZnDraw);
        var recorder = new HistoryRecorder(Options.Create(new HistoryOptions { Mode = HistoryMode.Durable, StreamKey = stream }), sink: new ProbeSink(), outbox: outbox);
        var inStep = NewEvent(recorder);
        var afterCall = NewEvent(recorder);

        using (var scope = recorder.BeginOutbox(inStep))
        {
            Assert.NotNull(scope);
            Assert.True(scope.TryTake()); // what a backend step does: take the event and write it with the state change
            var tx = redis.Database.CreateTransaction();
            _ = tx.StringSetAsync(RedisFixture.NewId("state"), "x");
            outbox.Stream.Enlist(tx, inStep);
            Assert.True(await tx.ExecuteAsync());
            await recorder.RecordAsync(scope, inStep, CancellationToken.None);
        }

        using (var untaken = recorder.BeginOutbox(afterCall))
        {
            await recorder.RecordAsync(untaken, afterCall, CancellationToken.None);
        }

        var entries = await redis.Database.StreamRangeAsync(stream);
        Assert.Equal([inStep.EventId, afterCall.EventId], entries.Select(x => (string?)x[HistoryOutbox.IdField]));
        await redis.Database.KeyDeleteAsync(stream);
    }

    [Fact]
    public async Task InvalidOptions_FailAtStart()
    {
        using var host = TestHost.Build(b => b.AddHistory(o =>
        {
            o.BatchSize = 0;
            o.StreamKey = " ";
        }));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.Contains(nameof(HistoryOptions.BatchSize), StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains(nameof(HistoryOptions.StreamKey), StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("5-3", "5-4")]
    [InlineData("1700000000000-0", "1700000000000-1")]
    [InlineData("7-18446744073709551615", "8-0")]
    public void NextStreamId_IsTheSmallestIdAfter(string id, string next)
    {
        Assert.True(HistoryDispatcher.TryNext(id, out var actual));
        Assert.Equal(next, actual);
    }

    [Theory]
    [InlineData("0-0")]
    [InlineData("x")]
    [InlineData("")]
    public void NextStreamId_RejectsNonIds(string id) => Assert.False(HistoryDispatcher.TryNext(id, out _));
}
