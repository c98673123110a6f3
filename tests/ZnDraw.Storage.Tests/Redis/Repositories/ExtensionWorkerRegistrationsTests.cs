using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

public class ExtensionWorkerRegistrationsTests
{
    [Fact]
    public void Entries_are_the_logical_scope_names_and_parse_back()
    {
        Assert.Equal("extensions:room:r1:modifiers", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Room, "r1", "modifiers"));
        Assert.Equal("extensions:global:modifiers", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Global, null, "modifiers"));
        Assert.Equal("filesystems:room:r1", ExtensionWorkerRegistrations.ForFilesystems("r1"));
        Assert.Equal("filesystems:global", ExtensionWorkerRegistrations.ForFilesystems(null));

        Assert.True(ExtensionWorkerRegistrations.TryParseExtensions("extensions:room:r1:modifiers", out var scope, out var room, out var category));
        Assert.Equal((ExtensionScope.Room, "r1", "modifiers"), (scope, room, category));
        Assert.True(ExtensionWorkerRegistrations.TryParseFilesystems("filesystems:room:r1", out room));
        Assert.Equal("r1", room);
    }

    [Fact]
    public void A_repeated_scope_reuses_its_entry_and_many_scopes_never_mix()
    {
        Assert.Same(
            ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Room, "r-same", "modifiers"),
            ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Room, "r-same", "modifiers"));
        Assert.Same(ExtensionWorkerRegistrations.ForFilesystems("r-same"), ExtensionWorkerRegistrations.ForFilesystems("r-same"));

        // Far more scopes than cache slots, read back in another order (the room "a" and the category "a" never meet).
        for (int round = 0; round < 2; round++)
        {
            for (int i = 0; i < 500; i++)
            {
                int n = round == 0 ? i : 499 - i;
                string r = "r" + n, c = "c" + (n % 5);
                Assert.Equal($"extensions:room:{r}:{c}", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Room, r, c));
                Assert.Equal($"extensions:global:{c}{n}", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Global, null, c + n));
                Assert.Equal($"filesystems:room:{r}", ExtensionWorkerRegistrations.ForFilesystems(r));
            }
        }

        Assert.Equal("extensions:global:a", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Global, null, "a"));
        Assert.Equal("extensions:room:a:a", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Room, "a", "a"));
        Assert.Equal("extensions:global:a", ExtensionWorkerRegistrations.ForExtensions(ExtensionScope.Global, null, "a"));
    }
}
