using StackExchange.Redis.Profiling;
using StackExchange.Redis;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// Counts the round trips an operation makes, using StackExchange.Redis profiling on the
/// fixture's connection. A round trip is a wave of commands sent before any reply of that wave
/// arrived: a single command, a pipelined batch, a MULTI/EXEC block or one EVALSHA each count as
/// one; "send, await, send again" counts as two.
/// </summary>
public static class RoundTrips
{
    private static readonly AsyncLocal<ProfilingSession?> Current = new();
    private static readonly Lock RegistrationLock = new();
    private static readonly HashSet<IConnectionMultiplexer> Registered = [];

    /// <summary>Runs <paramref name="operation"/> and returns its result with the commands it sent.</summary>
    public static async Task<(T Result, Measurement Measurement)> MeasureAsync<T>(IConnectionMultiplexer connection, Func<Task<T>> operation)
    {
        EnsureRegistered(connection);
        var session = new ProfilingSession();
        Current.Value = session;
        T result;
        try
        {
            result = await operation();
        }
        finally
        {
            Current.Value = null;
        }

        return (result, new Measurement([.. session.FinishProfiling()]));
    }

    /// <summary>Runs <paramref name="operation"/> and returns the commands it sent.</summary>
    public static async Task<Measurement> MeasureAsync(IConnectionMultiplexer connection, Func<Task> operation)
    {
        var (_, m) = await MeasureAsync(connection, async () =>
        {
            await operation();
            return 0;
        });
        return m;
    }

    private static void EnsureRegistered(IConnectionMultiplexer connection)
    {
        lock (RegistrationLock)
        {
            if (Registered.Add(connection))
            {
                connection.RegisterProfiler(() => Current.Value);
            }
        }
    }

    /// <summary>The commands one operation sent, grouped into round trips.</summary>
    public sealed class Measurement(IReadOnlyList<IProfiledCommand> commands)
    {
        public IReadOnlyList<IProfiledCommand> Commands { get; } = commands;

        public IReadOnlyList<string> CommandNames => [.. Commands.OrderBy(c => c.CommandCreated).Select(c => c.Command)];

        public int RoundTrips
        {
            get
            {
                var ordered = Commands.OrderBy(c => c.CommandCreated).ToList();
                if (ordered.Count == 0)
                {
                    return 0;
                }

                var waves = 1;
                var firstReply = ReplyTime(ordered[0]);
                foreach (var command in ordered.Skip(1))
                {
                    if (command.CommandCreated >= firstReply)
                    {
                        waves++;
                        firstReply = ReplyTime(command);
                    }
                    else if (ReplyTime(command) < firstReply)
                    {
                        firstReply = ReplyTime(command);
                    }
                }

                return waves;
            }
        }

        public override string ToString() => $"{RoundTrips} round trip(s): {string.Join(", ", CommandNames)}";

        private static DateTime ReplyTime(IProfiledCommand c) =>
            c.CommandCreated + c.CreationToEnqueued + c.EnqueuedToSending + c.SentToResponse;
    }
}
