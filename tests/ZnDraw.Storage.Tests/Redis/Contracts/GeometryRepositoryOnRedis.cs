using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class GeometryRepositoryOnZnDrawLayout(RedisFixture redis) : GeometryRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class GeometryRepositoryOnCluster(RedisClusterFixture cluster) : GeometryRepositoryContract(RedisStores.ClusterSafe(cluster));
