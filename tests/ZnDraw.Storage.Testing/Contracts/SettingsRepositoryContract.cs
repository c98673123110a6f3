using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="ISettingsRepository"/> that any backend must show.</summary>
public abstract class SettingsRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private ISettingsRepository Settings => Store.Get<ISettingsRepository>();

    [Fact]
    public async Task Sections_read_back_per_user_and_a_user_without_settings_reads_as_null()
    {
        string room = NewId("r");

        await Settings.SetSectionAsync(room, "alice", RoomSettingsSections.Camera, Json("{\"fov\":75.0,\"label\":\"\u00e9\"}"));
        await Settings.SetSectionAsync(room, "alice", RoomSettingsSections.StudioLighting, Json("{\"key_light\": 0.7}"));

        JsonElement camera = (await Settings.GetSectionAsync(room, "alice", RoomSettingsSections.Camera))!.Value;
        Assert.Equal(75.0, camera.GetProperty("fov").GetDouble());
        Assert.Equal("\u00e9", camera.GetProperty("label").GetString());
        UserRoomSettings all = (await Settings.GetAllAsync(room, "alice"))!;
        Assert.Equal(["camera", "studio_lighting"], all.Sections.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.Equal(0.7, all.StudioLighting!.Value.GetProperty("key_light").GetDouble());
        Assert.Equal(75.0, all.Camera!.Value.GetProperty("fov").GetDouble());
        Assert.Null(await Settings.GetSectionAsync(room, "alice", RoomSettingsSections.Pathtracing));
        Assert.Null(await Settings.GetAllAsync(room, "bob"));
        Assert.Null(await Settings.GetSectionAsync(room, "bob", RoomSettingsSections.Camera));
    }

    [Fact]
    public async Task Set_sections_writes_every_named_section_and_keeps_the_others()
    {
        string room = NewId("r");
        await Settings.SetSectionAsync(room, "alice", "camera", Json("{\"fov\": 75.0}"));

        await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([
            new RoomSettingsSection("studio_lighting", Json("{\"a\": 1}")),
            new RoomSettingsSection("pathtracing", Json("{\"enabled\": false}")),
        ]));
        await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([new RoomSettingsSection("pathtracing", Json("{\"enabled\": true}"))]));

        UserRoomSettings all = (await Settings.GetAllAsync(room, "alice"))!;
        Assert.Equal(["camera", "pathtracing", "studio_lighting"], all.Sections.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.True(all.Pathtracing!.Value.GetProperty("enabled").GetBoolean());
        Assert.Equal(75.0, all.Camera!.Value.GetProperty("fov").GetDouble());
    }

    [Fact]
    public async Task An_empty_set_of_sections_writes_nothing()
    {
        string room = NewId("r");

        await Settings.SetSectionsAsync(room, "carol", new UserRoomSettings([]));

        Assert.Null(await Settings.GetAllAsync(room, "carol"));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(40)]
    public async Task Repeated_unnamed_or_bad_sections_are_refused_before_anything_is_written(int count)
    {
        string room = NewId("r");
        RoomSettingsSection[] sections = [.. Enumerable.Range(0, count).Select(i => new RoomSettingsSection("s" + i, Json("{\"i\": " + i + "}")))];

        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections, sections[count / 2]])));
        Assert.Equal("settings", ex.ParamName);
        Assert.StartsWith($"Section 's{count / 2}' is listed twice.", ex.Message, StringComparison.Ordinal);

        // Names are checked first, in list order (an unnamed section before a repeat is reported), then the values.
        ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections, new RoomSettingsSection("", Json("{}")), sections[0]])));
        Assert.DoesNotContain("twice", ex.Message, StringComparison.Ordinal);
        ex = await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections, new RoomSettingsSection("x", Json("[1]")), sections[0]])));
        Assert.Contains("twice", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections, null!])));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections, new RoomSettingsSection("", Json("{}"))])));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections, new RoomSettingsSection("x", Json("[1]"))])));
        Assert.Null(await Settings.GetAllAsync(room, "alice"));

        await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([.. sections]));
        Assert.Equal(sections.Select(s => s.Name).Order(StringComparer.Ordinal), (await Settings.GetAllAsync(room, "alice"))!.Sections.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Bad_single_sections_and_names_are_refused()
    {
        string room = NewId("r");

        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionAsync(room, "alice", "camera", Json("[1]")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionAsync(room, "alice", "", Json("{}")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetSectionAsync(room, " alice", "camera", Json("{}")));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Settings.SetSectionAsync("a:b", "alice", "camera", Json("{}")));

        Assert.Null(await Settings.GetAllAsync(room, "alice"));
    }

    [Fact]
    public async Task Extension_form_data_is_kept_per_user_category_and_extension()
    {
        string room = NewId("r");

        await Settings.SetExtensionDataAsync(room, "alice", "modifiers", "Rotate", Json("{\"angle\":90.0,\"axis\":\"z\"}"));
        await Settings.SetExtensionDataAsync(room, "bob", "analysis", "Distance", Json("{\"smooth\": true}"));
        await Settings.SetExtensionDataAsync(room, "bob", "modifiers", "Rotate", Json("[1, 2]"));

        Assert.Equal(90.0, (await Settings.GetExtensionDataAsync(room, "alice", "modifiers", "Rotate"))!.Value.GetProperty("angle").GetDouble());
        Assert.True((await Settings.GetExtensionDataAsync(room, "bob", "analysis", "Distance"))!.Value.GetProperty("smooth").GetBoolean());
        Assert.Equal(2, (await Settings.GetExtensionDataAsync(room, "bob", "modifiers", "Rotate"))!.Value.GetArrayLength());
        Assert.Null(await Settings.GetExtensionDataAsync(room, "alice", "modifiers", "Delete"));
        Assert.Null(await Settings.GetExtensionDataAsync(room, "alice", "analysis", "Distance"));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetExtensionDataAsync(room, "alice", "a:b", "x", Json("1")));
        await Assert.ThrowsAsync<ArgumentException>(async () => await Settings.SetExtensionDataAsync(room, "alice", "modifiers", "", Json("1")));
    }

    [Fact]
    public async Task The_settings_category_of_extension_data_is_the_settings_themselves()
    {
        string room = NewId("r");

        await Settings.SetExtensionDataAsync(room, "alice", "settings", "camera", Json("{\"fov\": 50}"));

        Assert.Equal(50, (await Settings.GetSectionAsync(room, "alice", "camera"))!.Value.GetProperty("fov").GetInt32());
    }

    [Fact]
    public async Task Concurrent_section_writes_of_one_user_lose_no_section()
    {
        string room = NewId("r");

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Settings.SetSectionAsync(room, "alice", "s" + i, Json("{\"i\": " + i + "}")).AsTask()));

        UserRoomSettings all = (await Settings.GetAllAsync(room, "alice"))!;
        Assert.Equal(Enumerable.Range(0, 16).Select(i => "s" + i).Order(StringComparer.Ordinal), all.Sections.Select(s => s.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_cancelled_token_writes_nothing()
    {
        string room = NewId("r");
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Settings.SetSectionAsync(room, "alice", "camera", Json("{}"), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Settings.SetSectionsAsync(room, "alice", new UserRoomSettings([new RoomSettingsSection("camera", Json("{}"))]), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Settings.SetExtensionDataAsync(room, "alice", "modifiers", "Rotate", Json("{}"), cancelled));

        Assert.Null(await Settings.GetAllAsync(room, "alice"));
        Assert.Null(await Settings.GetExtensionDataAsync(room, "alice", "modifiers", "Rotate"));
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
