using System.Text.Json;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Testing.Contracts;

/// <summary>Every behaviour of <see cref="IGeometryRepository"/> (geometries, figures, selections, selection groups) that any backend must show.</summary>
public abstract class GeometryRepositoryContract(IStoreFactory backend) : StoreContract(backend)
{
    private IGeometryRepository Geometries => Store.Get<IGeometryRepository>();

    // ---------------------------------------------------------------- geometries

    [Fact]
    public async Task Geometries_read_back_equal_and_a_second_set_replaces()
    {
        string room = NewId("r");
        var arrows = new Geometry("Arrow", Json("{\"position\":[[0.0,1.0,2]],\"color\":\"caf\u00e9\",\"scale\":1.0}"));
        var box = new Geometry("Box", Json("{\"size\": 2.0}"));

        await Geometries.SetAsync(room, "arrows", arrows);
        await Geometries.SetAsync(room, "box", box);
        await Geometries.SetAsync(room, "box", new Geometry("Sphere", Json("{}")));
        await Geometries.SetAsync(room, "box", box);

        Assert.Equal(arrows, await Geometries.GetAsync(room, "arrows"));
        Assert.Equal(["arrows", "box"], (await Geometries.ListNamesAsync(room)).Order(StringComparer.Ordinal));
        Assert.Equal(
            [new("arrows", arrows), new KeyValuePair<string, Geometry>("box", box)],
            (await Geometries.GetAllAsync(room)).OrderBy(g => g.Key, StringComparer.Ordinal));
        Assert.Null(await Geometries.GetAsync(room, "missing"));
    }

    [Fact]
    public async Task A_room_without_geometries_reads_as_empty()
    {
        string room = NewId("r");

        Assert.Empty(await Geometries.GetAllAsync(room));
        Assert.Empty(await Geometries.ListNamesAsync(room));
        Assert.False(await Geometries.DeleteAsync(room, "particles"));
    }

    [Fact]
    public async Task Delete_removes_a_geometry_once()
    {
        string room = NewId("r");
        await Geometries.SetAsync(room, "g", new Geometry("Sphere", Json("{}")));

        Assert.True(await Geometries.DeleteAsync(room, "g"));
        Assert.False(await Geometries.DeleteAsync(room, "g"));
        Assert.Null(await Geometries.GetAsync(room, "g"));
    }

    [Fact]
    public async Task Bad_geometries_are_refused_before_anything_is_written()
    {
        string room = NewId("r");

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.SetAsync(room, "", new Geometry("Arrow", Json("{}"))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.SetAsync(room, "x", new Geometry("Arrow", Json("[1]"))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.MergeAsync(room, "x", new Geometry("Arrow", Json("[1]"))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.SetAsync("a:b", "x", new Geometry("Arrow", Json("{}"))));

        Assert.Empty(await Geometries.ListNamesAsync(room));
    }

    [Fact]
    public async Task Merge_of_the_same_type_updates_members_in_place_and_appends_new_ones()
    {
        string room = NewId("r");
        await Geometries.SetAsync(room, "particles", new Geometry("Sphere", Json("{\"active\": true, \"scale\": 0.7, \"opacity\": 1.0, \"resolution\": 16}")));

        Geometry merged = await Geometries.MergeAsync(room, "particles", new Geometry("Sphere", Json("{\"color\": \"#FF0000\", \"scale\": 1.0}")));

        var expected = new Geometry("Sphere", Json("{\"active\": true, \"scale\": 1.0, \"opacity\": 1.0, \"resolution\": 16, \"color\": \"#FF0000\"}"));
        Assert.Equal(expected, merged);
        Assert.Equal(expected, await Geometries.GetAsync(room, "particles"));
        Assert.Equal(
            ["active", "scale", "opacity", "resolution", "color"],
            (await Geometries.GetAsync(room, "particles"))!.Data.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Merge_of_another_type_or_a_new_name_stores_the_geometry_as_given()
    {
        string room = NewId("r");
        await Geometries.SetAsync(room, "g", new Geometry("Sphere", Json("{\"scale\": 0.7}")));

        Assert.Equal(new Geometry("Box", Json("{\"size\": 2.0}")), await Geometries.MergeAsync(room, "g", new Geometry("Box", Json("{\"size\": 2.0}"))));
        Assert.Equal(new Geometry("Floor", Json("{}")), await Geometries.MergeAsync(room, "new", new Geometry("Floor", Json("{}"))));

        Assert.Equal(new Geometry("Box", Json("{\"size\": 2.0}")), await Geometries.GetAsync(room, "g"));
        Assert.Equal(new Geometry("Floor", Json("{}")), await Geometries.GetAsync(room, "new"));
    }

    [Fact]
    public async Task Concurrent_merges_lose_no_member()
    {
        string room = NewId("r");
        await Geometries.SetAsync(room, "g", new Geometry("Sphere", Json("{\"scale\": 0.7}")));
        IGeometryRepository geometries = Geometries;
        using var start = new ManualResetEventSlim(false);

        Task[] merges = [.. Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            start.Wait();
            await geometries.MergeAsync(room, "g", new Geometry("Sphere", Json($"{{\"m{i}\": {i}.5}}")));
        }))];
        start.Set();
        await Task.WhenAll(merges);

        JsonElement data = (await Geometries.GetAsync(room, "g"))!.Data;
        Assert.Equal(0.7, data.GetProperty("scale").GetDouble());
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(i + 0.5, data.GetProperty($"m{i}").GetDouble());
        }
    }

    [Fact]
    public async Task Merging_twice_gives_the_same_value()
    {
        string room = NewId("r");
        await Geometries.SetAsync(room, "g", new Geometry("Sphere", Json("{\"a\": 1, \"b\": [1, 2]}")));
        var update = new Geometry("Sphere", Json("{\"b\": [3], \"c\": \"x\"}"));

        Geometry once = await Geometries.MergeAsync(room, "g", update);
        Geometry twice = await Geometries.MergeAsync(room, "g", update);

        Assert.Equal(once, twice);
        Assert.Equal(new Geometry("Sphere", Json("{\"a\": 1, \"b\": [3], \"c\": \"x\"}")), twice);
    }

    // ---------------------------------------------------------------- figures

    [Fact]
    public async Task Figures_are_opaque_json_that_reads_back_equal()
    {
        string room = NewId("r");
        var figure = new Figure(Json("{\"data\":[{\"x\":[1,2.0],\"type\":\"scatter\"}],\"layout\":{}}"));

        await Geometries.SetFigureAsync(room, "energy", figure);
        await Geometries.SetFigureAsync(room, "other", new Figure(Json("[1, \"two\", null]")));

        Assert.Equal(figure, await Geometries.GetFigureAsync(room, "energy"));
        Assert.Equal(new Figure(Json("[1, \"two\", null]")), await Geometries.GetFigureAsync(room, "other"));
        Assert.Equal(["energy", "other"], (await Geometries.ListFigureNamesAsync(room)).Order(StringComparer.Ordinal));
        Assert.True(await Geometries.DeleteFigureAsync(room, "energy"));
        Assert.False(await Geometries.DeleteFigureAsync(room, "energy"));
        Assert.Null(await Geometries.GetFigureAsync(room, "energy"));
        Assert.Equal(["other"], await Geometries.ListFigureNamesAsync(room));
    }

    // ---------------------------------------------------------------- selections and groups

    [Fact]
    public async Task A_manual_selection_is_stored_and_clears_the_active_group()
    {
        string room = NewId("r");
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("g1", [new Selection("bonds", [3])]));
        Assert.True(await Geometries.LoadSelectionGroupAsync(room, "g1"));
        Assert.Equal("g1", await Geometries.GetActiveSelectionGroupAsync(room));

        await Geometries.SetSelectionAsync(room, new Selection("particles", [0, 1]));

        Assert.Null(await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.Equal(new Selection("particles", [0, 1]), await Geometries.GetSelectionAsync(room, "particles"));
        Assert.Null(await Geometries.GetSelectionAsync(room, "none"));
        Assert.Equal([new Selection("bonds", [3]), new Selection("particles", [0, 1])], (await Geometries.GetSelectionsAsync(room)).OrderBy(s => s.Geometry, StringComparer.Ordinal));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Geometries.SetSelectionAsync(room, new Selection("particles", [-1])));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.SetSelectionAsync(room, new Selection("", [1])));
        Assert.Equal(new Selection("particles", [0, 1]), await Geometries.GetSelectionAsync(room, "particles"));
    }

    [Fact]
    public async Task Selection_groups_are_set_read_listed_and_deleted()
    {
        string room = NewId("r");
        var g1 = new SelectionGroup("g1", [new Selection("particles", [0, 2]), new Selection("bonds", [])]);
        var g2 = new SelectionGroup("g2", [new Selection("particles", [5])]);

        await Geometries.SetSelectionGroupAsync(room, g1);
        await Geometries.SetSelectionGroupAsync(room, g2);

        Assert.Equal(g1, await Geometries.GetSelectionGroupAsync(room, "g1"));
        Assert.Equal([g1, g2], (await Geometries.GetSelectionGroupsAsync(room)).OrderBy(g => g.Name, StringComparer.Ordinal));
        Assert.Null(await Geometries.GetSelectionGroupAsync(room, "g3"));
        Assert.True(await Geometries.DeleteSelectionGroupAsync(room, "g1"));
        Assert.False(await Geometries.DeleteSelectionGroupAsync(room, "g1"));
        Assert.Equal([g2], await Geometries.GetSelectionGroupsAsync(room));
    }

    [Fact]
    public async Task Deleting_the_active_group_clears_it_and_deleting_another_group_does_not()
    {
        string room = NewId("r");
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("g1", [new Selection("particles", [1])]));
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("g2", [new Selection("particles", [2])]));
        await Geometries.LoadSelectionGroupAsync(room, "g2");

        Assert.True(await Geometries.DeleteSelectionGroupAsync(room, "g1"));
        Assert.Equal("g2", await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.True(await Geometries.DeleteSelectionGroupAsync(room, "g2"));
        Assert.Null(await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.Empty(await Geometries.GetSelectionGroupsAsync(room));
    }

    [Fact]
    public async Task Loading_a_group_writes_each_of_its_selections_keeps_the_others_and_makes_it_active()
    {
        string room = NewId("r");
        await Geometries.SetSelectionAsync(room, new Selection("particles", [7]));
        await Geometries.SetSelectionAsync(room, new Selection("curve", [1]));
        await Geometries.SetSelectionGroupAsync(room, new SelectionGroup("g", [new Selection("particles", [0, 2, 10]), new Selection("bonds", []), new Selection("caf\u00e9", [1])]));

        Assert.True(await Geometries.LoadSelectionGroupAsync(room, "g"));

        Assert.Equal(
            new[] { new Selection("bonds", []), new Selection("caf\u00e9", [1]), new Selection("curve", [1]), new Selection("particles", [0, 2, 10]) },
            (await Geometries.GetSelectionsAsync(room)).OrderBy(s => s.Geometry, StringComparer.Ordinal));
        Assert.Equal("g", await Geometries.GetActiveSelectionGroupAsync(room));

        Assert.False(await Geometries.LoadSelectionGroupAsync(room, "missing"));
        Assert.Equal("g", await Geometries.GetActiveSelectionGroupAsync(room));
        Assert.Equal(4, (await Geometries.GetSelectionsAsync(room)).Count);
    }

    // ---------------------------------------------------------------- limits, ids, cancellation

    [Fact]
    public async Task Geometry_and_figure_json_at_the_size_limit_are_stored_and_one_byte_more_is_refused()
    {
        var geometry = new Geometry("Sphere", Json("""{"color": "#ff0000", "radius": 1}"""));
        var bigger = new Geometry("Sphere", Json("""{"color": "#ff00001", "radius": 1}"""));
        var figure = new Figure(Json("""{"data": [{"x": [1, 2, 3]}]}"""));
        var biggerFigure = new Figure(Json("""{"data": [{"x": [1, 2, 34]}]}"""));
        string room = NewId("r");

        // Find the stored sizes: the largest limit that refuses the value is one byte under it.
        int geometryBytes = await SmallestAcceptedAsync(limit => o => o.Limits.MaxGeometryJsonBytes = limit, (store, r) => store.Get<IGeometryRepository>().SetAsync(r, "g", geometry).AsTask());
        int figureBytes = await SmallestAcceptedAsync(limit => o => o.Limits.MaxFigureJsonBytes = limit, (store, r) => store.Get<IGeometryRepository>().SetFigureAsync(r, "f", figure).AsTask());
        await using TestStore limited = await Backend.CreateAsync(configure: o =>
        {
            o.Limits.MaxGeometryJsonBytes = geometryBytes;
            o.Limits.MaxFigureJsonBytes = figureBytes;
        });
        var repo = limited.Get<IGeometryRepository>();

        await repo.SetAsync(room, "sphere", geometry);
        await repo.SetFigureAsync(room, "plot", figure);
        Assert.Equal("geometry", (await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.SetAsync(room, "other", bigger))).ParamName);
        Assert.Equal("geometry", (await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.MergeAsync(room, "sphere", new Geometry("Sphere", Json("""{"color": "#ff00001"}"""))))).ParamName);
        Assert.Equal("figure", (await Assert.ThrowsAnyAsync<ArgumentException>(async () => await repo.SetFigureAsync(room, "other", biggerFigure))).ParamName);
        Assert.Equal(geometry, await repo.MergeAsync(room, "sphere", new Geometry("Sphere", Json("""{"color": "#ff0000"}"""))));

        Assert.Equal(["sphere"], await repo.ListNamesAsync(room));
        Assert.Equal(["plot"], await repo.ListFigureNamesAsync(room));
        Assert.Equal(geometry, await repo.GetAsync(room, "sphere"));
    }

    [Fact]
    public async Task Invalid_room_ids_are_refused()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.GetAllAsync("a:b"));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.SetFigureAsync("", "f", new Figure(Json("1"))));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.SetSelectionAsync("a b", new Selection("particles", [1])));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Geometries.LoadSelectionGroupAsync("a:b", "g"));
    }

    [Fact]
    public async Task A_cancelled_token_writes_nothing()
    {
        string room = NewId("r");
        var cancelled = new CancellationToken(canceled: true);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Geometries.SetAsync(room, "g", new Geometry("Sphere", Json("{}")), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Geometries.MergeAsync(room, "g", new Geometry("Sphere", Json("{}")), cancelled));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Geometries.SetSelectionAsync(room, new Selection("particles", [1]), cancelled));

        Assert.Empty(await Geometries.ListNamesAsync(room));
        Assert.Empty(await Geometries.GetSelectionsAsync(room));
    }

    /// <summary>
    /// The smallest limit that accepts the value, by bisection over [1, 200): a limit accepts exactly when it is at least
    /// the stored size, so 8 stores are built instead of one per byte (a SQL store migrates a database of its own).
    /// </summary>
    private async Task<int> SmallestAcceptedAsync(Func<int, Action<ZnDrawStorageOptions>> limit, Func<TestStore, string, Task> write)
    {
        int refused = 0, accepted = 200; // invariant: limit `refused` refuses (or is 0), limit `accepted` accepts
        if (!await AcceptsAsync(accepted))
        {
            throw new InvalidOperationException("No limit under 200 bytes accepts the value.");
        }

        while (accepted - refused > 1)
        {
            int middle = (refused + accepted) / 2;
            if (await AcceptsAsync(middle))
            {
                accepted = middle;
            }
            else
            {
                refused = middle;
            }
        }

        return accepted;

        async Task<bool> AcceptsAsync(int bytes)
        {
            await using TestStore store = await Backend.CreateAsync(configure: limit(bytes));
            try
            {
                await write(store, NewId("r"));
                return true;
            }
            catch (ArgumentException)
            {
                return false; // under the limit
            }
        }
    }

    private static JsonElement Json(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
