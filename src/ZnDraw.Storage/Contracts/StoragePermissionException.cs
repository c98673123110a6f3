namespace ZnDraw.Storage.Contracts;

/// <summary>
/// The Redis user the library connects as may not run a command (or touch a key or channel) that a feature set needs:
/// its ACL rule lacks a permission. Names the command and the feature set, so the rule can be fixed
/// (<see cref="ZnDrawRedisAcl.For"/>, <c>docs/acl.md</c>).
/// </summary>
/// <remarks>
/// Raised when the host starts where the library can check it (Redis 7 or later: one dry probe of every command the
/// enabled feature sets issue, which runs nothing), otherwise on the first call that needs the permission. Retrying
/// does not help. <see cref="Exception.InnerException"/> is the client's exception carrying the server's
/// <c>NOPERM</c> reply, when there is one.
/// </remarks>
public sealed class StoragePermissionException : StorageBackendException
{
    /// <summary>Creates an exception for <paramref name="command"/>, needed by <paramref name="feature"/>, refused during <paramref name="operation"/>.</summary>
    /// <param name="operation">The call that failed (a method or script name, or the start check).</param>
    /// <param name="key">The key (or keys, comma-separated) the call worked on, or <see langword="null"/> when none is known.</param>
    /// <param name="command">The ACL name of the refused command (e.g. <c>xautoclaim</c>, <c>client|setname</c>), or
    /// <see langword="null"/> when the server named none (a refused key or channel, or a command inside a script on Redis 7.0).</param>
    /// <param name="feature">The feature set that needs the permission.</param>
    /// <param name="what">What was refused, e.g. <c>no permission to run 'scan'</c>.</param>
    /// <param name="innerException">The client's exception, if any.</param>
    public StoragePermissionException(string operation, string? key, string? command, ZnDrawAclFeatures feature, string what, Exception? innerException)
        : base(operation, key, $"{what}, which the feature set {feature} needs: the Redis user's ACL rule lacks it; see ZnDrawRedisAcl.For and docs/acl.md", innerException)
    {
        Command = command;
        Feature = feature;
    }

    /// <summary>Creates an exception with a default message (prefer the overload that names the command).</summary>
    public StoragePermissionException()
        : base("The Redis user may not run a command the library needs.")
    {
    }

    /// <summary>Creates an exception with a message only (prefer the overload that names the command).</summary>
    public StoragePermissionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and inner exception (prefer the overload that names the command).</summary>
    public StoragePermissionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The ACL name of the refused command (lower case, <c>command|subcommand</c>), or <see langword="null"/> when not known.</summary>
    public string? Command { get; }

    /// <summary>The feature set that needs the permission.</summary>
    public ZnDrawAclFeatures Feature { get; }
}
