using System.Reflection;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;

namespace ZnDraw.Storage.Redis.Serialization;

/// <summary>
/// The one place that turns a StackExchange.Redis failure into the library's backend-neutral exceptions, so that no
/// client exception type leaves a repository or service.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><description><c>WRONGTYPE</c> (the key holds another Redis type): <see cref="StorageDataException"/> naming the key(s).</description></item>
/// <item><description>Unavailable (<see cref="StorageUnavailableException"/>): every <see cref="RedisConnectionException"/>
/// (no connection, lost connection, failed authentication), every <see cref="RedisTimeoutException"/>, an
/// <see cref="InvalidOperationException"/> of the client's socket pipe (System.IO.Pipelines: a connection that died while
/// a command was written, which StackExchange.Redis 2.x does not wrap), and the server
/// errors that describe the server's state rather than the command: <c>LOADING</c>, <c>READONLY</c>, <c>MASTERDOWN</c>,
/// <c>TRYAGAIN</c>, <c>CLUSTERDOWN</c>, <c>BUSY</c>, <c>NOREPLICAS</c>, <c>MISCONF</c>, <c>OOM</c>, <c>MAXCLIENTS</c>,
/// and a <c>MOVED</c>/<c>ASK</c> redirect the client could not follow.</description></item>
/// <item><description>Everything else (a script error, <c>ERR unknown command</c>, <c>NOPERM</c>, <c>CROSSSLOT</c>,
/// <c>EXECABORT</c>, a <see cref="RedisCommandException"/> the client raised before sending): <see cref="StorageBackendException"/>;
/// a retry would fail the same way.</description></item>
/// </list>
/// The messages carry the operation, the key(s) and the error's kind only; the client's message (which describes the
/// connection) stays in <see cref="Exception.InnerException"/>. Call it from a <c>catch (RedisException ex)</c> in the
/// async method that awaits the client's task, filtered by <see cref="IsClientFailure"/>: a catch clause and its filter
/// cost nothing while nothing throws.
/// </remarks>
/// <example>
/// <code>
/// try { entries = await RedisStoreContext.WaitAsync(db.HashGetAllAsync(key), cancellationToken); }
/// catch (Exception ex) when (RedisErrors.IsClientFailure(ex)) { throw RedisErrors.Map(ex, key); }
/// </code>
/// </example>
internal static class RedisErrors
{
    /// <summary>True when Redis refused the command because the key holds another type (<c>WRONGTYPE ...</c>).</summary>
    public static bool IsWrongType(RedisServerException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return KindOf(exception) == "WrongType" || Prefix(exception) == "WRONGTYPE";
    }

    /// <summary>
    /// True for an exception of the client (<see cref="RedisException"/> and its subtypes, <see cref="RedisTimeoutException"/>,
    /// <see cref="RedisCommandException"/>): the filter of every catch that calls <see cref="Map(Exception, RedisKey, string)"/>.
    /// </summary>
    public static bool IsClientFailure(Exception exception) =>
        exception is RedisException or RedisTimeoutException or RedisCommandException || IsTransportFault(exception);

    /// <summary>
    /// True for an <see cref="InvalidOperationException"/> raised inside System.IO.Pipelines, the client's socket pipe
    /// (<c>Writing is not allowed after writer was completed.</c>): StackExchange.Redis 2.x lets it through when a
    /// connection dies while a command is being written (seen while a cluster primary was killed). It means "connection
    /// lost"; the library itself never raises an exception from that assembly.
    /// </summary>
    private static bool IsTransportFault(Exception exception) =>
        exception is InvalidOperationException and not ObjectDisposedException
        && (exception.Source == "System.IO.Pipelines" || exception.StackTrace?.Contains("System.IO.Pipelines.", StringComparison.Ordinal) == true);

    /// <summary>True when <paramref name="exception"/> means "the server cannot serve now" (see the class remarks).</summary>
    public static bool IsUnavailable(Exception exception) => UnavailableReason(exception) is not null;

    /// <summary>The library exception for <paramref name="exception"/> raised by <paramref name="operation"/> on <paramref name="key"/>.</summary>
    /// <param name="exception">The client's exception (<see cref="IsClientFailure"/>).</param>
    /// <param name="key">The key of the command, or <c>default</c> when it has none.</param>
    /// <param name="operation">The call that failed; the calling method when not given.</param>
    public static Exception Map(Exception exception, RedisKey key, [CallerMemberName] string operation = "") =>
        Map(exception, key == default(RedisKey) ? null : key.ToString(), several: false, operation);

    /// <summary>
    /// The library exception for a multi-key step (script or transaction) on <paramref name="keys"/>; Redis does not
    /// say which key a WRONGTYPE was about, so all are named.
    /// </summary>
    /// <param name="exception">The client's exception (<see cref="IsClientFailure"/>).</param>
    /// <param name="keys">The keys of the step.</param>
    /// <param name="operation">The call that failed; the calling method when not given.</param>
    public static Exception Map(Exception exception, ReadOnlySpan<RedisKey> keys, [CallerMemberName] string operation = "") =>
        Map(exception, Names(keys), several: keys.Length > 1, operation);

    private static Exception Map(Exception exception, string? key, bool several, string operation)
    {
        if (exception is RedisServerException server && IsWrongType(server))
        {
            return several
                ? new StorageDataException(key!, null, "one of these keys holds a value of the wrong Redis type.", exception)
                : new StorageDataException(key ?? string.Empty, null, "the key holds a value of the wrong Redis type.", exception);
        }

        if (UnavailableReason(exception) is { } reason)
        {
            return new StorageUnavailableException(operation, key, reason, exception);
        }

        if (Permission(exception, operation, key) is { } permission)
        {
            return permission;
        }

        string refused = exception switch
        {
            RedisServerException => $"the server replied {Prefix(exception)}",
            RedisCommandException => "the client refused to send the command",
            _ => "the client failed the command",
        };
        return new StorageBackendException(operation, key, refused, exception);
    }

    /// <summary>
    /// A <see cref="StoragePermissionException"/> when <paramref name="exception"/> is an ACL refusal: a <c>NOPERM</c>
    /// reply (<c>this user has no permissions to run the 'scan' command</c>, or to access a key or channel), or a
    /// script stopped by the ACL (Redis 7.0: <c>The user executing the script can't run this command</c>; 7.2: <c>ACL
    /// failure in script: … run the 'sadd' command</c>); otherwise <see langword="null"/>. The command comes from the
    /// reply where it names one, the feature set from <see cref="AclTable"/> (<see cref="ZnDrawAclFeatures.Core"/>
    /// when the reply names no command).
    /// </summary>
    /// <param name="exception">The client's exception.</param>
    /// <param name="operation">The call that failed.</param>
    /// <param name="key">The key(s) of the call, or <see langword="null"/>.</param>
    /// <param name="feature">The feature set of the call, when the reply names no command; <see cref="ZnDrawAclFeatures.Core"/> by default.</param>
    public static StoragePermissionException? Permission(Exception exception, string operation, string? key = null, ZnDrawAclFeatures feature = ZnDrawAclFeatures.Core)
    {
        if (exception is not RedisServerException server)
        {
            return null;
        }

        string message = server.Message;
        bool script = message.Contains("can't run this command or subcommand", StringComparison.Ordinal)
            || message.Contains("ACL failure in script", StringComparison.Ordinal);
        if (!script && Prefix(server) != "NOPERM")
        {
            return null;
        }

        string? command = CommandNamed(message);
        string what = command is not null
            ? $"no permission to run '{command}'{(script ? " (called by the script)" : string.Empty)}"
            : message.Contains("channel", StringComparison.Ordinal) ? "no permission to use a channel it subscribes"
            : message.Contains("key", StringComparison.Ordinal) ? "no permission to access a key it uses"
            : "no permission to run a command the script calls";
        return new StoragePermissionException(operation, key, command, command is null ? feature : AclTable.FeatureOf(command) ?? feature, what, exception);
    }

    /// <summary>The command a NOPERM reply names (<c>… to run the 'xgroup|create' command</c>), lower case, or null.</summary>
    private static string? CommandNamed(string message)
    {
        const string Marker = "run the '";
        int start = message.IndexOf(Marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += Marker.Length;
        int end = message.IndexOf('\'', start);
        return end > start ? message[start..end].ToLowerInvariant() : null;
    }

    private static string? UnavailableReason(Exception exception) => exception switch
    {
        RedisConnectionException connection => $"no connection: {connection.FailureType}",
        RedisTimeoutException => "timed out",
        RedisServerException server => ServerUnavailableReason(server),
        _ when IsTransportFault(exception) => "connection lost while the command was written",
        _ => null,
    };

    /// <summary>
    /// Why a server error means "cannot serve now", or null. StackExchange.Redis 3.x classifies its server errors
    /// (<c>RedisServerException.Kind</c>, also for faults without a reply word, such as a connection fault inside a
    /// transaction); 2.x does not, so there (and for an unclassified 3.x error) the reply's first word decides.
    /// </summary>
    private static string? ServerUnavailableReason(RedisServerException server) => KindOf(server) switch
    {
        "ConnectionFault" => "connection lost",
        "Timeout" => "timed out",
        "Loading" => "the server is loading its data (LOADING)",
        "ReadOnly" => "the server is a read-only replica (READONLY)",
        "MasterDown" => "the replica lost its primary (MASTERDOWN)",
        "TryAgain" => "the slot is being migrated (TRYAGAIN)",
        "ClusterDown" => "the cluster is down (CLUSTERDOWN)",
        "Busy" => "the server is busy running a script (BUSY)",
        "NoReplicas" => "not enough replicas (NOREPLICAS)",
        "Misconfigured" => "the server refuses writes after a persistence error (MISCONF)",
        "OutOfMemory" => "the server is out of memory (OOM)",
        "MaxClients" => "the server has too many clients (MAXCLIENTS)",
        "Moved" or "Ask" or "UnknownRedirectTarget" => "the slot moved (MOVED/ASK)",
        _ => Prefix(server) switch
        {
            "LOADING" or "READONLY" or "MASTERDOWN" or "TRYAGAIN" or "CLUSTERDOWN" or "BUSY" or "NOREPLICAS" or "MISCONF" or "OOM"
                or "MAXCLIENTS" => $"the server replied {Prefix(server)}",
            "MOVED" or "ASK" => "the slot moved (MOVED/ASK)",
            _ => null,
        },
    };

    /// <summary>
    /// <c>RedisServerException.Kind</c> of StackExchange.Redis 3.x, read at run time: the package is compiled against its
    /// floor (2.x, which has no such property) and must classify as well on the 3.x a host may load. Null on 2.x. Read
    /// only when an error is mapped; the trimmer keeps the property (a constant name on a known type).
    /// </summary>
    private static readonly PropertyInfo? KindProperty =
        typeof(RedisServerException).GetProperty("Kind", BindingFlags.Public | BindingFlags.Instance);

    /// <summary>The name of the error's kind (<c>WrongType</c>, <c>Loading</c>, ...) on StackExchange.Redis 3.x; null on 2.x.</summary>
    private static string? KindOf(RedisServerException exception) => KindProperty?.GetValue(exception)?.ToString();

    /// <summary>The error reply's first word (<c>ERR</c>, <c>LOADING</c>, ...): what the server said, without its details.</summary>
    private static string Prefix(Exception exception)
    {
        ReadOnlySpan<char> message = exception.Message.AsSpan().TrimStart();
        int end = 0;
        while (end < message.Length && end < 32 && (char.IsAsciiLetterUpper(message[end]) || message[end] == '_'))
        {
            end++;
        }

        return end == 0 ? "an error" : message[..end].ToString();
    }

    private static string? Names(ReadOnlySpan<RedisKey> keys)
    {
        if (keys.IsEmpty)
        {
            return null;
        }

        var names = new string[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            names[i] = keys[i].ToString() ?? string.Empty;
        }

        return string.Join(", ", names);
    }
}
