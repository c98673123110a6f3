using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class JobRepositoryOnZnDrawLayout(RedisFixture redis) : JobRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class JobRepositoryOnCluster(RedisClusterFixture cluster) : JobRepositoryContract(RedisStores.ClusterSafe(cluster));
