using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class RoomsAsRepositoryOnZnDrawLayout(RedisFixture redis) : RoomsAsRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class RoomsAsRepositoryOnCluster(RedisClusterFixture cluster) : RoomsAsRepositoryContract(RedisStores.ClusterSafe(cluster));

[Collection(RedisCollection.Name)]
public sealed class UsersAsRepositoryOnZnDrawLayout(RedisFixture redis) : UsersAsRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class UsersAsRepositoryOnCluster(RedisClusterFixture cluster) : UsersAsRepositoryContract(RedisStores.ClusterSafe(cluster));

[Collection(RedisCollection.Name)]
public sealed class ExtensionsAsRepositoryOnZnDrawLayout(RedisFixture redis) : ExtensionsAsRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class ExtensionsAsRepositoryOnCluster(RedisClusterFixture cluster) : ExtensionsAsRepositoryContract(RedisStores.ClusterSafe(cluster));

[Collection(RedisCollection.Name)]
public sealed class JobsAsRepositoryOnZnDrawLayout(RedisFixture redis) : JobsAsRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class JobsAsRepositoryOnCluster(RedisClusterFixture cluster) : JobsAsRepositoryContract(RedisStores.ClusterSafe(cluster));

[Collection(RedisCollection.Name)]
public sealed class FilesystemsAsRepositoryOnZnDrawLayout(RedisFixture redis) : FilesystemsAsRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class FilesystemsAsRepositoryOnCluster(RedisClusterFixture cluster) : FilesystemsAsRepositoryContract(RedisStores.ClusterSafe(cluster));
