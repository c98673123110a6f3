using System.Text.Json;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Tool.Infrastructure;

namespace ZnDraw.Storage.Tool.Tests.Infrastructure;

/// <summary>The runs and assertions over <see cref="Seed.InspectDataAsync"/>, shared by the Redis and the cluster tests.</summary>
public static class InspectAssertions
{
    public static async Task RoomsAsync(SeededStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var list = (await ToolProcess.RunAsync(store.Args("rooms", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal([Seed.Room, Seed.HiddenRoom], list.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("first room", list[0].GetProperty("description").GetString());
        Assert.False(list[0].GetProperty("hidden").GetBoolean());
        Assert.True(list[1].GetProperty("hidden").GetBoolean());
        Assert.Equal(4, list[0].GetProperty("frameCount").GetInt64());
        Assert.Equal(0, list[1].GetProperty("frameCount").GetInt64());

        var table = (await ToolProcess.RunAsync(store.Args("rooms", "list"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains(Seed.Room, table.StandardOutput);
        Assert.Contains("first room", table.StandardOutput);
        Assert.Contains(Seed.HiddenRoom, table.StandardOutput);
        Assert.Equal(["2 room(s)."], table.ErrorLines);

        var show = (await ToolProcess.RunAsync(store.Args("rooms", "show", Seed.Room, "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(Seed.Room, show.GetProperty("id").GetString());
        Assert.Equal(["alice", "bob"], show.GetProperty("members").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("test", show.GetProperty("metadata").GetProperty("source").GetString());
        Assert.Equal("none", show.GetProperty("metadata").GetProperty("frames").GetString());
        Assert.Equal(2, show.GetProperty("bookmarks").GetInt32());
        Assert.Equal(1, show.GetProperty("chatMessages").GetInt64());
        Assert.Equal(1, show.GetProperty("activeJobs").GetInt32());
        Assert.Equal(0, show.GetProperty("inactiveJobs").GetInt32());
        Assert.Equal(JsonValueKind.Array, show.GetProperty("geometries").ValueKind);

        var shown = (await ToolProcess.RunAsync(store.Args("rooms", "show", Seed.Room))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("alice, bob", shown.StandardOutput);
        Assert.Contains("source=test", shown.StandardOutput);

        var missing = (await ToolProcess.RunAsync(store.Args("rooms", "show", "no-such-room"))).ShouldExit(ExitCodes.NotFound);
        Assert.Equal(["error: room 'no-such-room' not found."], missing.ErrorLines);
        Assert.Empty(missing.StandardOutput);

        // A bad id: the library's ArgumentException message, as one line, exit 2.
        var bad = (await ToolProcess.RunAsync(store.Args("rooms", "show", "bad id"))).ShouldExit(ExitCodes.Usage);
        var line = Assert.Single(bad.ErrorLines);
        Assert.StartsWith("error: Invalid room id", line);
    }

    public static async Task UsersExtensionsJobsAsync(SeededStore store, Job job)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(job);
        var users = (await ToolProcess.RunAsync(store.Args("users", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(["alice", "bob"], users.EnumerateArray().Select(u => u.GetProperty("userName").GetString()));
        Assert.Equal("admin", users[0].GetProperty("role").GetString());
        Assert.Equal("guest", users[1].GetProperty("role").GetString());
        Assert.Equal("2026-01-02T03:04:05Z", users[0].GetProperty("createdAt").GetString());

        var admins = (await ToolProcess.RunAsync(store.Args("users", "list", "--admins", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(["alice"], admins.EnumerateArray().Select(u => u.GetProperty("userName").GetString()));

        var alice = (await ToolProcess.RunAsync(store.Args("users", "show", "alice"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("admin", alice.StandardOutput);
        Assert.Contains("2026-01-02 03:04:05Z", alice.StandardOutput);
        Assert.Contains(Seed.Room, alice.StandardOutput);

        var nobody = (await ToolProcess.RunAsync(store.Args("users", "show", "nobody"))).ShouldExit(ExitCodes.NotFound);
        Assert.Equal(["error: user 'nobody' not found."], nobody.ErrorLines);

        var extensions = (await ToolProcess.RunAsync(store.Args("extensions", "list", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(2, extensions.GetArrayLength());
        var move = extensions.EnumerateArray().Single(e => e.GetProperty("name").GetString() == Seed.Extension);
        Assert.Equal("room", move.GetProperty("scope").GetString());
        Assert.Equal(Seed.Room, move.GetProperty("roomId").GetString());
        Assert.Equal(Seed.Category, move.GetProperty("category").GetString());
        Assert.Equal(1, move.GetProperty("idleWorkers").GetInt32());
        Assert.Equal(0, move.GetProperty("busyWorkers").GetInt32());
        Assert.Equal(1, move.GetProperty("queuedTasks").GetInt64());
        var all = extensions.EnumerateArray().Single(e => e.GetProperty("name").GetString() == "All");
        Assert.Equal("global", all.GetProperty("scope").GetString());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("roomId").ValueKind);

        var global = (await ToolProcess.RunAsync(store.Args("extensions", "list", "--global"))).ShouldExit(ExitCodes.Ok);
        Assert.Contains("All", global.StandardOutput);
        Assert.DoesNotContain(Seed.Extension, global.StandardOutput);
        Assert.Equal(["1 extension(s)."], global.ErrorLines);

        var jobs = (await ToolProcess.RunAsync(store.Args("jobs", "list", "--room", Seed.Room, "--json"))).ShouldExit(ExitCodes.Ok).Json();
        var listed = Assert.Single(jobs.EnumerateArray());
        Assert.Equal(job.Id, listed.GetProperty("id").GetString());
        Assert.Equal("queued", listed.GetProperty("status").GetString());
        Assert.Equal(Seed.Extension, listed.GetProperty("extension").GetString());
        Assert.Equal("alice", listed.GetProperty("userName").GetString());

        var finished = (await ToolProcess.RunAsync(store.Args("jobs", "list", "--room", Seed.Room, "--status", "finished", "--json"))).ShouldExit(ExitCodes.Ok).Json();
        Assert.Equal(0, finished.GetArrayLength());

        var noRoom = (await ToolProcess.RunAsync(store.Args("jobs", "list", "--room", "no-such-room"))).ShouldExit(ExitCodes.NotFound);
        Assert.Equal(["error: room 'no-such-room' not found."], noRoom.ErrorLines);
    }
}
