using System.CommandLine;

namespace ZnDraw.Storage.Tool.Infrastructure;

/// <summary>Arguments and options several commands share (each command gets its own instance: a symbol has one parent).</summary>
internal static class CommonArguments
{
    public static Argument<string> RoomId(string description = "The room id.") => new("room-id") { Description = description };

    public static Argument<string> UserName(string description = "The user name.") => new("user-name") { Description = description };

    public static Option<string> RequiredRoom(string description) => new("--room")
    {
        Description = description,
        HelpName = "room-id",
        Required = true,
    };
}
