using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class RoomRepositoryOnZnDrawLayout(RedisFixture redis) : RoomRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class RoomRepositoryOnCluster(RedisClusterFixture cluster) : RoomRepositoryContract(RedisStores.ClusterSafe(cluster));
