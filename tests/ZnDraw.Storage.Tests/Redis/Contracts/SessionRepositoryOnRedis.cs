using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class SessionRepositoryOnZnDrawLayout(RedisFixture redis) : SessionRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class SessionRepositoryOnCluster(RedisClusterFixture cluster) : SessionRepositoryContract(RedisStores.ClusterSafe(cluster));
