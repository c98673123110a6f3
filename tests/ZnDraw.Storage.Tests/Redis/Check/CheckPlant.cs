using StackExchange.Redis;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Services;
using ZnDraw.Storage.Testing;

namespace ZnDraw.Storage.Tests.Redis.Check;

/// <summary>
/// Plants, with raw commands in the store's key space and layout, one problem of each kind beside legitimate data
/// that must not be reported, then checks, repairs and checks again.
/// </summary>
internal static class CheckPlant
{
    /// <summary>Every planted problem (kind and key) and the legitimate keys that must survive the repair.</summary>
    public sealed record Planted(IReadOnlyList<(StorageProblemKind Kind, string Key)> Problems, IReadOnlyList<RedisKey> Legit);

    public static async Task<Planted> PlantAsync(IDatabase db, KeySpace space)
    {
        GlobalKeys global = space.Global;

        // Legitimate: an indexed room, a room nobody created that holds only a chat (ZnDraw's rule: still a room; the
        // index has it), a registered extension with its worker, an indexed user and admin, a job in its set.
        RoomKeys ok = space.Room("ok");
        await db.StringSetAsync(ok.CurrentFrame(), "0");
        await db.StringSetAsync(space.Room("chatonly").ChatCounter(), "3");
        await db.SetAddAsync(global.RoomsIndex(), ["ok", "chatonly"]);
        ExtensionKeys registered = space.Extension("ok", "modifiers", "Rotate");
        await db.HashSetAsync(registered.Schema(), "Rotate", "{}");
        await db.SetAddAsync(registered.IdleWorkers(), "sid-ok");
        await db.HashSetAsync(space.User("alice").HashKey(), "userName", "alice");
        await db.StringSetAsync(space.User("alice").AdminKey(), "1");
        await db.SetAddAsync(global.UsersIndex(), "alice");
        await db.SetAddAsync(global.AdminsIndex(), "alice");
        JobKeys goodJob = space.Job("ok", "11111111-1111-4111-8111-111111111111");
        await db.HashSetAsync(goodJob.Hash(), JobFields("ok", goodJob.JobId, "completed"));
        await db.SetAddAsync(goodJob.Inactive(), goodJob.JobId);

        // Problems.
        RoomKeys broken = space.Room("broken");
        await db.StringSetAsync(broken.CurrentFrame(), "0");
        await db.StringSetAsync(broken.Metadata(), "not a hash"); // WRONGTYPE for the room read
        await db.SetAddAsync(global.RoomsIndex(), "broken");

        await db.StringSetAsync(space.Room("unindexed").CurrentFrame(), "0"); // not in rooms:index
        await db.SetAddAsync(global.RoomsIndex(), "ghost"); // no key at all
        await db.HashSetAsync(space.User("carol").HashKey(), "userName", "carol"); // not in users:index
        await db.SetAddAsync(global.UsersIndex(), "nobody"); // no user hash

        JobKeys orphanJob = space.Job("ok", "22222222-2222-4222-8222-222222222222");
        await db.HashSetAsync(orphanJob.Hash(), JobFields("ok", orphanJob.JobId, "queued")); // in no set

        ExtensionKeys unregistered = space.Extension("ok", "modifiers", "Gone");
        await db.SetAddAsync(unregistered.IdleWorkers(), "sid-gone"); // no schema field

        return new Planted(
            [
                (StorageProblemKind.Unreadable, "room broken"),
                (StorageProblemKind.MissingIndexEntry, $"{global.RoomsIndex()} unindexed"),
                (StorageProblemKind.MissingIndexEntry, $"{global.UsersIndex()} carol"),
                (StorageProblemKind.StaleIndexEntry, $"{global.RoomsIndex()} ghost"),
                (StorageProblemKind.StaleIndexEntry, $"{global.UsersIndex()} nobody"),
                (StorageProblemKind.OrphanJob, (string)orphanJob.Hash()!),
                (StorageProblemKind.OrphanWorkers, (string)unregistered.IdleWorkers()!),
            ],
            [ok.CurrentFrame(), space.Room("chatonly").ChatCounter(), registered.IdleWorkers(), registered.Schema(), goodJob.Hash(), space.User("alice").HashKey()]);
    }

    private static HashEntry[] JobFields(string room, string id, string status) =>
    [
        new("id", id), new("room", room), new("category", "modifiers"), new("extension", "Rotate"), new("data", "{}"),
        new("user_name", "alice"), new("status", status), new("provider", "client"), new("created_at", "2025-12-01T00:00:00"),
        new("started_at", ""), new("completed_at", ""), new("worker_id", ""), new("error", ""), new("result", ""),
        new("wait_time_ms", ""), new("execution_time_ms", ""),
    ];

    /// <summary>The whole cycle on one store: plant, check, repair, check again.</summary>
    public static async Task RunCycleAsync(TestStore store, IDatabase db)
    {
        KeySpace space = store.Get<KeySpace>();
        Planted planted = await PlantAsync(db, space);
        var reports = new List<StorageCheckProgress>();
        var progress = new SyncProgress(reports);

        StorageCheckReport report = await StorageCheck.RunAsync(store.Services, new StorageCheckOptions { PageSize = 7 }, progress);

        Assert.Equal(
            planted.Problems.OrderBy(p => p.Kind).ThenBy(p => p.Key, StringComparer.Ordinal).ToList(),
            report.Problems.Select(p => (p.Kind, p.Key)).ToList());
        Assert.All(report.Problems, p => Assert.Equal(p.Kind != StorageProblemKind.Unreadable, p.Repairable));
        Assert.Equal(17, report.KeysScanned); // every key planted, nothing of other tests
        Assert.NotEmpty(reports);
        Assert.Equal(report.KeysScanned, reports[^1].KeysScanned);

        StorageRepairResult repair = await StorageCheck.RepairAsync(store.Services, report);

        Assert.Empty(repair.Skipped);
        Assert.Equal(
            report.Problems.Where(p => p.Repairable).Select(p => (p.Kind, p.Key)).ToList(),
            repair.Repairs.Select(r => (r.Kind, r.Key)).ToList());
        foreach (RedisKey key in planted.Legit)
        {
            Assert.True(await db.KeyExistsAsync(key), $"{key} was deleted");
        }

        StorageCheckReport again = await StorageCheck.RunAsync(store.Services);
        Assert.Equal([(StorageProblemKind.Unreadable, "room broken")], again.Problems.Select(p => (p.Kind, p.Key)).ToList());

        // Nothing left to repair: a second repair changes nothing.
        StorageRepairResult none = await StorageCheck.RepairAsync(store.Services, again);
        Assert.Empty(none.Repairs);
    }

    /// <summary>Records reports on the calling thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class SyncProgress(List<StorageCheckProgress> reports) : IProgress<StorageCheckProgress>
    {
        public void Report(StorageCheckProgress value)
        {
            lock (reports)
            {
                reports.Add(value);
            }
        }
    }
}
