namespace ZnDraw.Storage.Contracts;

/// <summary>
/// The storage backend could not serve the call right now: the connection is lost or cannot be made, the call timed
/// out, or the server refuses work for an operational reason (still loading its data, a read-only replica after a
/// failover, the cluster or a slot being down or moving, a script blocking the server, memory or persistence limits).
/// </summary>
/// <remarks>
/// <para>
/// Nothing is wrong with the call or the stored data: the same call may succeed later. A host answers it as
/// "service unavailable" (HTTP 503), retries with backoff where the operation allows it, and alerts when it lasts.
/// A write that failed this way may or may not have been applied (a timeout or a connection lost after the command
/// was sent is ambiguous): retry writes whose result tells a repeat apart (creates that report "already exists",
/// appends that may be duplicated only where that is harmless).
/// </para>
/// <para>
/// <see cref="Exception.InnerException"/> is the backend client's own exception (for diagnosis; do not catch its type,
/// it changes with the backend). The message names the operation and the key where they are known (a failed connect names the endpoints,
/// host:port) and never contains a password or other credentials.
/// </para>
/// </remarks>
public sealed class StorageUnavailableException : Exception
{
    /// <summary>Creates an exception for <paramref name="operation"/> on <paramref name="key"/>.</summary>
    /// <param name="operation">The call that failed (a method or script name).</param>
    /// <param name="key">The key (or keys, comma-separated) the call worked on, or <see langword="null"/> when none is known.</param>
    /// <param name="reason">Why the backend is unavailable, e.g. <c>connection lost</c>.</param>
    /// <param name="innerException">The backend client's exception.</param>
    public StorageUnavailableException(string operation, string? key, string reason, Exception? innerException)
        : base(Format(operation, key, reason), innerException)
    {
        Operation = operation;
        Key = key;
    }

    /// <summary>Creates an exception with a default message (prefer the overload that names the operation).</summary>
    public StorageUnavailableException()
        : base("The storage backend is unavailable.")
    {
    }

    /// <summary>Creates an exception with a message only (prefer the overload that names the operation).</summary>
    public StorageUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and inner exception (prefer the overload that names the operation).</summary>
    public StorageUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The call that failed (a method or script name), or <see langword="null"/> when not known.</summary>
    public string? Operation { get; }

    /// <summary>The key (or keys, comma-separated) the call worked on, or <see langword="null"/> when none is known.</summary>
    public string? Key { get; }

    private static string Format(string operation, string? key, string reason) =>
        key is null
            ? $"Storage unavailable: {operation} failed ({reason})."
            : $"Storage unavailable: {operation} on key '{key}' failed ({reason}).";
}
