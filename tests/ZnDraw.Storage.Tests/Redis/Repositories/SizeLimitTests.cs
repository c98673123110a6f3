using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.DependencyInjection;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Keys;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis;
using ZnDraw.Storage.Testing;
using ZnDraw.Storage.Tests.Infrastructure;

namespace ZnDraw.Storage.Tests.Redis.Repositories;

/// <summary>
/// <see cref="ZnDrawLimitOptions"/>: a value at its limit is stored; one byte more throws <see cref="ArgumentException"/>
/// naming the parameter, and nothing is written. Limits count UTF-8 bytes.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class SizeLimitTests(RedisFixture redis)
{
    private const int Small = 12;

    private readonly IDatabase _db = redis.Database;

    /// <summary>Six two-byte characters: 12 UTF-8 bytes in 6 chars, so a char-counting check would be wrong.</summary>
    private static readonly string AtLimit = new('é', Small / 2);

    private static readonly string OverLimit = AtLimit + "a";

    private static ZnDrawLimitOptions SmallLimits() => new()
    {
        MaxDescriptionBytes = Small,
        MaxChatMessageBytes = Small,
        MaxMetadataValueBytes = Small,
        MaxMetadataTotalBytes = 3 * Small,
        MaxBookmarkLabelBytes = Small,
    };

    private RedisStoreContext Context(KeySpace space, ZnDrawLimitOptions limits) => new(redis.Connection, space, limits: limits);

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Descriptions_at_the_limit_are_stored_and_one_byte_more_is_refused_before_anything_is_written(string layout)
    {
        var space = Layouts.Space(layout);
        var rooms = new RoomRepository(Context(space, SmallLimits()));
        string id = RedisFixture.NewId("room"), refused = RedisFixture.NewId("refused"), copy = RedisFixture.NewId("copy");

        Assert.True(await rooms.CreateAsync(id, AtLimit));
        Assert.Equal(AtLimit, await rooms.GetDescriptionAsync(id));
        Assert.True(await rooms.SetDescriptionAsync(id, AtLimit));
        await _db.SortedSetAddAsync(space.Room(id).TrajectoryIndices(), "f", 0);

        await AssertRefusedAsync("description", () => rooms.CreateAsync(refused, OverLimit).AsTask());
        await AssertRefusedAsync("description", () => rooms.CopyAsync(id, copy, OverLimit).AsTask());
        await AssertRefusedAsync("description", () => rooms.SetDescriptionAsync(id, OverLimit).AsTask());
        await AssertRefusedAsync("entity", () => rooms.SaveAsync(new Room(id, OverLimit)).AsTask());

        Assert.Equal(AtLimit, await rooms.GetDescriptionAsync(id));
        Assert.False(await rooms.ExistsAsync(refused));
        Assert.False(await rooms.ExistsAsync(copy));
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, refused)) + "*"));
        Assert.Empty(await RoomTestSupport.ScanAsync(redis, RoomTestSupport.Glob(RoomTestSupport.RoomBase(space, copy)) + "*"));
        Assert.Equal(RoomCopyResult.Copied, await rooms.CopyAsync(id, copy, AtLimit));
        await rooms.DeleteAsync(id);
        await rooms.DeleteAsync(copy);
    }

    [Fact]
    public async Task The_default_description_limit_refuses_a_five_megabyte_description()
    {
        var rooms = new RoomRepository(Context(Layouts.Space(Layouts.Prefixed), new ZnDrawLimitOptions()));
        var id = RedisFixture.NewId("room");
        Assert.Equal(64 * 1024, new ZnDrawLimitOptions().MaxDescriptionBytes);

        Assert.True(await rooms.CreateAsync(id, new string('x', 64 * 1024)));
        await AssertRefusedAsync("description", () => rooms.SetDescriptionAsync(id, new string('x', 5 * 1024 * 1024)).AsTask());

        Assert.Equal(64 * 1024, (await rooms.GetDescriptionAsync(id))!.Length);
        await rooms.DeleteAsync(id);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Metadata_values_and_totals_at_the_limit_are_stored_and_one_byte_more_is_refused(string layout)
    {
        var space = Layouts.Space(layout);
        var rooms = new RoomRepository(Context(space, SmallLimits()));
        var id = RedisFixture.NewId("room");
        Assert.True(await rooms.CreateAsync(id));

        // Value limit 12 bytes; total limit 36 bytes of names and values.
        Assert.True(await rooms.SetMetadataAsync(id, new RoomMetadata([new("a", AtLimit)])));
        await AssertRefusedAsync("metadata", () => rooms.SetMetadataAsync(id, new RoomMetadata([new("b", OverLimit)])).AsTask());
        var atTotal = new RoomMetadata([new("c", AtLimit[..5]), new("d", AtLimit), new("e", AtLimit)]); // 1+10 + 1+12 + 1+12 = 37
        await AssertRefusedAsync("metadata", () => rooms.SetMetadataAsync(id, atTotal).AsTask());
        Assert.True(await rooms.SetMetadataAsync(id, new RoomMetadata([new("c", AtLimit[..4] + "a"), new("d", AtLimit), new("e", AtLimit)]))); // 36

        var stored = await _db.HashGetAllAsync(space.Room(id).Metadata());
        Assert.DoesNotContain(stored, e => e.Name == "b");
        Assert.Equal(["a", "c", "d", "e"], stored.Select(e => (string)e.Name!).Order(StringComparer.Ordinal));
        await rooms.DeleteAsync(id);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Chat_messages_at_the_limit_are_posted_and_edited_and_one_byte_more_is_refused(string layout)
    {
        var space = Layouts.Space(layout);
        var chat = new ChatRepository(Context(space, SmallLimits()));
        var room = RedisFixture.NewId("room");

        var message = await chat.PostAsync(room, "alice", AtLimit);
        Assert.Equal(AtLimit, (await chat.GetAsync(room, message.Id))!.Content);
        await AssertRefusedAsync("content", () => chat.PostAsync(room, "alice", OverLimit).AsTask());
        await AssertRefusedAsync("newContent", () => chat.EditAsync(room, message.Id, "alice", OverLimit).AsTask());
        Assert.Equal(ChatEditStatus.Edited, (await chat.EditAsync(room, message.Id, "alice", AtLimit)).Status);

        Assert.Equal(1, await chat.CountAsync(room));
        Assert.Equal(1, (long)await _db.StringGetAsync(space.Room(room).ChatCounter()));
        Assert.Equal(AtLimit, (await chat.GetAsync(room, message.Id))!.Content);
        await new RoomRepository(Context(space, SmallLimits())).DeleteAsync(room);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Bookmark_labels_at_the_limit_are_stored_and_one_byte_more_is_refused(string layout)
    {
        var space = Layouts.Space(layout);
        var bookmarks = new BookmarkRepository(Context(space, SmallLimits()));
        var room = RedisFixture.NewId("room");
        await _db.SortedSetAddAsync(space.Room(room).TrajectoryIndices(), "f", 0);

        await bookmarks.SetAsync(room, 0, AtLimit);
        await AssertRefusedAsync("label", () => bookmarks.SetAsync(room, 0, OverLimit).AsTask());

        Assert.Equal(AtLimit, (await bookmarks.GetAsync(room, 0))!.Label);
        await new RoomRepository(Context(space, SmallLimits())).DeleteAsync(room);
    }

    [Theory]
    [MemberData(nameof(Layouts.All), MemberType = typeof(Layouts))]
    public async Task Geometry_and_figure_json_at_the_limit_are_stored_and_one_byte_more_is_refused(string layout)
    {
        var space = Layouts.Space(layout);
        var geometry = new Geometry("Sphere", Json("""{"color": "#ff0000", "radius": 1}"""));
        var bigger = new Geometry("Sphere", Json("""{"color": "#ff00001", "radius": 1}"""));
        var figure = new Figure(Json("""{"data": [{"x": [1, 2, 3]}]}"""));
        var biggerFigure = new Figure(Json("""{"data": [{"x": [1, 2, 34]}]}"""));
        int geometryBytes = (int)GeometryMapping.Format(geometry).Length();
        int figureBytes = (int)GeometryMapping.FormatFigure(figure).Length();
        Assert.Equal(geometryBytes + 1, (int)GeometryMapping.Format(bigger).Length());
        Assert.Equal(figureBytes + 1, (int)GeometryMapping.FormatFigure(biggerFigure).Length());
        var repo = new GeometryRepository(Context(space, new ZnDrawLimitOptions { MaxGeometryJsonBytes = geometryBytes, MaxFigureJsonBytes = figureBytes }));
        var room = RedisFixture.NewId("room");
        RoomKeys keys = space.Room(room);

        await repo.SetAsync(room, "sphere", geometry);
        await repo.SetFigureAsync(room, "plot", figure);
        await AssertRefusedAsync("geometry", () => repo.SetAsync(room, "other", bigger).AsTask());
        await AssertRefusedAsync("geometry", () => repo.MergeAsync(room, "sphere", new Geometry("Sphere", Json("""{"color": "#ff00001"}"""))).AsTask());
        await AssertRefusedAsync("figure", () => repo.SetFigureAsync(room, "other", biggerFigure).AsTask());
        Assert.Equal(geometry, await repo.MergeAsync(room, "sphere", new Geometry("Sphere", Json("""{"color": "#ff0000"}"""))));

        Assert.Equal(["sphere"], (await _db.HashKeysAsync(keys.Geometries())).Select(n => (string)n!));
        Assert.Equal(["plot"], (await _db.HashKeysAsync(keys.Figures())).Select(n => (string)n!));
        Assert.Equal(GeometryMapping.Format(geometry), await _db.HashGetAsync(keys.Geometries(), "sphere"));
        await new RoomRepository(Context(space, SmallLimits())).DeleteAsync(room);
    }

    [Fact]
    public void The_validator_refuses_a_limit_outside_its_range_and_names_it()
    {
        var validator = new ZnDrawStorageOptionsValidator();
        var options = new ZnDrawStorageOptions { ConnectionString = "127.0.0.1:6379" };
        Assert.True(validator.Validate(null, options).Succeeded);

        options.Limits.MaxChatMessageBytes = 0;
        options.Limits.MaxFigureJsonBytes = ZnDrawLimitOptions.MaxLimit + 1;
        var result = validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.Contains("Limits.MaxChatMessageBytes", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.Contains("Limits.MaxFigureJsonBytes", StringComparison.Ordinal));
        options.Limits = null!;
        Assert.Contains(validator.Validate(null, options).Failures!, f => f.StartsWith("Limits", StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var limits = new ZnDrawStorageOptions().Limits;

        Assert.Equal(
            [64 * 1024, 64 * 1024, 16 * 1024 * 1024, 16 * 1024 * 1024, 64 * 1024, 1024 * 1024, 4 * 1024],
            new[]
            {
                limits.MaxDescriptionBytes, limits.MaxChatMessageBytes, limits.MaxGeometryJsonBytes, limits.MaxFigureJsonBytes,
                limits.MaxMetadataValueBytes, limits.MaxMetadataTotalBytes, limits.MaxBookmarkLabelBytes,
            });
    }

    [Fact]
    public async Task Limits_bound_from_configuration_reach_the_repositories_and_the_store_without_di()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ZnDrawStorage:ConnectionString"] = redis.Address,
            ["ZnDrawStorage:Limits:MaxBookmarkLabelBytes"] = "7",
        }).Build();
        var services = new ServiceCollection();
        services.AddZnDrawStorage(config.GetSection(ZnDrawStorageOptions.DefaultSectionName));
        await using var provider = services.BuildServiceProvider();

        var bookmarks = provider.GetRequiredService<IBookmarkRepository>();
        await AssertRefusedAsync("label", () => bookmarks.SetAsync("r1", 0, "12345678").AsTask());

        var store = new ZnDrawRedisStore(redis.Connection, Layouts.Space(Layouts.Prefixed), limits: new ZnDrawLimitOptions { MaxChatMessageBytes = 3 });
        await AssertRefusedAsync("content", () => store.Chat.PostAsync("r1", "alice", "abcd").AsTask());
    }

    private static async Task AssertRefusedAsync(string paramName, Func<Task> call)
    {
        var ex = await Assert.ThrowsAnyAsync<ArgumentException>(call);
        Assert.IsType<ArgumentException>(ex);
        Assert.Equal(paramName, ex.ParamName);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
