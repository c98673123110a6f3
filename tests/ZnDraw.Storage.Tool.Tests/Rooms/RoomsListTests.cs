using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Rooms;

[Collection(RedisCollection.Name)]
public sealed class RoomsListTests(RedisFixture redis)
{
    [Fact]
    public async Task Rooms_list_shows_the_rooms_seeded_through_the_library_as_json_and_as_a_table()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        var rooms = store.Get<RoomService>();
        await rooms.CreateAsync("alpha", "first room");
        await rooms.CreateAsync("beta");
        await rooms.HideAsync("beta");

        var json = (await ToolProcess.RunAsync(store.Args("rooms", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal("alpha", json[0].GetProperty("id").GetString());
        Assert.Equal("first room", json[0].GetProperty("description").GetString());
        Assert.False(json[0].GetProperty("hidden").GetBoolean());
        Assert.Equal("beta", json[1].GetProperty("id").GetString());
        Assert.True(json[1].GetProperty("hidden").GetBoolean());

        var table = (await ToolProcess.RunAsync(store.Args("rooms", "list"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("alpha", table.StandardOutput);
        Assert.Contains("first room", table.StandardOutput);
        Assert.Contains("beta", table.StandardOutput);
        Assert.Contains("2 room(s).", table.StandardError);
    }
}
