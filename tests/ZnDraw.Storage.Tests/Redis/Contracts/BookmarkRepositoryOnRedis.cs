using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class BookmarkRepositoryOnZnDrawLayout(RedisFixture redis) : BookmarkRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class BookmarkRepositoryOnCluster(RedisClusterFixture cluster) : BookmarkRepositoryContract(RedisStores.ClusterSafe(cluster));
