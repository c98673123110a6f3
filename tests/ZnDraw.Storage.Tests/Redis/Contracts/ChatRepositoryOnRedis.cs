using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class ChatRepositoryOnZnDrawLayout(RedisFixture redis) : ChatRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class ChatRepositoryOnCluster(RedisClusterFixture cluster) : ChatRepositoryContract(RedisStores.ClusterSafe(cluster));
