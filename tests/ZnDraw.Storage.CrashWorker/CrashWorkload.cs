using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Services;

namespace ZnDraw.Storage.CrashWorker;

/// <summary>
/// Room creates, copies and deletes and guest registrations, in <see cref="Lanes"/> concurrent loops, until the process is
/// killed; the crash test then reconciles and checks what the kill left.
/// </summary>
/// <remarks>
/// <para>
/// Each lane owns its rooms (<see cref="RoomId"/>), so one lane's steps on a room are sequential. A created room gets a
/// lock (Redis state for its delete to clean), then frames, then the <see cref="Marker"/> geometry naming its frame count:
/// a room with the marker is complete. A copy is made only from a complete room, with the description
/// <see cref="CopyDescription"/>, so a copy must be complete as a whole. A guest is journalled once created and may
/// then register under <see cref="MemberName"/>: after any kill exactly one of the two names exists.
/// </para>
/// <para>Output, one line each, written only after the step is committed: <c>ready</c>, <c>guest NAME</c>, <c>registered OLD NEW</c>.</para>
/// </remarks>
public sealed class CrashWorkload(IServiceProvider services, int seed, TextWriter journal)
{
    /// <summary>Concurrent loops.</summary>
    public const int Lanes = 3;

    /// <summary>Rooms per lane.</summary>
    public const int RoomsPerLane = 5;

    /// <summary>The geometry a complete room carries: <c>{"room": origin, "frames": count}</c>.</summary>
    public const string Marker = "crash-marker";

    /// <summary>The lock every created or copied room gets.</summary>
    public const string LockTarget = "trajectory:meta";

    /// <summary>The description of a fresh room.</summary>
    public const string FreshDescription = "fresh";

    /// <summary>The description of a copy.</summary>
    public const string CopyDescription = "copy";

    /// <summary>The line written once the storage is reachable.</summary>
    public const string Ready = "ready";

    private readonly IRoomRepository _rooms = services.GetRequiredService<IRoomRepository>();
    private readonly IFrameRepository _frames = services.GetRequiredService<IFrameRepository>();
    private readonly IGeometryRepository _geometries = services.GetRequiredService<IGeometryRepository>();
    private readonly IUserRepository _users = services.GetRequiredService<IUserRepository>();
    private readonly UserService _userService = services.GetRequiredService<UserService>();
    private readonly LockService _locks = services.GetRequiredService<LockService>();

    /// <summary>Every room id a workload may use.</summary>
    public static IEnumerable<string> AllRoomIds() =>
        Enumerable.Range(0, Lanes).SelectMany(lane => Enumerable.Range(0, RoomsPerLane).Select(n => RoomId(lane, n)));

    /// <summary>The id of room <paramref name="n"/> of lane <paramref name="lane"/>.</summary>
    public static string RoomId(int lane, int n) => string.Create(CultureInfo.InvariantCulture, $"crash-{lane}-{n}");

    /// <summary>The name guest <paramref name="guest"/> (<c>user-xxxxxxxx</c>) registers under: <c>member-xxxxxxxx</c>.</summary>
    public static string MemberName(string guest)
    {
        ArgumentNullException.ThrowIfNull(guest);
        return "member-" + guest[UserService.GuestNamePrefix.Length..];
    }

    /// <summary>True when the database argument is a PostgreSQL connection string (else a SQLite file path).</summary>
    public static bool IsPostgres(string database) =>
        database.Contains("Host=", StringComparison.OrdinalIgnoreCase) || database.Contains("Server=", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a marker: the room whose frames it names, and their count.</summary>
    public static (string Origin, int Frames) ReadMarker(Geometry marker)
    {
        ArgumentNullException.ThrowIfNull(marker);
        return (marker.Data.GetProperty("room").GetString()!, marker.Data.GetProperty("frames").GetInt32());
    }

    /// <summary>Warms the connections, writes <see cref="Ready"/>, then runs the lanes until the process dies.</summary>
    public async Task RunAsync()
    {
        _ = await _rooms.ListAllAsync();
        _ = await _users.ListAllAsync();
        _ = await _locks.GetAsync(RoomId(0, 0), LockTarget);
        await journal.WriteLineAsync(Ready);
        await journal.FlushAsync();
        await Task.WhenAll(Enumerable.Range(0, Lanes).Select(lane => Task.Run(() => LaneAsync(lane, new Random(HashCode.Combine(seed, lane))))));
    }

    private async Task LaneAsync(int lane, Random random)
    {
        var guests = new List<string>();
        string holder = string.Create(CultureInfo.InvariantCulture, $"worker-{Environment.ProcessId}-{lane}");
        while (true)
        {
            int dice = random.Next(100);
            string room = RoomId(lane, random.Next(RoomsPerLane));
            if (dice < 30)
            {
                await CreateAsync(room, holder, random.Next(1, 5));
            }
            else if (dice < 50)
            {
                await CopyAsync(room, RoomId(lane, random.Next(RoomsPerLane)), holder);
            }
            else if (dice < 80)
            {
                _ = await _rooms.DeleteAsync(room);
            }
            else if (dice < 90 || guests.Count == 0)
            {
                guests.Add(await NewGuestAsync());
            }
            else
            {
                string guest = guests[random.Next(guests.Count)];
                await RegisterAsync(guest);
                guests.Remove(guest);
            }
        }
    }

    private async Task CreateAsync(string room, string holder, int frames)
    {
        if (!await _rooms.CreateAsync(room, FreshDescription))
        {
            return;
        }

        _ = await _locks.AcquireAsync(room, LockTarget, holder, TimeSpan.FromMinutes(5));
        _ = await _frames.AppendAsync(room, [.. Enumerable.Range(0, frames).Select(i => new FrameIndex(room, i))]);
        string data = string.Create(CultureInfo.InvariantCulture, $$"""{"room":"{{room}}","frames":{{frames}}}""");
        using var json = JsonDocument.Parse(data);
        await _geometries.SetAsync(room, Marker, new Geometry(GeometryTypes.Sphere, json.RootElement.Clone()));
    }

    private async Task CopyAsync(string source, string target, string holder)
    {
        if (source == target || await _geometries.GetAsync(source, Marker) is null)
        {
            return; // only complete rooms are copied
        }

        if (await _rooms.CopyAsync(source, target, CopyDescription) == RoomCopyResult.Copied)
        {
            _ = await _locks.AcquireAsync(target, LockTarget, holder, TimeSpan.FromMinutes(5));
        }
    }

    private async Task<string> NewGuestAsync()
    {
        User guest = await _userService.CreateGuestAsync();
        await journal.WriteLineAsync($"guest {guest.UserName}");
        await journal.FlushAsync();
        return guest.UserName;
    }

    private async Task RegisterAsync(string guest)
    {
        string name = await _userService.RegisterAsync(guest, MemberName(guest), "crash-password");
        await journal.WriteLineAsync($"registered {guest} {name}");
        await journal.FlushAsync();
    }
}
