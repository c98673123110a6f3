using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class ExtensionRepositoryOnZnDrawLayout(RedisFixture redis) : ExtensionRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class ExtensionRepositoryOnCluster(RedisClusterFixture cluster) : ExtensionRepositoryContract(RedisStores.ClusterSafe(cluster));
