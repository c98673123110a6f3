using System.Data.Common;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>
/// The one error handler: every exception a command throws becomes one line on standard error (<c>error: ...</c>, red on
/// a terminal) and an exit code (<see cref="ExitCodes"/>); the stack trace follows only with --verbose.
/// </summary>
internal static class ToolErrors
{
    public static int Report(Exception exception, TextWriter error, bool verbose, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(error);
        var (code, message) = Classify(exception, cancellationToken);
        WriteLine(error, message);
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        return code;
    }

    /// <summary>Writes <c>error: message</c> on one line (line breaks in the message become spaces).</summary>
    public static void WriteLine(TextWriter error, string message)
    {
        ArgumentNullException.ThrowIfNull(error);
        var oneLine = string.Join(' ', (message ?? string.Empty).Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        bool color = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NO_COLOR"));
        error.WriteLine(color ? $"\u001b[31merror:\u001b[0m {oneLine}" : $"error: {oneLine}");
    }

    internal static (int Code, string Message) Classify(Exception exception, CancellationToken cancellationToken)
    {
        var (code, message) = ClassifyOne(exception, cancellationToken);
        // A wrapper (EF Core's execution strategy, an aggregate) around a known error: report the known one.
        for (var inner = exception.InnerException; code == ExitCodes.Failure && inner is not null; inner = inner.InnerException)
        {
            var (innerCode, innerMessage) = ClassifyOne(inner, cancellationToken);
            if (innerCode != ExitCodes.Failure)
            {
                (code, message) = (innerCode, innerMessage);
            }
        }

        return (code, message);
    }

    /// <summary>A missing table (SQLite "no such table", PostgreSQL 42P01) means a database the history was never migrated into.</summary>
    private static string MigrationHint(DbException exception) =>
        exception.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) || exception.SqlState == "42P01"
            ? " (no history tables: is this the history database, and was it migrated? See MigrateHistoryDatabaseAsync or SqlHistoryOptions.MigrateOnStart.)"
            : string.Empty;

    private static (int Code, string Message) ClassifyOne(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        ToolException tool => (tool.ExitCode, tool.Message),
        OperationCanceledException when cancellationToken.IsCancellationRequested => (ExitCodes.Cancelled, "cancelled."),
        OptionsValidationException options => (ExitCodes.Usage, "invalid setting: " + string.Join("; ", options.Failures)),
        StorageUnavailableException unavailable => (ExitCodes.Unavailable, unavailable.Message),
        StorageDataException data => (ExitCodes.DataError, data.Message),
        RedisConnectionException redis => (ExitCodes.Unavailable, $"Redis unreachable ({redis.FailureType}): {redis.Message}"),
        RedisTimeoutException timeout => (ExitCodes.Unavailable, $"Redis timed out: {timeout.Message}"),
        DbException db => (ExitCodes.Unavailable, $"SQL database: {db.Message}{MigrationHint(db)}"),
        // Bad ids and values: the library's own message names the parameter and the rule.
        ArgumentException argument => (ExitCodes.Usage, argument.Message),
        InvalidDataException invalid => (ExitCodes.Usage, invalid.Message),
        _ => (ExitCodes.Failure, $"unexpected {exception.GetType().Name}: {exception.Message} (--verbose prints the stack trace)"),
    };
}
