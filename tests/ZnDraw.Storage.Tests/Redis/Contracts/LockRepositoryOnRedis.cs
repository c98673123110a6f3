using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class LockRepositoryOnZnDrawLayout(RedisFixture redis) : LockRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class LockRepositoryOnCluster(RedisClusterFixture cluster) : LockRepositoryContract(RedisStores.ClusterSafe(cluster));
