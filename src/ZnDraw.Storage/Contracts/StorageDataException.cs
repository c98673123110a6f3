namespace ZnDraw.Storage.Contracts;

/// <summary>
/// A value stored in Redis could not be read as the model it should hold:
/// a non-numeric number, broken JSON, a missing required field, an unknown enum value,
/// or a key of the wrong Redis type.
/// </summary>
/// <remarks>
/// The exception names the key and (where there is one) the hash field, so that an operator can
/// find and repair the value. Nothing is returned half-filled when this is thrown.
/// </remarks>
public sealed class StorageDataException : Exception
{
    /// <summary>Creates an exception for a bad value at <paramref name="key"/> (and <paramref name="field"/>).</summary>
    /// <param name="key">The Redis key that holds the bad value.</param>
    /// <param name="field">The hash field (or JSON member) that is bad, or <see langword="null"/> for the whole key.</param>
    /// <param name="message">What is wrong with the value.</param>
    /// <param name="innerException">The parser's exception, if any.</param>
    public StorageDataException(string key, string? field, string message, Exception? innerException = null)
        : base(Format(key, field, message), innerException)
    {
        Key = key;
        Field = field;
    }

    /// <summary>Creates an exception with a message only (prefer the overload that names the key).</summary>
    public StorageDataException()
        : base("Stored data could not be read.")
    {
        Key = string.Empty;
    }

    /// <summary>Creates an exception with a message only (prefer the overload that names the key).</summary>
    public StorageDataException(string message)
        : base(message)
    {
        Key = string.Empty;
    }

    /// <summary>Creates an exception with a message and inner exception (prefer the overload that names the key).</summary>
    public StorageDataException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
    }

    /// <summary>The Redis key that holds the bad value.</summary>
    public string Key { get; }

    /// <summary>The hash field or JSON member that is bad, or <see langword="null"/> when the key as a whole is bad.</summary>
    public string? Field { get; }

    private static string Format(string key, string? field, string message) =>
        field is null
            ? $"Bad stored data at key '{key}': {message}"
            : $"Bad stored data at key '{key}', field '{field}': {message}";
}
