using System.Text.Json;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>Redis facts of the extension aggregate's generic members: exact keys, round trips, ids found by the listing.</summary>
[Collection(RedisCollection.Name)]
public sealed class ExtensionAggregateTests(RedisFixture redis)
{
    private static readonly JsonElement Schema = JsonDocument.Parse("""{"type": "object"}""").RootElement;

    private IDatabase Db => redis.Database;

    [Fact]
    public async Task Delete_removes_schema_worker_sets_queue_reverse_indexes_and_registry_entries_in_one_round_trip()
    {
        var repo = new ExtensionRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), idle = RedisFixture.NewId("sid"), busy = RedisFixture.NewId("sid");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        var other = ExtensionId.InRoom(room, "modifiers", "Scale");
        await repo.RegisterExtensionAsync(ext, Schema, idle);
        await repo.RegisterExtensionAsync(ext, Schema, busy);
        await repo.RegisterExtensionAsync(other, Schema, idle);
        Assert.NotNull(await repo.AcquireWorkerAsync(ext)); // one of the two is progressing now
        await repo.EnqueueAsync(ext, new ExtensionTask("alice", Schema, room, "job-1"));
        Assert.False(await repo.DeleteAsync(ExtensionId.InRoom(RedisFixture.NewId("warm"), "modifiers", "x"))); // script cached

        var (deleted, m) = await RoundTrips.MeasureAsync(redis.Connection, async () => await repo.DeleteAsync(ext));

        Assert.True(deleted);
        Assert.Equal(1, m.RoundTrips);
        string head = $"room:{room}:extensions:modifiers";
        Assert.False(await Db.HashExistsAsync(head, "Rotate"));
        Assert.True(await Db.HashExistsAsync(head, "Scale")); // the other extension of the category stays
        Assert.False(await Db.KeyExistsAsync($"{head}:Rotate:idle_workers"));
        Assert.False(await Db.KeyExistsAsync($"{head}:Rotate:progressing_workers"));
        Assert.False(await Db.KeyExistsAsync($"{head}:Rotate:queue"));
        Assert.Equal(["Scale"], (await Db.SetMembersAsync($"{head}:{idle}")).Select(v => (string)v!));
        Assert.False(await Db.KeyExistsAsync($"{head}:{busy}"));
        var registry = (await Db.SetMembersAsync($"room:{room}:keys")).Select(v => (string)v!).ToHashSet();
        Assert.DoesNotContain($"{head}:Rotate:idle_workers", registry);
        Assert.DoesNotContain($"{head}:Rotate:queue", registry);
        Assert.Contains(head, registry); // the schema hash still holds Scale
        Assert.Null(await repo.GetByIdAsync(ext));
        Assert.NotNull(await repo.GetByIdAsync(other));
    }

    [Fact]
    public async Task Delete_of_a_wrong_typed_worker_set_names_the_key_and_writes_nothing()
    {
        var repo = new ExtensionRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");
        await repo.SaveAsync(new ExtensionSchema("Rotate", "modifiers", Schema, ExtensionScope.Room, room));
        await Db.StringSetAsync($"room:{room}:extensions:modifiers:Rotate:idle_workers", "not a set");

        var ex = await Assert.ThrowsAsync<StorageDataException>(async () => await repo.DeleteAsync(ext));

        Assert.Contains("idle_workers", ex.Message, StringComparison.Ordinal);
        Assert.True(await repo.ExistsAsync(ext));
    }

    [Fact]
    public async Task Save_writes_only_the_schema_and_registers_the_schema_hash_and_a_worker_then_joins()
    {
        var repo = new ExtensionRepository(TestSpaces.Context(redis, "zndraw"));
        string room = RedisFixture.NewId("room"), sid = RedisFixture.NewId("sid");
        var ext = ExtensionId.InRoom(room, "modifiers", "Rotate");

        await repo.SaveAsync(new ExtensionSchema("Rotate", "modifiers", Schema, ExtensionScope.Room, room, WorkerId: sid, RegisteredAt: DateTime.UtcNow));

        Assert.Equal(["Rotate"], (await Db.HashKeysAsync($"room:{room}:extensions:modifiers")).Select(v => (string)v!));
        Assert.Equal([$"room:{room}:extensions:modifiers"], (await Db.SetMembersAsync($"room:{room}:keys")).Select(v => (string)v!));
        Assert.Empty(await repo.GetWorkersAsync(ext));
        Assert.Equal(ExtensionRegistrationResult.Joined, await repo.RegisterExtensionAsync(ext, Schema, sid));
    }

    [Theory]
    [MemberData(nameof(TestSpaces.All), MemberType = typeof(TestSpaces))]
    public async Task The_listing_finds_room_categories_from_the_registry_and_global_ones_of_those_categories(string space)
    {
        var context = TestSpaces.Context(redis, space);
        var repo = new ExtensionRepository(context);
        var rooms = new RoomRepository(context);
        string room = RedisFixture.NewId("room"), category = "c" + Guid.NewGuid().ToString("N")[..8];
        await rooms.SaveAsync(new Room(room));
        var inRoom = ExtensionId.InRoom(room, category, "Rotate");
        var global = ExtensionId.Global(category, "Plot");
        var globalElsewhere = ExtensionId.Global("c" + Guid.NewGuid().ToString("N")[..8], "Hidden");
        foreach (var id in new[] { inRoom, global, globalElsewhere })
        {
            await repo.SaveAsync(new ExtensionSchema(id.Name, id.Category, Schema, id.Scope, id.RoomId));
        }

        var ids = new List<ExtensionId>();
        await foreach (var id in repo.ListIdsAsync())
        {
            ids.Add(id);
        }

        Assert.Contains(inRoom, ids);
        Assert.Contains(global, ids);
        Assert.DoesNotContain(globalElsewhere, ids); // a global category no room uses has no index (docs/aggregates.md)
    }
}
