using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class UserRepositoryOnZnDrawLayout(RedisFixture redis) : UserRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class UserRepositoryOnCluster(RedisClusterFixture cluster) : UserRepositoryContract(RedisStores.ClusterSafe(cluster));
