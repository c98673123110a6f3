using System.Collections.Immutable;
using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Services;

/// <summary>A room as a migration sees it: the <see cref="Room"/> root and every persistent room-scoped part.</summary>
internal sealed class RoomSnapshot : MigrationSnapshot
{
    public const string RoomPart = "room";
    public const string MetadataPart = "metadata";
    public const string MembersPart = "members";
    public const string TrajectoryPart = "trajectory";
    public const string FrameSelectionsPart = "frame_selections";
    public const string BookmarksPart = "bookmarks";
    public const string GeometriesPart = "geometries";
    public const string FiguresPart = "figures";
    public const string SelectionsPart = "selections";
    public const string SelectionGroupsPart = "selection_groups";
    public const string ActiveSelectionGroupPart = "active_selection_group";
    public const string ChatPart = "chat";
    public const string SettingsPart = "settings";
    public const string ExtensionDataPart = "extension_data";

    public Room? Room { get; init; }

    public RoomMetadata? Metadata { get; init; }

    public IReadOnlyList<string> Members { get; init; } = [];

    public IReadOnlyList<TrajectoryEntry> Trajectory { get; init; } = [];

    public IReadOnlyList<FrameSelection> FrameSelections { get; init; } = [];

    public IReadOnlyList<Bookmark> Bookmarks { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, Geometry>> Geometries { get; init; } = [];

    public IReadOnlyList<KeyValuePair<string, Figure>> Figures { get; init; } = [];

    public IReadOnlyList<Selection> Selections { get; init; } = [];

    public IReadOnlyList<SelectionGroup> SelectionGroups { get; init; } = [];

    public string? ActiveSelectionGroup { get; init; }

    public IReadOnlyList<ChatMessage> Chat { get; init; } = [];

    public long ChatCounter { get; init; }

    public IReadOnlyList<KeyValuePair<string, UserRoomSettings>> Settings { get; init; } = [];

    public IReadOnlyList<KeyValuePair<ExtensionDataKey, JsonElement>> ExtensionData { get; init; } = [];

    public override bool IsEmpty =>
        Room is null && (Metadata is null || Metadata.Fields.Count == 0) && Members.Count == 0 && Trajectory.Count == 0
        && FrameSelections.Count == 0 && Bookmarks.Count == 0 && Geometries.Count == 0 && Figures.Count == 0
        && Selections.Count == 0 && SelectionGroups.Count == 0 && ActiveSelectionGroup is null && Chat.Count == 0
        && ChatCounter == 0 && Settings.Count == 0 && ExtensionData.Count == 0;

    public override void Count(IDictionary<string, long> counts)
    {
        Add(counts, "rooms", Room is null ? 0 : 1);
        Add(counts, "metadata_fields", Metadata?.Fields.Count ?? 0);
        Add(counts, "room_members", Members.Count);
        Add(counts, "frames", Trajectory.Count);
        Add(counts, "frame_selections", FrameSelections.Count);
        Add(counts, "bookmarks", Bookmarks.Count);
        Add(counts, "geometries", Geometries.Count);
        Add(counts, "figures", Figures.Count);
        Add(counts, "selections", Selections.Count);
        Add(counts, "selection_groups", SelectionGroups.Count);
        Add(counts, "active_selection_groups", ActiveSelectionGroup is null ? 0 : 1);
        Add(counts, "chat_messages", Chat.Count);
        Add(counts, "settings", Settings.Count);
        Add(counts, "extension_data", ExtensionData.Count);
    }

    protected override void HashParts(ContentHasher hasher, List<(string Name, byte[] Hash)> parts)
    {
        if (Room is { } room)
        {
            hasher.Add(true).Add(room.Description).Add(room.Locked).Add(room.Hidden).Add(room.CurrentFrame);
        }
        else
        {
            hasher.Add(false);
        }

        parts.Add((RoomPart, hasher.Finish()));

        IReadOnlyList<KeyValuePair<string, string>> fields = Metadata?.Fields ?? [];
        hasher.AddLength(fields.Count);
        foreach (KeyValuePair<string, string> field in fields.OrderBy(static f => f.Key, StringComparer.Ordinal))
        {
            hasher.Add(field.Key).Add(field.Value);
        }

        parts.Add((MetadataPart, hasher.Finish()));

        hasher.AddLength(Members.Count);
        foreach (string member in Members.Order(StringComparer.Ordinal))
        {
            hasher.Add(member);
        }

        parts.Add((MembersPart, hasher.Finish()));

        hasher.AddLength(Trajectory.Count);
        foreach (TrajectoryEntry entry in Trajectory)
        {
            hasher.Add(entry.Frame.SourceRoom).Add(entry.Frame.PhysicalIndex).Add(entry.Score);
        }

        parts.Add((TrajectoryPart, hasher.Finish()));

        hasher.AddLength(FrameSelections.Count);
        foreach (FrameSelection selection in FrameSelections.OrderBy(static s => s.Group, StringComparer.Ordinal))
        {
            hasher.Add(selection.Group);
            AddIndices(hasher, selection.Frames);
        }

        parts.Add((FrameSelectionsPart, hasher.Finish()));

        hasher.AddLength(Bookmarks.Count);
        foreach (Bookmark bookmark in Bookmarks.OrderBy(static b => b.Frame))
        {
            hasher.Add(bookmark.Frame).Add(bookmark.Label);
        }

        parts.Add((BookmarksPart, hasher.Finish()));

        hasher.AddLength(Geometries.Count);
        foreach (KeyValuePair<string, Geometry> geometry in Geometries.OrderBy(static g => g.Key, StringComparer.Ordinal))
        {
            hasher.Add(geometry.Key).Add(geometry.Value.Type).Add(geometry.Value.Data);
        }

        parts.Add((GeometriesPart, hasher.Finish()));

        hasher.AddLength(Figures.Count);
        foreach (KeyValuePair<string, Figure> figure in Figures.OrderBy(static f => f.Key, StringComparer.Ordinal))
        {
            hasher.Add(figure.Key).Add(figure.Value.Value);
        }

        parts.Add((FiguresPart, hasher.Finish()));

        AddSelections(hasher, Selections);
        parts.Add((SelectionsPart, hasher.Finish()));

        hasher.AddLength(SelectionGroups.Count);
        foreach (SelectionGroup group in SelectionGroups.OrderBy(static g => g.Name, StringComparer.Ordinal))
        {
            hasher.Add(group.Name);
            AddSelections(hasher, group.Selections.IsDefault ? [] : group.Selections);
        }

        parts.Add((SelectionGroupsPart, hasher.Finish()));

        parts.Add((ActiveSelectionGroupPart, hasher.Add(ActiveSelectionGroup).Finish()));

        hasher.Add(ChatCounter).AddLength(Chat.Count);
        foreach (ChatMessage message in Chat.OrderBy(static m => m.CreatedAt).ThenBy(static m => m.Id, StringComparer.Ordinal))
        {
            hasher.Add(message.Id).Add(message.RoomId).Add(message.Author).Add(message.Content)
                .Add(message.CreatedAt.ToUnixTimeMilliseconds()).Add(message.UpdatedAt.ToUnixTimeMilliseconds()).Add(message.IsEdited);
        }

        parts.Add((ChatPart, hasher.Finish()));

        hasher.AddLength(Settings.Count);
        foreach (KeyValuePair<string, UserRoomSettings> settings in Settings.OrderBy(static s => s.Key, StringComparer.Ordinal))
        {
            ImmutableArray<RoomSettingsSection> sections = settings.Value.Sections.IsDefault ? [] : settings.Value.Sections;
            hasher.Add(settings.Key).AddLength(sections.Length);
            foreach (RoomSettingsSection section in sections.OrderBy(static s => s.Name, StringComparer.Ordinal))
            {
                hasher.Add(section.Name).Add(section.Value);
            }
        }

        parts.Add((SettingsPart, hasher.Finish()));

        hasher.AddLength(ExtensionData.Count);
        foreach (KeyValuePair<ExtensionDataKey, JsonElement> entry in ExtensionData.OrderBy(static e => e.Key, ExtensionDataKeyComparer.Instance))
        {
            hasher.Add(entry.Key.UserName).Add(entry.Key.Category).Add(entry.Key.Extension).Add(entry.Value);
        }

        parts.Add((ExtensionDataPart, hasher.Finish()));
    }

    private static void AddSelections(ContentHasher hasher, IReadOnlyList<Selection> selections)
    {
        hasher.AddLength(selections.Count);
        foreach (Selection selection in selections.OrderBy(static s => s.Geometry, StringComparer.Ordinal))
        {
            hasher.Add(selection.Geometry);
            AddIndices(hasher, selection.Indices);
        }
    }

    private static void AddIndices(ContentHasher hasher, ImmutableArray<int> indices)
    {
        ReadOnlySpan<int> span = indices.IsDefault ? [] : indices.AsSpan();
        hasher.AddLength(span.Length);
        foreach (int index in span)
        {
            hasher.Add(index);
        }
    }
}

/// <summary>Orders extension data keys by user, category, extension (ordinal).</summary>
internal sealed class ExtensionDataKeyComparer : IComparer<ExtensionDataKey>
{
    public static readonly ExtensionDataKeyComparer Instance = new();

    public int Compare(ExtensionDataKey x, ExtensionDataKey y)
    {
        int c = string.CompareOrdinal(x.UserName, y.UserName);
        c = c != 0 ? c : string.CompareOrdinal(x.Category, y.Category);
        return c != 0 ? c : string.CompareOrdinal(x.Extension, y.Extension);
    }
}

/// <summary>
/// Rooms: listed from the room index; the root through <see cref="IRepository{T, TId}"/>, every part through its
/// contract, what no contract can enumerate through <see cref="IRoomContentListing"/>, and what no live call can
/// write as it is through <see cref="IRoomContentImport"/>.
/// </summary>
internal sealed class MigrationRooms : MigrationKind
{
    // Per-item reads (a figure, a settings hash, ...) run this many at a time: pipelined on Redis, pooled connections on SQL.
    private const int ReadBatch = 16;

    public static readonly MigrationRooms Instance = new();

    public override string Name => StorageMigrationKinds.Room;

    public override async ValueTask<IReadOnlyList<string>> ListIdsAsync(StorageMigrationEndpoint endpoint, CancellationToken cancellationToken)
    {
        var ids = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (string id in endpoint.Rooms.ListIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(id);
        }

        return [.. ids];
    }

    public override async ValueTask<MigrationSnapshot> ReadAsync(StorageMigrationEndpoint endpoint, string id, CancellationToken cancellationToken)
    {
        CancellationToken ct = cancellationToken;
        IRoomContentListing listing = endpoint.RoomContent;
        IGeometryRepository geometries = endpoint.Geometries;

        // Every read at once (one pipeline on Redis); then the reads of the items the first round named.
        Task<Room?> room = endpoint.Rooms.GetByIdAsync(id, ct).AsTask();
        Task<RoomMetadata?> metadata = endpoint.Rooms.GetMetadataAsync(id, ct).AsTask();
        Task<IReadOnlyList<string>> members = endpoint.Rooms.GetUsersAsync(id, ct).AsTask();
        Task<IReadOnlyList<TrajectoryEntry>> trajectory = endpoint.Frames.GetRangeAsync(id, 0, -1, ct).AsTask();
        Task<IReadOnlyList<string>> frameGroups = listing.ListFrameSelectionGroupsAsync(id, ct).AsTask();
        Task<IReadOnlyList<Bookmark>> bookmarks = endpoint.Bookmarks.GetAllAsync(id, ct).AsTask();
        Task<IReadOnlyList<KeyValuePair<string, Geometry>>> geometryList = geometries.GetAllAsync(id, ct).AsTask();
        Task<IReadOnlyList<string>> figureNames = geometries.ListFigureNamesAsync(id, ct).AsTask();
        Task<IReadOnlyList<Selection>> selections = geometries.GetSelectionsAsync(id, ct).AsTask();
        Task<IReadOnlyList<SelectionGroup>> groups = geometries.GetSelectionGroupsAsync(id, ct).AsTask();
        Task<string?> active = geometries.GetActiveSelectionGroupAsync(id, ct).AsTask();
        Task<IReadOnlyList<ChatMessage>> chat = listing.ListChatMessagesAsync(id, ct).AsTask();
        Task<long> counter = listing.GetChatCounterAsync(id, ct).AsTask();
        Task<IReadOnlyList<string>> settingsUsers = listing.ListSettingsUsersAsync(id, ct).AsTask();
        Task<IReadOnlyList<ExtensionDataKey>> extensionKeys = listing.ListExtensionDataAsync(id, ct).AsTask();
        await Task.WhenAll(room, metadata, members, trajectory, frameGroups, bookmarks, geometryList, figureNames, selections, groups, active, chat, counter, settingsUsers, extensionKeys)
            .ConfigureAwait(false);

        var frameSelections = await ReadEachAsync(
            await frameGroups.ConfigureAwait(false), (endpoint.Frames, id), static (s, group, ct) => s.Frames.GetFrameSelectionAsync(s.id, group, ct), ct).ConfigureAwait(false);
        var figures = await ReadEachAsync(
            await figureNames.ConfigureAwait(false), (geometries, id), static (s, name, ct) => s.geometries.GetFigureAsync(s.id, name, ct), ct).ConfigureAwait(false);
        var settings = await ReadEachAsync(
            await settingsUsers.ConfigureAwait(false), (endpoint.Settings, id), static (s, user, ct) => s.Settings.GetAllAsync(s.id, user, ct), ct).ConfigureAwait(false);
        var extensionData = await ReadEachAsync(
            await extensionKeys.ConfigureAwait(false),
            (endpoint.Settings, id),
            static (s, key, ct) => s.Settings.GetExtensionDataAsync(s.id, key.UserName, key.Category, key.Extension, ct),
            ct).ConfigureAwait(false);

        return new RoomSnapshot
        {
            Room = await room.ConfigureAwait(false),
            Metadata = await metadata.ConfigureAwait(false),
            Members = await members.ConfigureAwait(false),
            Trajectory = await trajectory.ConfigureAwait(false),
            FrameSelections = [.. frameSelections.Where(static p => p.Value is not null).Select(static p => p.Value!)],
            Bookmarks = await bookmarks.ConfigureAwait(false),
            Geometries = await geometryList.ConfigureAwait(false),
            Figures = [.. figures.Where(static p => p.Value is not null).Select(static p => new KeyValuePair<string, Figure>(p.Key, p.Value!))],
            Selections = await selections.ConfigureAwait(false),
            SelectionGroups = await groups.ConfigureAwait(false),
            ActiveSelectionGroup = await active.ConfigureAwait(false),
            Chat = await chat.ConfigureAwait(false),
            ChatCounter = await counter.ConfigureAwait(false),
            Settings = [.. settings.Where(static p => p.Value is not null).Select(static p => new KeyValuePair<string, UserRoomSettings>(p.Key, p.Value!))],
            ExtensionData = [.. extensionData.Where(static p => p.Value is not null).Select(static p => new KeyValuePair<ExtensionDataKey, JsonElement>(p.Key, p.Value!.Value))],
        };
    }

    public override async ValueTask<IReadOnlyList<string>> WriteAsync(
        StorageMigrationEndpoint target, string id, MigrationSnapshot source, MigrationSnapshot? current, IReadOnlySet<string> parts, CancellationToken cancellationToken)
    {
        CancellationToken ct = cancellationToken;
        var src = (RoomSnapshot)source;
        var dst = (RoomSnapshot?)current;
        IRoomContentImport import = target.RoomImport ?? throw new InvalidOperationException("The target has no IRoomContentImport: it cannot be a target of rooms.");
        IGeometryRepository geometries = target.Geometries;
        var problems = new List<string>();
        bool All(string part) => dst is null || parts.Contains(part);

        if (All(RoomSnapshot.RoomPart))
        {
            if (src.Room is { } room)
            {
                await target.Rooms.SaveAsync(room with { FrameCount = null }, ct).ConfigureAwait(false);
            }
            else if (dst?.Room is not null)
            {
                problems.Add("The target has the room but the source has only parts of it (no contract removes a room without its parts): the room was left.");
            }
        }

        if (All(RoomSnapshot.MetadataPart))
        {
            await import.ReplaceMetadataAsync(id, src.Metadata, ct).ConfigureAwait(false);
        }

        if (All(RoomSnapshot.MembersPart))
        {
            await import.ReplaceMembersAsync(id, src.Members, ct).ConfigureAwait(false);
        }

        // The trajectory before the bookmarks: a bookmark needs its frame.
        if (All(RoomSnapshot.TrajectoryPart))
        {
            await import.ReplaceTrajectoryAsync(id, src.Trajectory, ct).ConfigureAwait(false);
        }

        if (All(RoomSnapshot.FrameSelectionsPart))
        {
            foreach (FrameSelection selection in src.FrameSelections)
            {
                await target.Frames.SetFrameSelectionAsync(id, selection, ct).ConfigureAwait(false);
            }

            if (dst is not null && dst.FrameSelections.Any(d => !src.FrameSelections.Any(s => s.Group == d.Group)))
            {
                problems.Add("The target has frame selection groups the source has not (no contract removes one): they were left.");
            }
        }

        if (All(RoomSnapshot.BookmarksPart))
        {
            await target.Bookmarks.ClearAsync(id, ct).ConfigureAwait(false);
            foreach (Bookmark bookmark in src.Bookmarks)
            {
                await target.Bookmarks.SetAsync(id, bookmark.Frame, bookmark.Label, ct).ConfigureAwait(false);
            }
        }

        if (All(RoomSnapshot.GeometriesPart))
        {
            foreach (string extra in Extra(dst?.Geometries.Select(static g => g.Key), src.Geometries.Select(static g => g.Key)))
            {
                await geometries.DeleteAsync(id, extra, ct).ConfigureAwait(false);
            }

            foreach (KeyValuePair<string, Geometry> geometry in src.Geometries)
            {
                await geometries.SetAsync(id, geometry.Key, geometry.Value, ct).ConfigureAwait(false);
            }
        }

        if (All(RoomSnapshot.FiguresPart))
        {
            foreach (string extra in Extra(dst?.Figures.Select(static f => f.Key), src.Figures.Select(static f => f.Key)))
            {
                await geometries.DeleteFigureAsync(id, extra, ct).ConfigureAwait(false);
            }

            foreach (KeyValuePair<string, Figure> figure in src.Figures)
            {
                await geometries.SetFigureAsync(id, figure.Key, figure.Value, ct).ConfigureAwait(false);
            }
        }

        // Selections and groups before the active group: a selection write clears it, a group delete may.
        bool selectionsWritten = All(RoomSnapshot.SelectionsPart);
        if (selectionsWritten)
        {
            foreach (Selection selection in src.Selections)
            {
                await geometries.SetSelectionAsync(id, selection, ct).ConfigureAwait(false);
            }

            if (dst is not null && dst.Selections.Any(d => !src.Selections.Any(s => s.Geometry == d.Geometry)))
            {
                problems.Add("The target has selections the source has not (no contract removes one): they were left.");
            }
        }

        bool groupsWritten = All(RoomSnapshot.SelectionGroupsPart);
        if (groupsWritten)
        {
            foreach (string extra in Extra(dst?.SelectionGroups.Select(static g => g.Name), src.SelectionGroups.Select(static g => g.Name)))
            {
                await geometries.DeleteSelectionGroupAsync(id, extra, ct).ConfigureAwait(false);
            }

            foreach (SelectionGroup group in src.SelectionGroups)
            {
                await geometries.SetSelectionGroupAsync(id, group, ct).ConfigureAwait(false);
            }
        }

        if (selectionsWritten || groupsWritten || All(RoomSnapshot.ActiveSelectionGroupPart))
        {
            await import.SetActiveSelectionGroupAsync(id, src.ActiveSelectionGroup, ct).ConfigureAwait(false);
        }

        if (All(RoomSnapshot.ChatPart))
        {
            await import.ReplaceChatAsync(id, src.Chat, src.ChatCounter, ct).ConfigureAwait(false);
        }

        if (All(RoomSnapshot.SettingsPart))
        {
            foreach (KeyValuePair<string, UserRoomSettings> settings in src.Settings)
            {
                await target.Settings.SetSectionsAsync(id, settings.Key, settings.Value, ct).ConfigureAwait(false);
            }

            if (dst is not null && !SettingsContained(dst.Settings, src.Settings))
            {
                problems.Add("The target has settings (users or sections) the source has not (no contract removes one): they were left.");
            }
        }

        if (All(RoomSnapshot.ExtensionDataPart))
        {
            foreach (KeyValuePair<ExtensionDataKey, JsonElement> entry in src.ExtensionData)
            {
                await target.Settings.SetExtensionDataAsync(id, entry.Key.UserName, entry.Key.Category, entry.Key.Extension, entry.Value, ct).ConfigureAwait(false);
            }

            if (dst is not null && dst.ExtensionData.Any(d => !src.ExtensionData.Any(s => s.Key == d.Key)))
            {
                problems.Add("The target has extension data the source has not (no contract removes it): it was left.");
            }
        }

        return problems;
    }

    /// <summary>The names in <paramref name="current"/> that <paramref name="wanted"/> lacks.</summary>
    private static IEnumerable<string> Extra(IEnumerable<string>? current, IEnumerable<string> wanted)
    {
        if (current is null)
        {
            return [];
        }

        var keep = new HashSet<string>(wanted, StringComparer.Ordinal);
        return [.. current.Where(name => !keep.Contains(name))];
    }

    /// <summary>Whether every user and section of <paramref name="current"/> is in <paramref name="wanted"/>.</summary>
    private static bool SettingsContained(IReadOnlyList<KeyValuePair<string, UserRoomSettings>> current, IReadOnlyList<KeyValuePair<string, UserRoomSettings>> wanted)
    {
        foreach (KeyValuePair<string, UserRoomSettings> user in current)
        {
            UserRoomSettings? match = wanted.FirstOrDefault(w => w.Key == user.Key).Value;
            if (match is null)
            {
                return false;
            }

            foreach (RoomSettingsSection section in user.Value.Sections.IsDefault ? [] : user.Value.Sections)
            {
                if (match[section.Name] is null)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Reads one value per item, <see cref="ReadBatch"/> at a time; keeps the item with its value.</summary>
    private static async Task<List<KeyValuePair<TItem, TValue>>> ReadEachAsync<TItem, TState, TValue>(
        IReadOnlyList<TItem> items, TState state, Func<TState, TItem, CancellationToken, ValueTask<TValue>> read, CancellationToken cancellationToken)
    {
        var result = new List<KeyValuePair<TItem, TValue>>(items.Count);
        for (int start = 0; start < items.Count; start += ReadBatch)
        {
            int end = Math.Min(items.Count, start + ReadBatch);
            var tasks = new Task<TValue>[end - start];
            for (int i = start; i < end; i++)
            {
                tasks[i - start] = read(state, items[i], cancellationToken).AsTask();
            }

            TValue[] values = await Task.WhenAll(tasks).ConfigureAwait(false);
            for (int i = start; i < end; i++)
            {
                result.Add(new KeyValuePair<TItem, TValue>(items[i], values[i - start]));
            }
        }

        return result;
    }
}

/// <summary>The default room: one setting, read with <c>GetDefaultRoomAsync</c>, written with <c>SetDefaultRoomAsync</c> / <c>ClearDefaultRoomAsync</c>.</summary>
internal sealed class MigrationDefaultRoom : MigrationKind
{
    public const string Id = "default_room";

    public static readonly MigrationDefaultRoom Instance = new();

    public override string Name => StorageMigrationKinds.DefaultRoom;

    public override ValueTask<IReadOnlyList<string>> ListIdsAsync(StorageMigrationEndpoint endpoint, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<string>>([Id]);

    public override async ValueTask<MigrationSnapshot> ReadAsync(StorageMigrationEndpoint endpoint, string id, CancellationToken cancellationToken) =>
        new DefaultRoomSnapshot(await endpoint.Rooms.GetDefaultRoomAsync(cancellationToken).ConfigureAwait(false));

    public override async ValueTask<IReadOnlyList<string>> WriteAsync(
        StorageMigrationEndpoint target, string id, MigrationSnapshot source, MigrationSnapshot? current, IReadOnlySet<string> parts, CancellationToken cancellationToken)
    {
        string? room = ((DefaultRoomSnapshot)source).RoomId;
        if (room is null)
        {
            await target.Rooms.ClearDefaultRoomAsync(cancellationToken).ConfigureAwait(false);
            return [];
        }

        return await target.Rooms.SetDefaultRoomAsync(room, cancellationToken).ConfigureAwait(false)
            ? []
            : [$"The target has no room '{room}': the default room was not set."];
    }

    /// <summary>The default room's id, or null.</summary>
    internal sealed class DefaultRoomSnapshot(string? roomId) : MigrationSnapshot
    {
        public string? RoomId { get; } = roomId;

        // No default room is nothing to copy (a target's own setting is kept, as deletions are not propagated).
        public override bool IsEmpty => RoomId is null;

        public override void Count(IDictionary<string, long> counts) => Add(counts, "default_room", RoomId is null ? 0 : 1);

        protected override void HashParts(ContentHasher hasher, List<(string Name, byte[] Hash)> parts) =>
            parts.Add(("default_room", hasher.Add(RoomId).Finish()));
    }
}
