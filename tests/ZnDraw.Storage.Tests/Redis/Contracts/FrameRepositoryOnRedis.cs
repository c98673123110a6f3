using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class FrameRepositoryOnZnDrawLayout(RedisFixture redis) : FrameRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class FrameRepositoryOnCluster(RedisClusterFixture cluster) : FrameRepositoryContract(RedisStores.ClusterSafe(cluster));
