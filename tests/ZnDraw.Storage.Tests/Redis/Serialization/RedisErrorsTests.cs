using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Serialization;

namespace ZnDraw.Storage.Tests.Redis.Serialization;

/// <summary>
/// RedisErrors, the one mapping of client failures: which exception a caller sees for each kind of client failure,
/// what the message names, and that it never copies the client's message (which describes the connection).
/// </summary>
public sealed class RedisErrorsTests
{
    private const string Secret = "password=hunter2";

    public static TheoryData<Exception> Unavailable => new()
    {
        Connection(ConnectionFailureType.SocketClosed, $"No connection ({Secret})"),
        Connection(ConnectionFailureType.UnableToConnect, "It was not possible to connect"),
        Connection(ConnectionFailureType.AuthenticationFailure, "WRONGPASS"),
        Timeout($"Timeout awaiting response ({Secret})"),
        Server("LOADING Redis is loading the dataset in memory"),
        Server("READONLY You can't write against a read only replica."),
        Server("MASTERDOWN Link with MASTER is down"),
        Server("TRYAGAIN Multiple keys request during rehashing of slot"),
        Server("CLUSTERDOWN The cluster is down"),
        Server("BUSY Redis is busy running a script."),
        Server("OOM command not allowed when used memory > 'maxmemory'."),
        Server("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist."),
        Server("MOVED 3999 127.0.0.1:6381"),
#if STACKEXCHANGE_REDIS_3
        Server(RedisErrorKind.Loading, "LOADING"),
        Server(RedisErrorKind.ClusterDown, "CLUSTERDOWN"),
        Server(RedisErrorKind.ConnectionFault, "connection fault"),
#endif
    };

    public static TheoryData<Exception> Refused => new()
    {
        Server("ERR user_script:1: Script attempted to access nonexistent global variable 'x'"),
        Server("NOPERM this user has no permissions to run the 'eval' command"),
        Server("ERR unknown command 'HGETDEL'"),
        Server("CROSSSLOT Keys in request don't hash to the same slot"),
#if STACKEXCHANGE_REDIS_3
        Server(RedisErrorKind.CrossSlot, "CROSSSLOT Keys in request don't hash to the same slot"),
#endif
        Server("EXECABORT Transaction discarded because of previous errors."),
        new RedisCommandException("Multi-key operations must involve a single slot"),
        new RedisException("Unexpected response"),
    };

    [Theory]
    [MemberData(nameof(Unavailable))]
    public void Connection_timeout_and_server_state_errors_become_StorageUnavailableException(Exception client)
    {
        Assert.True(RedisErrors.IsClientFailure(client));
        Assert.True(RedisErrors.IsUnavailable(client));

        var ex = Assert.IsType<StorageUnavailableException>(RedisErrors.Map(client, (RedisKey)"room:r1:current_frame", "GetAsync"));

        Assert.Same(client, ex.InnerException);
        Assert.Equal("GetAsync", ex.Operation);
        Assert.Equal("room:r1:current_frame", ex.Key);
        Assert.Contains("GetAsync", ex.Message, StringComparison.Ordinal);
        Assert.Contains("room:r1:current_frame", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Script_permission_and_client_errors_become_StorageBackendException(Exception client)
    {
        Assert.True(RedisErrors.IsClientFailure(client));
        Assert.False(RedisErrors.IsUnavailable(client));

        var ex = Assert.IsAssignableFrom<StorageBackendException>(RedisErrors.Map(client, [(RedisKey)"a", (RedisKey)"b"], "room.save")); // NOPERM: StoragePermissionException

        Assert.IsAssignableFrom<InvalidOperationException>(ex);
        Assert.Same(client, ex.InnerException);
        Assert.Equal("room.save", ex.Operation);
        Assert.Equal("a, b", ex.Key);
    }

    [Fact]
    public void A_server_error_is_named_by_its_first_word_only()
    {
        var client = Server($"ERR something about {Secret}");
        var ex = Assert.IsType<StorageBackendException>(RedisErrors.Map(client, default(RedisKey), "ReindexAsync"));
        Assert.Null(ex.Key);
        Assert.Contains("ERR", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrongtype_becomes_StorageDataException_naming_the_key_or_all_keys()
    {
        var wrong = Server("WRONGTYPE Operation against a key holding the wrong kind of value");
        Assert.True(RedisErrors.IsWrongType(wrong));
#if STACKEXCHANGE_REDIS_3
        Assert.True(RedisErrors.IsWrongType(Server(RedisErrorKind.WrongType, "x")));
#endif
        Assert.False(RedisErrors.IsWrongType(Server("ERR something else")));
        Assert.False(RedisErrors.IsUnavailable(wrong));

        var one = Assert.IsType<StorageDataException>(RedisErrors.Map(wrong, (RedisKey)"user:alice"));
        Assert.Equal("user:alice", one.Key);
        Assert.Same(wrong, one.InnerException);

        var several = Assert.IsType<StorageDataException>(RedisErrors.Map(wrong, [(RedisKey)"a", (RedisKey)"b"]));
        Assert.Equal("a, b", several.Key);
        Assert.Contains("one of these keys", several.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_operation_defaults_to_the_calling_member()
    {
        var ex = Assert.IsType<StorageUnavailableException>(RedisErrors.Map(Timeout("t"), (RedisKey)"k"));
        Assert.Equal(nameof(The_operation_defaults_to_the_calling_member), ex.Operation);
    }

    // StackExchange.Redis 3.x classifies server errors (RedisErrorKind) and adds CommandFlags to the exception constructors;
    // 2.x has only the message (see RedisErrors).
#if STACKEXCHANGE_REDIS_3
    private static RedisServerException Server(RedisErrorKind kind, string message) => new(kind, CommandFlags.None, message);

    private static RedisServerException Server(string message) => Server(RedisErrorKind.Unknown, message);
#else
    private static RedisServerException Server(string message) => new(message);
#endif

#if STACKEXCHANGE_REDIS_3
    private static RedisConnectionException Connection(ConnectionFailureType failure, string message) =>
        new(failure, CommandFlags.None, message, null, CommandStatus.Unknown);

    private static RedisTimeoutException Timeout(string message) => new(CommandFlags.None, message, CommandStatus.Sent);
#else
    private static RedisConnectionException Connection(ConnectionFailureType failure, string message) =>
        new(failure, message, null, CommandStatus.Unknown);

    private static RedisTimeoutException Timeout(string message) => new(message, CommandStatus.Sent);
#endif

    /// <summary>
    /// StackExchange.Redis 2.x let the pipe's own exception through when a cluster primary was SIGKILLed while commands were
    /// being written (ClusterFailoverTests on the floors: 13 calls threw it); it is a lost connection.
    /// </summary>
    [Fact]
    public void An_exception_of_the_clients_socket_pipe_becomes_StorageUnavailableException()
    {
        var pipe = new System.IO.Pipelines.Pipe();
        pipe.Writer.Complete();
        var client = Assert.Throws<InvalidOperationException>(() => pipe.Writer.GetMemory());

        Assert.True(RedisErrors.IsClientFailure(client));
        var mapped = Assert.IsType<StorageUnavailableException>(RedisErrors.Map(client, (RedisKey)"room:r1:trajectory:indices", "frames.append"));
        Assert.Same(client, mapped.InnerException);
        Assert.Contains("connection lost", mapped.Message, StringComparison.Ordinal);
        Assert.False(RedisErrors.IsClientFailure(new InvalidOperationException("A frame is already in the trajectory.")));
        Assert.False(RedisErrors.IsClientFailure(new StorageBackendException("op", "k", "refused", null)));
    }

    [Fact]
    public void Exceptions_that_are_not_the_clients_are_left_alone()
    {
        Assert.False(RedisErrors.IsClientFailure(new OperationCanceledException()));
        Assert.False(RedisErrors.IsClientFailure(new ObjectDisposedException("multiplexer")));
        Assert.False(RedisErrors.IsClientFailure(new ArgumentException("bad id")));
        Assert.False(RedisErrors.IsClientFailure(new StorageDataException("k", null, "bad")));
        Assert.False(RedisErrors.IsClientFailure(new TimeoutException()));
    }
}
