namespace ZnDraw.Storage.Contracts;

/// <summary>
/// The storage backend refused a call for a reason that is neither the stored data nor its availability: a script
/// error, a command the server does not know (a server older than the library needs) or does not permit (ACL), a
/// multi-key command across cluster slots. Retrying does not help; the library, its configuration or the server must
/// be fixed.
/// </summary>
/// <remarks>
/// Derives from <see cref="InvalidOperationException"/>: the call cannot work against this backend as configured.
/// <see cref="Exception.InnerException"/> is the backend client's own exception. The message names the operation and
/// the key where they are known and never contains connection settings or credentials. Bad stored data (a key of the
/// wrong type, a value that does not parse) is <see cref="StorageDataException"/> instead, and a backend that cannot
/// be reached is <see cref="StorageUnavailableException"/>. A command the Redis user may not run (ACL) is the subtype
/// <see cref="StoragePermissionException"/>.
/// </remarks>
public class StorageBackendException : InvalidOperationException
{
    /// <summary>Creates an exception for <paramref name="operation"/> on <paramref name="key"/>.</summary>
    /// <param name="operation">The call that failed (a method or script name).</param>
    /// <param name="key">The key (or keys, comma-separated) the call worked on, or <see langword="null"/> when none is known.</param>
    /// <param name="reason">What the backend refused, e.g. <c>the server replied ERR</c>.</param>
    /// <param name="innerException">The backend client's exception.</param>
    public StorageBackendException(string operation, string? key, string reason, Exception? innerException)
        : base(Format(operation, key, reason), innerException)
    {
        Operation = operation;
        Key = key;
    }

    /// <summary>Creates an exception with a default message (prefer the overload that names the operation).</summary>
    public StorageBackendException()
        : base("The storage backend refused the call.")
    {
    }

    /// <summary>Creates an exception with a message only (prefer the overload that names the operation).</summary>
    public StorageBackendException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and inner exception (prefer the overload that names the operation).</summary>
    public StorageBackendException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The call that failed (a method or script name), or <see langword="null"/> when not known.</summary>
    public string? Operation { get; }

    /// <summary>The key (or keys, comma-separated) the call worked on, or <see langword="null"/> when none is known.</summary>
    public string? Key { get; }

    private static string Format(string operation, string? key, string reason) =>
        key is null
            ? $"Storage backend refused {operation} ({reason})."
            : $"Storage backend refused {operation} on key '{key}' ({reason}).";
}
