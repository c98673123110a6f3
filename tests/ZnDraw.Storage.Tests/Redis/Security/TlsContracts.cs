using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;

namespace ZnDraw.Storage.Tests.Redis.Security;

// xUnit finds collection definitions only in the test assembly; the fixture lives in the shared test kit.
[CollectionDefinition(Name)]
public sealed class RedisTlsCollection : ICollectionFixture<RedisTlsFixture>
{
    public const string Name = "RedisTls";
}

/// <summary>
/// Tests that listen to every activity of the library's sources (<see cref="SecretsTests"/>), alone after the parallel
/// collections: a process-wide listener would start activities in tests that prove nothing starts without one
/// (seen once: <c>StorageOperationTests.Without_listeners_nothing_is_started_or_allocated</c>).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisTlsListeningCollection : ICollectionFixture<RedisTlsFixture>
{
    public const string Name = "RedisTlsListening";
}

// The core flows over TLS: the repository contracts on the library's own TLS connection (ZnDrawStorageOptions.Tls with
// the throwaway CA), against the TLS Redis of scripts/services.sh (svc_start_redis_tls).

[Collection(RedisTlsCollection.Name)]
public sealed class RoomRepositoryOverTls(RedisTlsFixture tls) : RoomRepositoryContract(tls.Stores);

[Collection(RedisTlsCollection.Name)]
public sealed class FrameRepositoryOverTls(RedisTlsFixture tls) : FrameRepositoryContract(tls.Stores);

[Collection(RedisTlsCollection.Name)]
public sealed class LockRepositoryOverTls(RedisTlsFixture tls) : LockRepositoryContract(tls.Stores);

[Collection(RedisTlsCollection.Name)]
public sealed class ChatRepositoryOverTls(RedisTlsFixture tls) : ChatRepositoryContract(tls.Stores);

[Collection(RedisTlsCollection.Name)]
public sealed class UserRepositoryOverTls(RedisTlsFixture tls) : UserRepositoryContract(tls.Stores);
