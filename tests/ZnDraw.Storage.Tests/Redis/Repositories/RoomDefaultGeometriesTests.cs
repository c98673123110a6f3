using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;
using ZnDraw.Storage.Tests.Models;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>
/// Every way the library creates an empty room leaves in <c>room:{room}:geometries</c> exactly the bytes ZnDraw writes
/// (<see cref="DefaultGeometriesTests.ZnDrawBytes"/>), in every key layout, so that ZnDraw's geometry routes accept
/// edits of a room the library created.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RoomDefaultGeometriesTests(RedisFixture redis)
{
    public enum Creation
    {
        Repository,
        ServiceCreate,
        ServiceJoin,
    }

    public static TheoryData<string, Creation> Cases()
    {
        var data = new TheoryData<string, Creation>();
        foreach (var layout in new[] { Layouts.ZnDraw, Layouts.Prefixed, Layouts.Cluster })
        {
            foreach (var creation in Enum.GetValues<Creation>())
            {
                data.Add(layout, creation);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_created_room_holds_zndraws_default_geometries_byte_for_byte(string layout, Creation creation)
    {
        KeySpace space = Layouts.Space(layout);
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(redis.Connection);
        services.AddZnDrawStorage(o =>
        {
            o.KeyPrefix = space.Prefix.Length == 0 ? null : space.Prefix;
            o.Layout = space.Layout;
        });
        await using var provider = services.BuildServiceProvider();
        string roomId = RedisFixture.NewId("room");
        string user = RedisFixture.NewId("user");
        await redis.Database.HashSetAsync(space.User(user).HashKey(), "userName", user);
        await redis.Database.SetAddAsync(space.Global.UsersIndex(), user);

        switch (creation)
        {
            case Creation.Repository:
                Assert.True(await provider.GetRequiredService<IRoomRepository>().CreateAsync(roomId));
                break;
            case Creation.ServiceCreate:
                await provider.GetRequiredService<RoomService>().CreateAsync(roomId, "made by the library", user);
                break;
            case Creation.ServiceJoin:
                Assert.True((await provider.GetRequiredService<RoomService>().JoinAsync(roomId, user)).Created);
                break;
        }

        HashEntry[] stored = await redis.Database.HashGetAllAsync(space.Room(roomId).Geometries());
        Assert.Equal(
            DefaultGeometriesTests.ZnDrawBytes.OrderBy(p => p.Key, StringComparer.Ordinal),
            stored.Select(e => KeyValuePair.Create(e.Name.ToString(), e.Value.ToString())).OrderBy(p => p.Key, StringComparer.Ordinal));
    }
}
