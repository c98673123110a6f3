using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Rooms;

/// <summary>The inspect commands against the test Redis (ZnDraw's layout under a fresh prefix), seeded through the library.</summary>
[Collection(RedisCollection.Name)]
public sealed class InspectRedisTests(RedisFixture redis)
{
    [Fact]
    public async Task Rooms_list_and_show_report_what_the_library_stored_as_json_and_as_tables()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        await Seed.InspectDataAsync(store);
        await InspectAssertions.RoomsAsync(store);
    }

    [Fact]
    public async Task Users_extensions_and_jobs_report_what_the_library_stored()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        var job = await Seed.InspectDataAsync(store);
        await InspectAssertions.UsersExtensionsJobsAsync(store, job);
    }

    [Fact]
    public async Task An_unreadable_room_is_left_out_of_the_listing_with_a_warning_and_fails_show_with_exit_5()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        await store.Get<RoomService>().CreateAsync("fine");
        // A room whose description key has the wrong Redis type (a hash where ZnDraw keeps a string).
        var db = redis.Database;
        await db.StringSetAsync($"{store.Prefix}room:broken:current_frame", "0");
        await db.HashSetAsync($"{store.Prefix}room:broken:description", "not", "a string");
        await db.SetAddAsync($"{store.Prefix}rooms:index", "broken");

        var list = (await ToolProcess.RunAsync(store.Args("rooms", "list", "--json"))).ShouldExit(ExitCodes.Ok);
        Assert.Equal(["fine"], list.Json().EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var warning = Assert.Single(list.ErrorLines);
        Assert.Contains("warn", warning);
        Assert.Contains($"{store.Prefix}room:broken:description", warning);

        var show = (await ToolProcess.RunAsync(store.Args("rooms", "show", "broken"))).ShouldExit(ExitCodes.DataError);
        var line = Assert.Single(show.ErrorLines);
        Assert.StartsWith("error: ", line);
        Assert.Contains($"{store.Prefix}room:broken:description", line);
    }

    [Fact]
    public async Task A_store_read_with_the_other_layout_is_said_to_be_the_wrong_layout()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        await Seed.InspectDataAsync(store);
        string[] wrong(params string[] command) => ["--redis", store.Address, "--prefix", store.Prefix, "--layout", "cluster-safe", .. command];

        foreach (var command in new[] { wrong("rooms", "list"), wrong("rooms", "show", Seed.Room), wrong("users", "list") })
        {
            var run = (await ToolProcess.RunAsync(command)).ShouldExit(ExitCodes.WrongLayout);
            var line = Assert.Single(run.ErrorLines);
            Assert.StartsWith("error: wrong layout: ", line);
            Assert.Contains("--layout zndraw", line);
        }
    }
}
