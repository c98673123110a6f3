using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Tool.Infrastructure;
using ZnDraw.Storage.Tool.Tests.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Check;

/// <summary>
/// <c>check</c> as a process: planted corruption, orphans and drift are found (exit 1), <c>--fix --yes</c> repairs what
/// is safe, and a second check finds only what needs a person.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class CheckCommandTests(RedisFixture redis)
{
    [Fact]
    public async Task Check_finds_planted_problems_and_fix_repairs_them()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        await store.Get<RoomService>().CreateAsync("fine");
        string[] planted = await CheckPlanting.PlantAsync(redis.Database, store.Get<KeySpace>());

        var table = (await ToolProcess.RunAsync(store.Args("check", "--page-size", "5"))).ShouldExit(1);
        foreach (string kind in (string[])["Unreadable", "MissingIndexEntry", "StaleIndexEntry", "OrphanJob", "OrphanWorkers"])
        {
            Assert.Contains(kind, table.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Contains("5 problem(s)", table.StandardError, StringComparison.Ordinal);

        var found = (await ToolProcess.RunAsync(store.Args("check", "--json"))).ShouldExit(1);
        Assert.Equal(planted, Problems(found.Json()));

        var fixedRun = (await ToolProcess.RunAsync(store.Args("check", "--fix", "--yes", "--json"))).ShouldExit(1); // the unreadable room stays
        JsonElement json = fixedRun.Json();
        Assert.Equal(4, json.GetProperty("repairs").GetArrayLength());
        Assert.Equal(0, json.GetProperty("skipped").GetArrayLength());

        var again = (await ToolProcess.RunAsync(store.Args("check", "--json"))).ShouldExit(1);
        Assert.Equal(["Unreadable room broken"], Problems(again.Json()));
        Assert.True(await redis.Database.KeyExistsAsync(store.Get<KeySpace>().Room("fine").CurrentFrame()));
    }

    [Fact]
    public async Task A_clean_store_exits_0_and_fix_without_yes_needs_a_terminal()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        await store.Get<RoomService>().CreateAsync("fine");

        var clean = (await ToolProcess.RunAsync(store.Args("check", "--rate", "150000", "--page-size", "100", "--parallel", "1"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("no problems found", clean.StandardError, StringComparison.Ordinal);

        (await ToolProcess.RunAsync(store.Args("check", "--fix"))).ShouldExit(ExitCodes.Usage);
        (await ToolProcess.RunAsync(store.Args("check", "--page-size", "0"))).ShouldExit(ExitCodes.Usage);
        var parallel = (await ToolProcess.RunAsync(store.Args("check", "--parallel", "65"))).ShouldExit(ExitCodes.Usage);
        Assert.Contains("--parallel must be 1 to 64", parallel.StandardError, StringComparison.Ordinal);
    }

    internal static string[] Problems(JsonElement json) =>
        [.. json.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("kind").GetString() + " " + p.GetProperty("key").GetString())];
}

[Collection(RedisClusterCollection.Name)]
public sealed class CheckCommandClusterTests(RedisClusterFixture cluster)
{
    [Fact]
    public async Task Check_and_fix_on_the_cluster()
    {
        await using var store = await SeededStore.OnClusterAsync(cluster);
        string[] planted = await CheckPlanting.PlantAsync(cluster.Database, store.Get<KeySpace>());

        var found = (await ToolProcess.RunAsync(store.Args("check", "--json"))).ShouldExit(1);
        Assert.Equal(planted, CheckCommandTests.Problems(found.Json()));

        (await ToolProcess.RunAsync(store.Args("check", "--fix", "--yes", "--json"))).ShouldExit(1);
        var again = (await ToolProcess.RunAsync(store.Args("check", "--json"))).ShouldExit(1);
        Assert.Equal(["Unreadable room broken"], CheckCommandTests.Problems(again.Json()));
    }
}

/// <summary>One problem of each kind, written with raw commands in the store's key space.</summary>
internal static class CheckPlanting
{
    /// <returns>The problems the check must report, as "Kind key", in the report's order.</returns>
    public static async Task<string[]> PlantAsync(IDatabase db, KeySpace space)
    {
        RoomKeys broken = space.Room("broken");
        await db.StringSetAsync(broken.CurrentFrame(), "0");
        await db.HashSetAsync(broken.Description(), "not", "a string");
        await db.SetAddAsync(space.Global.RoomsIndex(), ["broken", "ghost"]);
        await db.StringSetAsync(space.Room("unindexed").CurrentFrame(), "0");
        JobKeys job = space.Job("broken", "44444444-4444-4444-8444-444444444444");
        await db.HashSetAsync(job.Hash(),
        [
            new("id", job.JobId), new("room", "broken"), new("category", "modifiers"), new("extension", "Move"), new("data", "{}"),
            new("user_name", "alice"), new("status", "queued"), new("provider", "client"), new("created_at", "2025-12-01T00:00:00"),
        ]);
        ExtensionKeys gone = space.Extension("broken", "modifiers", "Gone");
        await db.SetAddAsync(gone.IdleWorkers(), "sid-gone");
        string index = space.Global.RoomsIndex().ToString();
        return
        [
            "Unreadable room broken",
            $"MissingIndexEntry {index} unindexed",
            $"StaleIndexEntry {index} ghost",
            $"OrphanJob {job.Hash()}",
            $"OrphanWorkers {gone.IdleWorkers()}",
        ];
    }
}

/// <summary>
/// <c>check</c> on a terminal, as an operator runs it: the progress bar is drawn and <c>--fix</c> asks before repairing.
/// </summary>
[Collection(TerminalCollection.Name)]
public sealed class CheckOnTerminalTests(RedisFixture redis)
{
    [Fact]
    public async Task On_a_terminal_the_check_shows_its_progress_and_fix_repairs_only_after_a_yes()
    {
        await using var store = await SeededStore.OnRedisAsync(redis);
        string[] planted = await CheckPlanting.PlantAsync(redis.Database, store.Get<KeySpace>());
        const string Prompt = "Repair 4 problem(s)?";

        // A low rate makes the check last long enough for the progress bar to be drawn.
        var declined = (await ToolProcess.RunInTerminalAsync(store.Args("check", "--fix", "--rate", "20"), Prompt, "n\r")).ShouldExit(1);
        Assert.Contains("scan keys", declined.StandardOutput, StringComparison.Ordinal);
        Assert.Contains(Prompt, declined.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("5 problem(s).", declined.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(planted, CheckCommandTests.Problems((await ToolProcess.RunAsync(store.Args("check", "--json"))).ShouldExit(1).Json())); // nothing changed

        var accepted = (await ToolProcess.RunInTerminalAsync(store.Args("check", "--fix"), Prompt, "y\r")).ShouldExit(1);
        Assert.Contains("4 repaired, 1 left.", accepted.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(["Unreadable room broken"], CheckCommandTests.Problems((await ToolProcess.RunAsync(store.Args("check", "--json"))).ShouldExit(1).Json()));
    }
}
