using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IFilesystemRepository"/> that any backend must show: registration, listing, unregistration and worker clean-up.</summary>
public abstract class FilesystemRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IFilesystemRepository Filesystems => Store.Get<IFilesystemRepository>();

    private async Task<string[]> GlobalNamesAsync() => [.. (await Filesystems.ListAsync(ExtensionScope.Global, null)).Select(f => f.Name)];

    [Fact]
    public async Task A_registered_filesystem_reads_back_equal_and_is_listed_in_its_scope_only()
    {
        string room = NewId("room"), other = NewId("room"), sid = NewId("sid");
        var fs = new FilesystemInfo("data", "LocalFileSystem", sid, "bob", false, ExtensionScope.Room, room);

        await Filesystems.SaveAsync(fs);

        Assert.Equal(fs, await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "data")));
        Assert.Equal([fs], await Filesystems.ListAsync(ExtensionScope.Room, room));
        Assert.Null(await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, other, "data")));
        Assert.Null(await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Global, null, "data")));
        Assert.Empty(await Filesystems.ListAsync(ExtensionScope.Room, other));
    }

    [Fact]
    public async Task A_global_filesystem_is_listed_globally()
    {
        string name = NewId("pub"), sid = NewId("sid");
        var fs = new FilesystemInfo(name, "S3FileSystem", sid, "admin", true, ExtensionScope.Global);

        await Filesystems.SaveAsync(fs);

        Assert.Equal(fs, await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Global, null, name)));
        Assert.Contains(fs, await Filesystems.ListAsync(ExtensionScope.Global, null));
        if (!Backend.Capabilities.SharesKeySpaceWithOtherTests)
        {
            Assert.Equal([fs], await Filesystems.ListAsync(ExtensionScope.Global, null));
        }

        Assert.True(await Filesystems.DeleteAsync(new FilesystemId(ExtensionScope.Global, null, name)));
        Assert.DoesNotContain(name, await GlobalNamesAsync());
    }

    [Fact]
    public async Task Listing_is_ordered_by_name()
    {
        string room = NewId("room"), sid = NewId("sid");
        foreach (string name in new[] { "b", "a:x", "C", "c" })
        {
            await Filesystems.SaveAsync(new FilesystemInfo(name, "local", sid, "bob", false, ExtensionScope.Room, room));
        }

        Assert.Equal(["C", "a:x", "b", "c"], (await Filesystems.ListAsync(ExtensionScope.Room, room)).Select(f => f.Name));
    }

    [Fact]
    public async Task Registering_again_replaces_the_filesystem()
    {
        string room = NewId("room"), sid = NewId("sid"), other = NewId("other");
        await Filesystems.SaveAsync(new FilesystemInfo("data", "local", sid, "bob", false, ExtensionScope.Room, room));
        var replaced = new FilesystemInfo("data", "s3", other, "eve", true, ExtensionScope.Room, room);

        await Filesystems.SaveAsync(replaced);

        Assert.Equal(replaced, await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "data")));
        Assert.Equal([replaced], await Filesystems.ListAsync(ExtensionScope.Room, room));
    }

    [Fact]
    public async Task Unregister_removes_the_filesystem_once()
    {
        string room = NewId("room"), sid = NewId("sid");
        await Filesystems.SaveAsync(new FilesystemInfo("data", "local", sid, "bob", false, ExtensionScope.Room, room));
        await Filesystems.SaveAsync(new FilesystemInfo("kept", "local", sid, "bob", false, ExtensionScope.Room, room));

        Assert.False(await Filesystems.DeleteAsync(new FilesystemId(ExtensionScope.Room, room, "missing")));
        Assert.True(await Filesystems.DeleteAsync(new FilesystemId(ExtensionScope.Room, room, "data")));
        Assert.False(await Filesystems.DeleteAsync(new FilesystemId(ExtensionScope.Room, room, "data")));

        Assert.Null(await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "data")));
        Assert.Equal(["kept"], (await Filesystems.ListAsync(ExtensionScope.Room, room)).Select(f => f.Name));
        Assert.Equal(1, await Filesystems.UnregisterWorkerAsync(sid)); // the unregistered one is not counted again
    }

    [Fact]
    public async Task Unregister_worker_removes_what_it_provides_in_every_room_and_the_global_scope()
    {
        string room = NewId("room"), room2 = NewId("room"), sid = NewId("sid"), other = NewId("other"), global = NewId("pub");
        await Filesystems.SaveAsync(new FilesystemInfo("b", "s3", sid, "bob", false, ExtensionScope.Room, room));
        await Filesystems.SaveAsync(new FilesystemInfo("a:x", "local", sid, "bob", true, ExtensionScope.Room, room));
        await Filesystems.SaveAsync(new FilesystemInfo("c", "local", other, "eve", false, ExtensionScope.Room, room));
        await Filesystems.SaveAsync(new FilesystemInfo("d", "local", sid, "bob", false, ExtensionScope.Room, room2));
        await Filesystems.SaveAsync(new FilesystemInfo(global, "local", sid, "admin", true, ExtensionScope.Global, null));

        Assert.Equal(4, await Filesystems.UnregisterWorkerAsync(sid));

        Assert.Equal(["c"], (await Filesystems.ListAsync(ExtensionScope.Room, room)).Select(f => f.Name));
        Assert.Empty(await Filesystems.ListAsync(ExtensionScope.Room, room2));
        Assert.DoesNotContain(global, await GlobalNamesAsync());
        Assert.Equal(0, await Filesystems.UnregisterWorkerAsync(sid));
        Assert.Equal(1, await Filesystems.UnregisterWorkerAsync(other));
        Assert.Empty(await Filesystems.ListAsync(ExtensionScope.Room, room));
    }

    [Fact]
    public async Task Unregister_worker_skips_a_filesystem_another_worker_took_over()
    {
        string room = NewId("room"), sid = NewId("sid"), other = NewId("other");
        await Filesystems.SaveAsync(new FilesystemInfo("c", "local", other, "eve", false, ExtensionScope.Room, room));

        // "c" moves to sid, then back to other: sid must not remove it any more.
        await Filesystems.SaveAsync(new FilesystemInfo("c", "local", sid, "eve", false, ExtensionScope.Room, room));
        await Filesystems.SaveAsync(new FilesystemInfo("c", "local", other, "eve", false, ExtensionScope.Room, room));

        Assert.Equal(0, await Filesystems.UnregisterWorkerAsync(sid));

        Assert.Equal(other, (await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "c")))!.WorkerId);
        Assert.Equal(1, await Filesystems.UnregisterWorkerAsync(other));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_leave_exactly_one_of_the_written_values()
    {
        string room = NewId("room");
        FilesystemInfo[] written = [.. Enumerable.Range(0, 16).Select(i => new FilesystemInfo("data", "local", NewId("w"), "user" + i, i % 2 == 0, ExtensionScope.Room, room))];

        await Task.WhenAll(written.Select(f => Task.Run(async () => await Filesystems.SaveAsync(f))));

        FilesystemInfo? stored = await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "data"));
        Assert.Contains(stored, written);
        Assert.NotNull(stored);
        Assert.Equal([stored], await Filesystems.ListAsync(ExtensionScope.Room, room));
        int removed = 0;
        foreach (var f in written)
        {
            removed += await Filesystems.UnregisterWorkerAsync(f.WorkerId);
        }

        Assert.Equal(1, removed); // only the provider that holds it removes it
        Assert.Empty(await Filesystems.ListAsync(ExtensionScope.Room, room));
    }

    [Fact]
    public async Task Invalid_ids_are_refused_before_anything_is_stored()
    {
        string room = NewId("room"), sid = NewId("sid");

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.SaveAsync(new FilesystemInfo("data", "local", sid, "bob", false, ExtensionScope.Room, "a:b")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.SaveAsync(new FilesystemInfo("data", "local", sid, "bob", false, ExtensionScope.Room, null)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.SaveAsync(new FilesystemInfo("", "local", sid, "bob", false, ExtensionScope.Room, room)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.SaveAsync(new FilesystemInfo("x:worker", "local", sid, "bob", false, ExtensionScope.Room, room)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.SaveAsync(new FilesystemInfo("data", "local", "a:b", "bob", false, ExtensionScope.Room, room)));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.ListAsync(ExtensionScope.Room, null));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Filesystems.UnregisterWorkerAsync(""));
        await Assert.ThrowsAnyAsync<ArgumentNullException>(async () => await Filesystems.SaveAsync(null!));

        Assert.Empty(await Filesystems.ListAsync(ExtensionScope.Room, room));
    }

    [Fact]
    public async Task A_cancelled_token_sends_nothing()
    {
        string room = NewId("room");
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await Filesystems.SaveAsync(new FilesystemInfo("data", "local", NewId("sid"), "bob", false, ExtensionScope.Room, room), cancelled));

        Assert.Null(await Filesystems.GetByIdAsync(new FilesystemId(ExtensionScope.Room, room, "data")));
    }
}
