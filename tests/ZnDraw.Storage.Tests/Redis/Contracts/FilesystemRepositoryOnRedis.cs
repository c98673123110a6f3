using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class FilesystemRepositoryOnZnDrawLayout(RedisFixture redis) : FilesystemRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class FilesystemRepositoryOnCluster(RedisClusterFixture cluster) : FilesystemRepositoryContract(RedisStores.ClusterSafe(cluster));
