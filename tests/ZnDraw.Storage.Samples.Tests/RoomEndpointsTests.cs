using System.Net.Http.Json;
using System.Net;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Samples.Tests.Infrastructure;

namespace ZnDraw.Storage.Samples.Tests;

/// <summary>The room endpoints of the web API sample over real HTTP: rooms in Redis.</summary>
public sealed class RoomEndpointsTests(RoomsApp fixture) : RoomEndpointsContract<RoomsApp>(fixture);

/// <summary>The same endpoints with the sample configured for hybrid storage (<c>Storage:Sqlite</c>): rooms in SQLite.</summary>
public sealed class HybridRoomEndpointsTests(HybridRoomsApp fixture) : RoomEndpointsContract<HybridRoomsApp>(fixture)
{
    [Fact]
    public async Task The_rooms_live_in_sql()
    {
        Assert.StartsWith(
            "ZnDraw.Storage.Sql",
            Fixture.App.Services.GetService(typeof(Contracts.IRoomRepository))!.GetType().Namespace,
            StringComparison.Ordinal);
    }
}

/// <summary>The room endpoints' behaviour, whichever store the sample is configured with.</summary>
public abstract class RoomEndpointsContract<TApp>(TApp fixture) : IClassFixture<TApp>
    where TApp : RoomsApp
{
    protected TApp Fixture { get; } = fixture;

    private readonly HttpClient _client = fixture.App.CreateClient();

    private static string NewRoomId() => "room-" + Guid.NewGuid().ToString("N");

    private async Task<HttpResponseMessage> CreateAsync(object body) =>
        await _client.PostAsJsonAsync(new Uri("/api/rooms", UriKind.Relative), body);

    [Fact]
    public async Task Create_Is201WithLocation_ThenGetAndListSeeTheRoom()
    {
        var id = NewRoomId();

        using var created = await CreateAsync(new { roomId = id, description = "water box" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal($"/api/rooms/{id}", created.Headers.Location?.OriginalString);
        var body = await created.Content.ReadFromJsonAsync<Room>(Http.Json);
        Assert.Equal(new Room(id, "water box", Locked: false, Hidden: false, CurrentFrame: 0, FrameCount: 0), body);
        Assert.Equal(body, await _client.GetOkAsync<Room>($"/api/rooms/{id}"));
        Assert.Contains(id, await _client.GetOkAsync<List<string>>("/api/rooms"));
    }

    [Fact]
    public async Task List_IsSortedAndHasExactlyTheCreatedRooms()
    {
        var before = await _client.GetOkAsync<List<string>>("/api/rooms");
        var ids = new[] { NewRoomId(), NewRoomId(), NewRoomId() };
        foreach (var id in ids)
        {
            using var response = await CreateAsync(new { roomId = id });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var after = await _client.GetOkAsync<List<string>>("/api/rooms");

        Assert.Equal(before.Concat(ids).Order(StringComparer.Ordinal), after);
    }

    [Fact]
    public async Task CreateTwice_Is409Problem()
    {
        var id = NewRoomId();
        using var first = await CreateAsync(new { roomId = id });

        using var second = await CreateAsync(new { roomId = id, description = "other" });

        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Null((await _client.GetOkAsync<Room>($"/api/rooms/{id}")).Description);
    }

    [Theory]
    [InlineData("bad:id")]
    [InlineData("has space")]
    [InlineData("")]
    public async Task Create_WithAnInvalidRoomId_Is400NamingRoomId(string id)
    {
        using var response = await CreateAsync(new { roomId = id });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Http.Json);
        Assert.True(problem.GetProperty("errors").TryGetProperty("roomId", out _), problem.ToString());
    }

    [Fact]
    public async Task Create_WithADescriptionOverTheLimit_Is400NamingDescription_AndCreatesNothing()
    {
        var id = NewRoomId();
        var limit = new ZnDrawLimitOptions().MaxDescriptionBytes;

        using var atLimit = await CreateAsync(new { roomId = id, description = new string('d', limit) });
        using var over = await CreateAsync(new { roomId = id + "-over", description = new string('d', limit + 1) });

        Assert.Equal(HttpStatusCode.Created, atLimit.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        var problem = await over.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Http.Json);
        Assert.True(problem.GetProperty("errors").TryGetProperty("description", out _), problem.ToString());
        using var get = await _client.GetAsync(new Uri($"/api/rooms/{id}-over", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }

    [Fact]
    public async Task Create_WithoutRoomId_Is400()
    {
        using var response = await CreateAsync(new { description = "no id" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task LockAndUnlock_Are204_AndShowInTheRoom()
    {
        var id = NewRoomId();
        using (await CreateAsync(new { roomId = id }))
        {
        }

        using (var locked = await _client.PostAsync(new Uri($"/api/rooms/{id}/lock", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.NoContent, locked.StatusCode);
        }

        Assert.True((await _client.GetOkAsync<Room>($"/api/rooms/{id}")).Locked);

        using (var unlocked = await _client.DeleteAsync(new Uri($"/api/rooms/{id}/lock", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, unlocked.StatusCode);
        }

        Assert.False((await _client.GetOkAsync<Room>($"/api/rooms/{id}")).Locked);
    }

    [Fact]
    public async Task UnknownRoom_Is404Problem_ForGetAndLock()
    {
        var id = NewRoomId();

        await _client.GetProblemAsync($"/api/rooms/{id}", HttpStatusCode.NotFound);
        using var locked = await _client.PostAsync(new Uri($"/api/rooms/{id}/lock", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.NotFound, locked.StatusCode);
        using var unlocked = await _client.DeleteAsync(new Uri($"/api/rooms/{id}/lock", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, unlocked.StatusCode);
        Assert.DoesNotContain(id, await _client.GetOkAsync<List<string>>("/api/rooms"));
    }

    [Fact]
    public async Task Get_WithAnInvalidRoomId_Is400NamingRoomId()
    {
        var problem = await _client.GetProblemAsync("/api/rooms/bad%3Aid", HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("roomId", out _), problem.ToString());
    }
}
