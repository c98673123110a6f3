using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Testing.Contracts;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Contracts;

[Collection(RedisCollection.Name)]
public sealed class SettingsRepositoryOnZnDrawLayout(RedisFixture redis) : SettingsRepositoryContract(RedisStores.ZnDraw(redis));

[Collection(RedisClusterCollection.Name)]
public sealed class SettingsRepositoryOnCluster(RedisClusterFixture cluster) : SettingsRepositoryContract(RedisStores.ClusterSafe(cluster));
