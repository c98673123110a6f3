using System.Buffers;
using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Geometries and figures beyond the reads of <see cref="GeometryBenchmarks"/>: HKEYS listings, HSET of a geometry / figure
/// written as Python <c>json.dumps</c> text, the merge (HGET, merge in .NET, compare-and-set script: two round trips by design),
/// HGET of a figure, and the deletes, each measured after the HSET that puts the field back.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class GeometryMoreBenchmarks : RedisBenchmark
{
    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _roomIdFiguresKey = null!;
    private string _roomIdGeometriesKey = null!;

    private const string RoomId = "bench-geometries-more";
    private const string SetName = "bench-set";
    private const string MergeName = "bench-merge";
    private const string DeleteName = "bench-delete";
    private const string FigureName = "energy";
    private const string FigureSetName = "bench-figure-set";
    private const string FigureDeleteName = "bench-figure-delete";
    private IDatabase _db = null!;
    private GeometryRepository _geometries = null!;
    private RawScript _cas = null!;
    private Geometry _geometry = null!;
    private Geometry _mergeUpdate = null!;
    private Figure _figure = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _roomIdFiguresKey = Room(RoomId) + ":figures";
        _roomIdGeometriesKey = Room(RoomId) + ":geometries";
        var context = BenchmarkRedis.Context();
        _geometries = new GeometryRepository(context);
        _cas = new RawScript(GeometryScripts.CompareAndSet.Text);
        await _db.KeyDeleteAsync([_roomIdGeometriesKey, _roomIdFiguresKey]);
        await _db.HashSetAsync(_roomIdGeometriesKey, [.. DefaultGeometries.All.Select(g => new HashEntry(g.Name, g.Json))]);
        _geometry = Parse(DefaultGeometries.Particles.Json);
        _mergeUpdate = new Geometry(GeometryTypes.Sphere, JsonParse("""{"scale": 0.9, "opacity": 0.8, "label": "merged \u00e9", "position": [[0.0, 1.5, 2.25], [1.0, 2.0, 3.0]]}"""));
        _figure = new Figure(JsonParse("""
            {"data": [{"type": "scatter", "name": "energy", "x": [0, 1, 2, 3, 4, 5], "y": [-1.5, -1.75, -1.8125, -1.84, -1.845, -1.846]}],
             "layout": {"title": {"text": "Energy / eV"}, "xaxis": {"title": "step"}, "yaxis": {"title": "E"}, "showlegend": false}}
            """));
        await _geometries.SetAsync(RoomId, SetName, _geometry);
        await _geometries.SetAsync(RoomId, MergeName, _geometry);
        await _geometries.SetFigureAsync(RoomId, FigureName, _figure);
        await _geometries.SetFigureAsync(RoomId, "forces", _figure);
        await _geometries.SetFigureAsync(RoomId, FigureSetName, _figure);
    }

    protected override async Task VerifyAsync()
    {
        SameSequence(await _geometries.ListNamesAsync(RoomId), await Raw_list_names_once(), "geometry names");
        SameSequence(await _geometries.ListFigureNamesAsync(RoomId), await Raw_list_figure_names_once(), "figure names");
        Same(await _geometries.GetFigureAsync(RoomId, FigureName), await Raw_get_figure_once(), "figure");
        Same(await _geometries.GetFigureAsync(RoomId, "missing"), await RawGetFigureAsync("missing"), "missing figure");

        await SameWriteAsync(_roomIdGeometriesKey, SetName, Lib_set_once, Raw_set_once, "geometry set");
        await SameWriteAsync(_roomIdFiguresKey, FigureSetName, Lib_set_figure_once, Raw_set_figure_once, "figure set");

        // Merge: from the unmerged geometry (the merge path), from a missing field (the replacement path), and again on the
        // merged value (what the benchmark repeats).
        foreach (bool missing in new[] { false, true })
        {
            Geometry? lib = null, raw = null;
            RedisValue libStored = RedisValue.Null;
            foreach (bool library in new[] { true, false })
            {
                if (missing)
                {
                    await _db.HashDeleteAsync(_roomIdGeometriesKey, MergeName);
                }
                else
                {
                    await _geometries.SetAsync(RoomId, MergeName, _geometry);
                }

                Geometry result = library ? await Lib_merge_once() : await Raw_merge_once();
                RedisValue stored = await _db.HashGetAsync(_roomIdGeometriesKey, MergeName);
                if (library)
                {
                    (lib, libStored) = (result, stored);
                }
                else
                {
                    raw = result;
                    Same((string?)libStored, (string?)stored, "merged geometry stored" + (missing ? " (missing before)" : string.Empty));
                }
            }

            Same(lib, raw, "merge result" + (missing ? " (missing before)" : string.Empty));
        }

        await _geometries.SetAsync(RoomId, MergeName, _geometry);
        Same(await Lib_merge_once(), await Raw_merge_once(), "merge on the merged value");

        Same(await Lib_set_delete_once(), await Raw_set_delete_once(), "geometry set+delete");
        Same(await _db.HashExistsAsync(_roomIdGeometriesKey, DeleteName), false, "geometry deleted");
        Same(await Lib_set_figure_delete_once(), await Raw_set_figure_delete_once(), "figure set+delete");
        Same(await _db.HashExistsAsync(_roomIdFiguresKey, FigureDeleteName), false, "figure deleted");
    }

    private async Task SameWriteAsync(string key, string field, Func<ValueTask> library, Func<Task> raw, string what)
    {
        await _db.HashDeleteAsync(key, field);
        await library();
        string? lib = await _db.HashGetAsync(key, field);
        await _db.HashDeleteAsync(key, field);
        await raw();
        Same(lib, (string?)await _db.HashGetAsync(key, field), what);
    }

    private static JsonElement JsonParse(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static Geometry Parse(string json)
    {
        JsonElement root = JsonParse(json);
        return new Geometry(root.GetProperty("type").GetString()!, root.GetProperty("data"));
    }

    /// <summary>What a hand-written reader does with a stored geometry: parse, check the shape, keep type and data.</summary>
    private static Geometry ToGeometry(in RedisValue value)
    {
        JsonElement root = RawJson.ParseDetached(value);
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("bad geometry");
        }

        string name = type.GetString()!;
        return name.Length == 0 ? throw new InvalidOperationException("empty geometry type") : new Geometry(name, data);
    }

    private static void RequireGeometry(Geometry geometry)
    {
        if (string.IsNullOrEmpty(geometry.Type) || geometry.Data.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException("bad geometry", nameof(geometry));
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.ListNames")]
    public Task Raw_list_names() => Repeat(Raw_list_names_once);

    public async Task<IReadOnlyList<string>> Raw_list_names_once()
    {
        RedisValue[] names = await _db.HashKeysAsync(_roomIdGeometriesKey).ConfigureAwait(false);
        var result = new string[names.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = names[i]!;
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.ListNames")]
    public Task Lib_list_names() => Repeat(Lib_list_names_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_names_once() => _geometries.ListNamesAsync(RoomId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.Set")]
    public Task Raw_set() => Repeat(Raw_set_once);

    public Task Raw_set_once() => RawSetAsync(SetName, _geometry);

    private Task RawSetAsync(string name, Geometry geometry)
    {
        RequireGeometry(geometry);
        return _db.HashSetAsync(_roomIdGeometriesKey, name, RawJson.PythonGeometry(geometry.Type, geometry.Data));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.Set")]
    public Task Lib_set() => Repeat(Lib_set_once);

    public ValueTask Lib_set_once() => _geometries.SetAsync(RoomId, SetName, _geometry);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.Merge")]
    public Task Raw_merge() => Repeat(Raw_merge_once);

    public async Task<Geometry> Raw_merge_once()
    {
        Geometry update = _mergeUpdate;
        RequireGeometry(update);
        RedisKey key = _roomIdGeometriesKey;
        RedisValue current = await _db.HashGetAsync(key, MergeName).ConfigureAwait(false);
        for (int attempt = 0; attempt < 16; attempt++)
        {
            byte[] merged = RawJson.MergeGeometry(current, update);
            RedisValue[] args = current.IsNull ? [MergeName, "0", RedisValue.EmptyString, merged] : [MergeName, "1", current, merged];
            var result = (RedisResult[])(await _db.ScriptEvaluateAsync(_cas.Sha1, [key], args).ConfigureAwait(false))!;
            if ((long)result[0] == 1)
            {
                return ToGeometry(merged);
            }

            current = result.Length > 1 ? (RedisValue)result[1] : RedisValue.Null;
        }

        throw new InvalidOperationException("the geometry kept changing during the merge");
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.Merge")]
    public Task Lib_merge() => Repeat(Lib_merge_once);

    public ValueTask<Geometry> Lib_merge_once() => _geometries.MergeAsync(RoomId, MergeName, _mergeUpdate);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetThenDelete")]
    public Task Raw_set_delete() => Repeat(Raw_set_delete_once);

    public async Task<bool> Raw_set_delete_once()
    {
        await RawSetAsync(DeleteName, _geometry).ConfigureAwait(false);
        return await _db.HashDeleteAsync(_roomIdGeometriesKey, DeleteName).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetThenDelete")]
    public Task Lib_set_delete() => Repeat(Lib_set_delete_once);

    public async Task<bool> Lib_set_delete_once()
    {
        await _geometries.SetAsync(RoomId, DeleteName, _geometry).ConfigureAwait(false);
        return await _geometries.DeleteAsync(RoomId, DeleteName).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetFigure")]
    public Task Raw_get_figure() => Repeat(Raw_get_figure_once);

    public Task<Figure?> Raw_get_figure_once() => RawGetFigureAsync(FigureName);

    private async Task<Figure?> RawGetFigureAsync(string name)
    {
        RedisValue value = await _db.HashGetAsync(_roomIdFiguresKey, name).ConfigureAwait(false);
        return value.IsNull ? null : new Figure(RawJson.ParseDetached(value));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetFigure")]
    public Task Lib_get_figure() => Repeat(Lib_get_figure_once);

    public ValueTask<Figure?> Lib_get_figure_once() => _geometries.GetFigureAsync(RoomId, FigureName);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetFigure")]
    public Task Raw_set_figure() => Repeat(Raw_set_figure_once);

    public Task Raw_set_figure_once() => RawSetFigureAsync(FigureSetName, _figure);

    private Task RawSetFigureAsync(string name, Figure figure) =>
        _db.HashSetAsync(_roomIdFiguresKey, name, RawJson.Python(figure.Value));

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetFigure")]
    public Task Lib_set_figure() => Repeat(Lib_set_figure_once);

    public ValueTask Lib_set_figure_once() => _geometries.SetFigureAsync(RoomId, FigureSetName, _figure);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetFigureThenDelete")]
    public Task Raw_set_figure_delete() => Repeat(Raw_set_figure_delete_once);

    public async Task<bool> Raw_set_figure_delete_once()
    {
        await RawSetFigureAsync(FigureDeleteName, _figure).ConfigureAwait(false);
        return await _db.HashDeleteAsync(_roomIdFiguresKey, FigureDeleteName).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetFigureThenDelete")]
    public Task Lib_set_figure_delete() => Repeat(Lib_set_figure_delete_once);

    public async Task<bool> Lib_set_figure_delete_once()
    {
        await _geometries.SetFigureAsync(RoomId, FigureDeleteName, _figure).ConfigureAwait(false);
        return await _geometries.DeleteFigureAsync(RoomId, FigureDeleteName).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.ListFigureNames")]
    public Task Raw_list_figure_names() => Repeat(Raw_list_figure_names_once);

    public async Task<IReadOnlyList<string>> Raw_list_figure_names_once()
    {
        RedisValue[] names = await _db.HashKeysAsync(_roomIdFiguresKey).ConfigureAwait(false);
        var result = new string[names.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = names[i]!;
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.ListFigureNames")]
    public Task Lib_list_figure_names() => Repeat(Lib_list_figure_names_once);

    public ValueTask<IReadOnlyList<string>> Lib_list_figure_names_once() => _geometries.ListFigureNamesAsync(RoomId);
}

/// <summary>
/// Selections, selection groups and the active group: HGET / HGETALL parsed into models, MULTI(HSET + DEL active) for a
/// selection, HSET of a group, the delete-group script (after the HSET that puts the group back), GET of the active group,
/// and the load-group script. Reads use one room, writes another (a selection write clears the active group).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class GeometrySelectionBenchmarks : RedisBenchmark
{
    // Key names (or heads) that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _readRoomActiveSelectionGroupKey = null!;
    private string _readRoomBase = null!;
    private string _readRoomSelectionGroupsKey = null!;
    private string _readRoomSelectionsKey = null!;
    private string _writeRoomActiveSelectionGroupKey = null!;
    private string _writeRoomBase = null!;
    private string _writeRoomSelectionGroupsKey = null!;
    private string _writeRoomSelectionsKey = null!;

    private const string ReadRoom = "bench-selections";
    private const string WriteRoom = "bench-selections-write";
    private const string ReadGroup = "group-a";
    private const string SetGroupName = "group-set";
    private const string DeleteGroupName = "group-delete";
    private const string LoadGroupName = "group-load";
    private static readonly Selection WriteSelection = new("particles", [.. Enumerable.Range(0, 32).Select(i => i * 3)]);
    private IDatabase _db = null!;
    private GeometryRepository _geometries = null!;
    private RawScript _deleteGroup = null!;
    private RawScript _loadGroup = null!;
    private SelectionGroup _setGroup = null!;
    private SelectionGroup _deleteGroupValue = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _readRoomActiveSelectionGroupKey = Room(ReadRoom) + ":active_selection_group";
        _readRoomBase = RoomBase(ReadRoom);
        _readRoomSelectionGroupsKey = Room(ReadRoom) + ":selection_groups";
        _readRoomSelectionsKey = Room(ReadRoom) + ":selections";
        _writeRoomActiveSelectionGroupKey = Room(WriteRoom) + ":active_selection_group";
        _writeRoomBase = RoomBase(WriteRoom);
        _writeRoomSelectionGroupsKey = Room(WriteRoom) + ":selection_groups";
        _writeRoomSelectionsKey = Room(WriteRoom) + ":selections";
        _geometries = new GeometryRepository(BenchmarkRedis.Context());
        _deleteGroup = new RawScript(GeometryScripts.DeleteGroup.Text);
        _loadGroup = new RawScript(GeometryScripts.LoadGroup.Text);
        string[] keys = ["selections", "selection_groups", "active_selection_group"];
        await _db.KeyDeleteAsync([.. keys.Select(k => (RedisKey)(_readRoomBase + k))]); // two rooms: one delete per slot on the cluster
        await _db.KeyDeleteAsync([.. keys.Select(k => (RedisKey)(_writeRoomBase + k))]);
        await _geometries.SetSelectionGroupAsync(ReadRoom, Group(ReadGroup, 32, 8));
        await _geometries.SetSelectionGroupAsync(ReadRoom, Group("group-b", 4, 2));
        await _geometries.SetSelectionGroupAsync(ReadRoom, Group("group-c", 16, 0));
        await _geometries.LoadSelectionGroupAsync(ReadRoom, ReadGroup); // selections and the active group
        _setGroup = Group(SetGroupName, 32, 8);
        _deleteGroupValue = Group(DeleteGroupName, 8, 4);
        await _geometries.SetSelectionGroupAsync(WriteRoom, Group(LoadGroupName, 32, 8));
        await _geometries.SetSelectionGroupAsync(WriteRoom, _setGroup);
    }

    private static SelectionGroup Group(string name, int particles, int bonds)
    {
        var selections = ImmutableArray.CreateBuilder<Selection>();
        selections.Add(new Selection("particles", [.. Enumerable.Range(0, particles).Select(i => i * 2)]));
        if (bonds > 0)
        {
            selections.Add(new Selection("bonds", [.. Enumerable.Range(0, bonds).Select(i => (i * 7) + 1)]));
        }

        return new SelectionGroup(name, selections.ToImmutable());
    }

    protected override async Task VerifyAsync()
    {
        Same(await _geometries.GetSelectionAsync(ReadRoom, "particles"), await Raw_get_selection_once(), "selection");
        SameSequence(await _geometries.GetSelectionsAsync(ReadRoom), await Raw_get_selections_once(), "selections");
        Same(await _geometries.GetSelectionGroupAsync(ReadRoom, ReadGroup), await Raw_get_selection_group_once(), "selection group");
        SameSequence(await _geometries.GetSelectionGroupsAsync(ReadRoom), await Raw_get_selection_groups_once(), "selection groups");
        Same(await _geometries.GetActiveSelectionGroupAsync(ReadRoom), await Raw_get_active_once(), "active group");
        Same(ReadGroup, await Raw_get_active_once(), "active group is set");

        string selections = _writeRoomSelectionsKey;
        string groups = _writeRoomSelectionGroupsKey;
        string active = _writeRoomActiveSelectionGroupKey;
        await _db.StringSetAsync(active, "x");
        await _db.HashDeleteAsync(selections, WriteSelection.Geometry);
        await Lib_set_selection_once();
        string? lib = await _db.HashGetAsync(selections, WriteSelection.Geometry);
        Same(false, await _db.KeyExistsAsync(active), "library set selection clears the active group");
        await _db.StringSetAsync(active, "x");
        await _db.HashDeleteAsync(selections, WriteSelection.Geometry);
        await Raw_set_selection_once();
        Same(lib, (string?)await _db.HashGetAsync(selections, WriteSelection.Geometry), "selection written");
        Same(false, await _db.KeyExistsAsync(active), "raw set selection clears the active group");

        await _db.HashDeleteAsync(groups, SetGroupName);
        await Lib_set_selection_group_once();
        lib = await _db.HashGetAsync(groups, SetGroupName);
        await _db.HashDeleteAsync(groups, SetGroupName);
        await Raw_set_selection_group_once();
        Same(lib, (string?)await _db.HashGetAsync(groups, SetGroupName), "selection group written");

        await _db.StringSetAsync(active, DeleteGroupName);
        Same(true, await Lib_set_selection_group_delete_once(), "library set+delete group");
        Same(false, await _db.KeyExistsAsync(active), "library delete clears the active group that named it");
        await _db.StringSetAsync(active, DeleteGroupName);
        Same(true, await Raw_set_selection_group_delete_once(), "raw set+delete group");
        Same(false, await _db.KeyExistsAsync(active), "raw delete clears the active group that named it");

        await _db.KeyDeleteAsync([selections, active]);
        Same(true, await Lib_load_selection_group_once(), "library load");
        HashEntry[] libLoaded = [.. (await _db.HashGetAllAsync(selections)).OrderBy(e => (string?)e.Name, StringComparer.Ordinal)];
        string? libActive = await _db.StringGetAsync(active);
        await _db.KeyDeleteAsync([selections, active]);
        Same(true, await Raw_load_selection_group_once(), "raw load");
        SameSequence(libLoaded, (await _db.HashGetAllAsync(selections)).OrderBy(e => (string?)e.Name, StringComparer.Ordinal), "selections loaded");
        Same(libActive, (string?)await _db.StringGetAsync(active), "active group after load");
        Same(await _geometries.LoadSelectionGroupAsync(WriteRoom, "missing"), await RawLoadAsync("missing"), "load of a missing group");
    }

    private static SelectionGroup ParseGroup(string name, in RedisValue value)
    {
        var reader = new Utf8JsonReader(((ReadOnlyMemory<byte>)value).Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidOperationException("bad selection group");
        }

        var selections = ImmutableArray.CreateBuilder<Selection>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string geometry = reader.GetString()!;
            selections.Add(new Selection(geometry, RawJson.ReadIndexArray(ref reader)));
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.Read())
        {
            throw new InvalidOperationException("bad selection group");
        }

        return new SelectionGroup(name, selections.ToImmutable());
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelection")]
    public Task Raw_get_selection() => Repeat(Raw_get_selection_once);

    public async Task<Selection?> Raw_get_selection_once()
    {
        RedisValue value = await _db.HashGetAsync(_readRoomSelectionsKey, "particles").ConfigureAwait(false);
        return value.IsNull ? null : new Selection("particles", RawJson.ParseIndexArray(value));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelection")]
    public Task Lib_get_selection() => Repeat(Lib_get_selection_once);

    public ValueTask<Selection?> Lib_get_selection_once() => _geometries.GetSelectionAsync(ReadRoom, "particles");

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelections")]
    public Task Raw_get_selections() => Repeat(Raw_get_selections_once);

    public async Task<IReadOnlyList<Selection>> Raw_get_selections_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_readRoomSelectionsKey).ConfigureAwait(false);
        var result = new Selection[entries.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = new Selection(entries[i].Name!, RawJson.ParseIndexArray(entries[i].Value));
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelections")]
    public Task Lib_get_selections() => Repeat(Lib_get_selections_once);

    public ValueTask<IReadOnlyList<Selection>> Lib_get_selections_once() => _geometries.GetSelectionsAsync(ReadRoom);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetSelection")]
    public Task Raw_set_selection() => Repeat(Raw_set_selection_once);

    public async Task Raw_set_selection_once()
    {
        Selection selection = WriteSelection;
        RedisValue value = RawJson.FormatIndexArray(selection.Indices.AsSpan());
        ITransaction tx = _db.CreateTransaction();
        Task set = tx.HashSetAsync(_writeRoomSelectionsKey, selection.Geometry, value);
        Task cleared = tx.KeyDeleteAsync(_writeRoomActiveSelectionGroupKey);
        await tx.ExecuteAsync().ConfigureAwait(false);
        await Task.WhenAll(set, cleared).ConfigureAwait(false);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetSelection")]
    public Task Lib_set_selection() => Repeat(Lib_set_selection_once);

    public ValueTask Lib_set_selection_once() => _geometries.SetSelectionAsync(WriteRoom, WriteSelection);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelectionGroup")]
    public Task Raw_get_selection_group() => Repeat(Raw_get_selection_group_once);

    public async Task<SelectionGroup?> Raw_get_selection_group_once()
    {
        RedisValue value = await _db.HashGetAsync(_readRoomSelectionGroupsKey, ReadGroup).ConfigureAwait(false);
        return value.IsNull ? null : ParseGroup(ReadGroup, value);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelectionGroup")]
    public Task Lib_get_selection_group() => Repeat(Lib_get_selection_group_once);

    public ValueTask<SelectionGroup?> Lib_get_selection_group_once() => _geometries.GetSelectionGroupAsync(ReadRoom, ReadGroup);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelectionGroups")]
    public Task Raw_get_selection_groups() => Repeat(Raw_get_selection_groups_once);

    public async Task<IReadOnlyList<SelectionGroup>> Raw_get_selection_groups_once()
    {
        HashEntry[] entries = await _db.HashGetAllAsync(_readRoomSelectionGroupsKey).ConfigureAwait(false);
        var result = new SelectionGroup[entries.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = ParseGroup(entries[i].Name!, entries[i].Value);
        }

        return result;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetSelectionGroups")]
    public Task Lib_get_selection_groups() => Repeat(Lib_get_selection_groups_once);

    public ValueTask<IReadOnlyList<SelectionGroup>> Lib_get_selection_groups_once() => _geometries.GetSelectionGroupsAsync(ReadRoom);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetSelectionGroup")]
    public Task Raw_set_selection_group() => Repeat(Raw_set_selection_group_once);

    public Task Raw_set_selection_group_once() => RawSetGroupAsync(_setGroup);

    private Task RawSetGroupAsync(SelectionGroup group)
    {
        if (string.IsNullOrEmpty(group.Name))
        {
            throw new ArgumentException("empty group name", nameof(group));
        }

        return _db.HashSetAsync(_writeRoomSelectionGroupsKey, group.Name, RawJson.FormatGroup(group));
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetSelectionGroup")]
    public Task Lib_set_selection_group() => Repeat(Lib_set_selection_group_once);

    public ValueTask Lib_set_selection_group_once() => _geometries.SetSelectionGroupAsync(WriteRoom, _setGroup);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetSelectionGroupThenDelete")]
    public Task Raw_set_selection_group_delete() => Repeat(Raw_set_selection_group_delete_once);

    public async Task<bool> Raw_set_selection_group_delete_once()
    {
        await RawSetGroupAsync(_deleteGroupValue).ConfigureAwait(false);
        RedisKey[] keys = [_writeRoomSelectionGroupsKey, _writeRoomActiveSelectionGroupKey];
        RedisResult result = await _db.ScriptEvaluateAsync(_deleteGroup.Sha1, keys, [DeleteGroupName]).ConfigureAwait(false);
        return (long)result == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.SetSelectionGroupThenDelete")]
    public Task Lib_set_selection_group_delete() => Repeat(Lib_set_selection_group_delete_once);

    public async Task<bool> Lib_set_selection_group_delete_once()
    {
        await _geometries.SetSelectionGroupAsync(WriteRoom, _deleteGroupValue).ConfigureAwait(false);
        return await _geometries.DeleteSelectionGroupAsync(WriteRoom, DeleteGroupName).ConfigureAwait(false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetActiveSelectionGroup")]
    public Task Raw_get_active() => Repeat(Raw_get_active_once);

    public async Task<string?> Raw_get_active_once() =>
        await _db.StringGetAsync(_readRoomActiveSelectionGroupKey).ConfigureAwait(false);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.GetActiveSelectionGroup")]
    public Task Lib_get_active() => Repeat(Lib_get_active_once);

    public ValueTask<string?> Lib_get_active_once() => _geometries.GetActiveSelectionGroupAsync(ReadRoom);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.LoadSelectionGroup")]
    public Task Raw_load_selection_group() => Repeat(Raw_load_selection_group_once);

    public Task<bool> Raw_load_selection_group_once() => RawLoadAsync(LoadGroupName);

    private async Task<bool> RawLoadAsync(string name)
    {
        RedisKey[] keys = [_writeRoomSelectionGroupsKey, _writeRoomSelectionsKey, _writeRoomActiveSelectionGroupKey];
        long status = (long)await _db.ScriptEvaluateAsync(_loadGroup.Sha1, keys, [name]).ConfigureAwait(false);
        return status < 0 ? throw new InvalidOperationException("bad selection group") : status == 1;
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Geometry.LoadSelectionGroup")]
    public Task Lib_load_selection_group() => Repeat(Lib_load_selection_group_once);

    public ValueTask<bool> Lib_load_selection_group_once() => _geometries.LoadSelectionGroupAsync(WriteRoom, LoadGroupName);
}

/// <summary>
/// The hand-written JSON of the raw twins (this file, <c>FrameMoreBenchmarks</c>, <c>SettingsBenchmarks</c>): what a
/// StackExchange.Redis user who must write values byte-identical to Python's <c>json.dumps</c> (separators <c>", "</c> and
/// <c>": "</c>, non-ASCII escaped as <c>\uXXXX</c>, numbers kept as written) would write over <see cref="JsonElement"/>, plus
/// the index-array reader. Strings and names of plain printable ASCII are copied as they are; others are re-escaped.
/// </summary>
internal static class RawJson
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    private static ArrayBufferWriter<byte> Buffer()
    {
        ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        return buffer;
    }

    /// <summary>Any JSON value in Python <c>json.dumps</c> form.</summary>
    public static byte[] Python(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("undefined JSON value", nameof(element));
        }

        ArrayBufferWriter<byte> b = Buffer();
        Write(b, element);
        return b.WrittenSpan.ToArray();
    }

    /// <summary>Any JSON value in Python <c>json.dumps</c> form, as text (what the SQL tables store).</summary>
    public static string PythonText(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("undefined JSON value", nameof(element));
        }

        ArrayBufferWriter<byte> b = Buffer();
        Write(b, element);
        return System.Text.Encoding.UTF8.GetString(b.WrittenSpan);
    }

    /// <summary><c>{"type": …, "data": …}</c>.</summary>
    public static byte[] PythonGeometry(string type, JsonElement data)
    {
        ArrayBufferWriter<byte> b = Buffer();
        b.Write("{\"type\": "u8);
        WriteEscaped(b, type);
        b.Write(", \"data\": "u8);
        Write(b, data);
        b.Write("}"u8);
        return b.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The merge of a geometry update into the stored value: stored members in stored order (the update's value where it has
    /// one), then the update's new members; the whole update when nothing of the same type is stored.
    /// </summary>
    public static byte[] MergeGeometry(in RedisValue current, Geometry update)
    {
        if (current.IsNull)
        {
            return PythonGeometry(update.Type, update.Data);
        }

        using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)current);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String
            || !root.TryGetProperty("data", out JsonElement stored) || stored.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("bad stored geometry");
        }

        if (!type.ValueEquals(update.Type))
        {
            return PythonGeometry(update.Type, update.Data);
        }

        ArrayBufferWriter<byte> b = Buffer();
        b.Write("{\"type\": "u8);
        WriteString(b, type);
        b.Write(", \"data\": {"u8);
        bool first = true;
        foreach (JsonProperty property in stored.EnumerateObject())
        {
            Separator(b, ref first);
            WriteName(b, property);
            Write(b, TryGet(update.Data, property, out JsonElement value) ? value : property.Value);
        }

        foreach (JsonProperty property in update.Data.EnumerateObject())
        {
            if (!TryGet(stored, property, out _))
            {
                Separator(b, ref first);
                WriteName(b, property);
                Write(b, property.Value);
            }
        }

        b.Write("}}"u8);
        return b.WrittenSpan.ToArray();
    }

    /// <summary><c>[0, 1, 2]</c>; indices must be non-negative.</summary>
    public static byte[] FormatIndexArray(ReadOnlySpan<int> indices)
    {
        ArrayBufferWriter<byte> b = Buffer();
        WriteIndexArray(b, indices);
        return b.WrittenSpan.ToArray();
    }

    /// <summary><c>{"particles": [0, 1], …}</c>.</summary>
    public static byte[] FormatGroup(SelectionGroup group)
    {
        ArrayBufferWriter<byte> b = Buffer();
        b.Write("{"u8);
        bool first = true;
        foreach (Selection selection in group.Selections)
        {
            Separator(b, ref first);
            WriteEscaped(b, selection.Geometry);
            b.Write(": "u8);
            WriteIndexArray(b, selection.Indices.AsSpan());
        }

        b.Write("}"u8);
        return b.WrittenSpan.ToArray();
    }

    /// <summary>A stored JSON array of non-negative integers.</summary>
    public static ImmutableArray<int> ParseIndexArray(in RedisValue value)
    {
        var reader = new Utf8JsonReader(((ReadOnlyMemory<byte>)value).Span);
        ImmutableArray<int> result = ReadIndexArray(ref reader);
        return reader.Read() ? throw new InvalidOperationException("content after the array") : result;
    }

    /// <summary>Reads the array that starts at the reader's next token.</summary>
    public static ImmutableArray<int> ReadIndexArray(ref Utf8JsonReader reader)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidOperationException("expected an array of indices");
        }

        int[] items = new int[16];
        int count = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt32(out int index) || index < 0)
            {
                throw new InvalidOperationException("expected non-negative integers");
            }

            if (count == items.Length)
            {
                Array.Resize(ref items, count * 2);
            }

            items[count++] = index;
        }

        return ImmutableArray.Create(items, 0, count);
    }

    /// <summary>Parses a stored JSON value into an element that outlives the document.</summary>
    public static JsonElement ParseDetached(in RedisValue value)
    {
        using JsonDocument document = JsonDocument.Parse((ReadOnlyMemory<byte>)value);
        return document.RootElement.Clone();
    }

    private static bool TryGet(JsonElement obj, JsonProperty property, out JsonElement value)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8PropertyName(property);
        return IsPlain(raw) ? obj.TryGetProperty(raw, out value) : obj.TryGetProperty(property.Name, out value);
    }

    private static void Separator(ArrayBufferWriter<byte> b, ref bool first)
    {
        if (!first)
        {
            b.Write(", "u8);
        }

        first = false;
    }

    private static void WriteIndexArray(ArrayBufferWriter<byte> b, ReadOnlySpan<int> indices)
    {
        b.Write("["u8);
        for (int i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(indices));
            }

            if (i > 0)
            {
                b.Write(", "u8);
            }

            Span<byte> span = b.GetSpan(11);
            indices[i].TryFormat(span, out int written, default, System.Globalization.CultureInfo.InvariantCulture);
            b.Advance(written);
        }

        b.Write("]"u8);
    }

    private static void Write(ArrayBufferWriter<byte> b, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
            {
                b.Write("{"u8);
                bool first = true;
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    Separator(b, ref first);
                    WriteName(b, property);
                    Write(b, property.Value);
                }

                b.Write("}"u8);
                break;
            }

            case JsonValueKind.Array:
            {
                b.Write("["u8);
                bool first = true;
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Separator(b, ref first);
                    Write(b, item);
                }

                b.Write("]"u8);
                break;
            }

            case JsonValueKind.String:
                WriteString(b, element);
                break;
            case JsonValueKind.Number:
                b.Write(JsonMarshal.GetRawUtf8Value(element));
                break;
            case JsonValueKind.True:
                b.Write("true"u8);
                break;
            case JsonValueKind.False:
                b.Write("false"u8);
                break;
            case JsonValueKind.Null:
                b.Write("null"u8);
                break;
            default:
                throw new ArgumentException("undefined JSON value", nameof(element));
        }
    }

    private static void WriteName(ArrayBufferWriter<byte> b, JsonProperty property)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8PropertyName(property);
        if (IsPlain(raw))
        {
            WriteQuoted(b, raw);
        }
        else
        {
            WriteEscaped(b, property.Name);
        }

        b.Write(": "u8);
    }

    private static void WriteString(ArrayBufferWriter<byte> b, JsonElement element)
    {
        ReadOnlySpan<byte> raw = JsonMarshal.GetRawUtf8Value(element)[1..^1];
        if (IsPlain(raw))
        {
            WriteQuoted(b, raw);
        }
        else
        {
            WriteEscaped(b, element.GetString()!);
        }
    }

    /// <summary>Printable ASCII and no escape: Python writes it unchanged.</summary>
    private static bool IsPlain(ReadOnlySpan<byte> raw) =>
        !raw.ContainsAnyExceptInRange((byte)' ', (byte)'~') && !raw.Contains((byte)'\\');

    private static void WriteQuoted(ArrayBufferWriter<byte> b, ReadOnlySpan<byte> plain)
    {
        Span<byte> span = b.GetSpan(plain.Length + 2);
        span[0] = (byte)'"';
        plain.CopyTo(span[1..]);
        span[plain.Length + 1] = (byte)'"';
        b.Advance(plain.Length + 2);
    }

    private static void WriteEscaped(ArrayBufferWriter<byte> b, string text)
    {
        Span<byte> span = b.GetSpan((text.Length * 6) + 2);
        int n = 0;
        span[n++] = (byte)'"';
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': span[n++] = (byte)'\\'; span[n++] = (byte)'"'; break;
                case '\\': span[n++] = (byte)'\\'; span[n++] = (byte)'\\'; break;
                case '\n': span[n++] = (byte)'\\'; span[n++] = (byte)'n'; break;
                case '\r': span[n++] = (byte)'\\'; span[n++] = (byte)'r'; break;
                case '\t': span[n++] = (byte)'\\'; span[n++] = (byte)'t'; break;
                case '\b': span[n++] = (byte)'\\'; span[n++] = (byte)'b'; break;
                case '\f': span[n++] = (byte)'\\'; span[n++] = (byte)'f'; break;
                case >= ' ' and <= '~': span[n++] = (byte)c; break;
                default:
                    span[n++] = (byte)'\\';
                    span[n++] = (byte)'u';
                    ((int)c).TryFormat(span[n..], out _, "x4", System.Globalization.CultureInfo.InvariantCulture);
                    n += 4;
                    break;
            }
        }

        span[n++] = (byte)'"';
        b.Advance(n);
    }
}
