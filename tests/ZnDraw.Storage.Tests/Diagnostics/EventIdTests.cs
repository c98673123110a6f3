using System.Reflection;
using Microsoft.Extensions.Logging;
using ZnDraw.Storage.Diagnostics;
using ZnDraw.Storage.Sql;

namespace ZnDraw.Storage.Tests.Diagnostics;

/// <summary>
/// Every log message of the library (each <c>[LoggerMessage]</c> method of ZnDraw.Storage and ZnDraw.Storage.Sql) has
/// its own event id and name, and every id is a constant of <see cref="ZnDrawEventIds"/>.
/// </summary>
public sealed class EventIdTests
{
    private const BindingFlags AllMethods =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    private static readonly Assembly[] LibraryAssemblies = [typeof(ZnDrawEventIds).Assembly, typeof(ZnDraw.Storage.Sql.SqlStorageOptions).Assembly];

    public static TheoryData<string> Assemblies => [.. LibraryAssemblies.Select(a => a.GetName().Name!)];

    [Fact]
    public void The_library_writes_log_messages()
    {
        // Guards the reflection below: an empty set would make every other test here pass vacuously.
        Assert.True(Messages().Count(m => m.Assembly == "ZnDraw.Storage") >= 60, $"found {Messages().Count} [LoggerMessage] methods");
    }

    [Fact]
    public void No_two_log_messages_share_an_event_id()
    {
        var shared = Messages()
            .GroupBy(m => m.Id)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(shared.Count == 0, "event ids used by more than one message:\n" + string.Join("\n", shared));
    }

    [Fact]
    public void No_two_log_messages_share_an_event_name()
    {
        var shared = Messages()
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}")
            .ToList();
        Assert.True(shared.Count == 0, "event names used by more than one message:\n" + string.Join("\n", shared));
    }

    [Fact]
    public void Every_event_id_is_a_constant_of_the_table()
    {
        var table = TableIds();
        var outside = Messages().Where(m => !table.ContainsKey(m.Id)).Select(m => $"{m.Id} ({m.Method})").ToList();
        Assert.True(outside.Count == 0, "event ids not in ZnDrawEventIds:\n" + string.Join("\n", outside));
    }

    [Fact]
    public void Every_constant_of_the_table_is_one_id_used_by_one_message()
    {
        var table = TableIds();
        var duplicates = typeof(ZnDrawEventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .GroupBy(f => (int)f.GetRawConstantValue()!)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(f => f.Name))}")
            .ToList();
        Assert.True(duplicates.Count == 0, "constants sharing a value:\n" + string.Join("\n", duplicates));

        var used = Messages().Select(m => m.Id).ToHashSet();
        var unused = table.Where(t => !used.Contains(t.Key)).Select(t => $"{t.Value} = {t.Key}").ToList();
        Assert.True(unused.Count == 0, "constants no message uses (delete them):\n" + string.Join("\n", unused));
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Each_event_id_lies_in_its_assembly_s_range(string assembly)
    {
        // ZnDraw.Storage: 2000–3999; ZnDraw.Storage.Sql: 4000–4999 (see ZnDrawEventIds).
        var (low, high) = assembly == "ZnDraw.Storage.Sql" ? (4000, 4999) : (2000, 3999);
        var outside = Messages().Where(m => m.Assembly == assembly && (m.Id < low || m.Id > high)).Select(m => $"{m.Id} ({m.Method})").ToList();
        Assert.True(outside.Count == 0, $"event ids outside {low}–{high}:\n" + string.Join("\n", outside));
    }

    [Fact]
    public void The_documented_ids_keep_their_numbers()
    {
        // docs/repositories.md (2100), docs/passwords.md (3108, 3113), docs/index-reconciliation.md (3400–3412).
        Assert.Equal(2100, ZnDrawEventIds.UnreadableEntrySkipped);
        Assert.Equal(3108, ZnDrawEventIds.UserMalformedHash);
        Assert.Equal(3113, ZnDrawEventIds.UserZnDrawSha256InUse);
        Assert.Equal(3400, ZnDrawEventIds.ReconcilerDisabled);
        Assert.Equal(3402, ZnDrawEventIds.ReconcilerFailed);
        Assert.Equal(3404, ZnDrawEventIds.ReconcilerRecovered);
        Assert.Equal(3405, ZnDrawEventIds.ReconcilerSettingInaccessible);
        Assert.Equal(3406, ZnDrawEventIds.ReconcilerNotificationsOff);
        Assert.Equal(3407, ZnDrawEventIds.ReconcilerConfigured);
        Assert.Equal(3408, ZnDrawEventIds.ReconcilerClusterWithoutNotifications);
        Assert.Equal(3412, ZnDrawEventIds.ReconcilerSettingNotChecked);
    }

    private sealed record Message(string Assembly, string Method, int Id, string Name);

    private static List<Message> Messages() =>
    [
        .. from assembly in LibraryAssemblies
           from type in assembly.GetTypes()
           from method in type.GetMethods(AllMethods)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select new Message(
               assembly.GetName().Name!,
               $"{type.FullName}.{method.Name}",
               attribute.EventId,
               // The generator names an event after its method unless EventName is given.
               string.IsNullOrEmpty(attribute.EventName) ? method.Name : attribute.EventName),
    ];

    private static Dictionary<int, string> TableIds() =>
        typeof(ZnDrawEventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .GroupBy(f => (int)f.GetRawConstantValue()!)
            .ToDictionary(g => g.Key, g => g.First().Name);
}
