using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace ZnDraw.Storage.Contracts;

/// <summary>
/// The rules an id must follow before it becomes part of a Redis key. Every key builder calls these; a host may call
/// them to validate input early.
/// </summary>
/// <remarks>
/// <para>
/// A bad id throws <see cref="ArgumentNullException"/> (null) or <see cref="ArgumentException"/> (anything else),
/// with <see cref="ArgumentException.ParamName"/> set. Messages describe the rule and never echo the value.
/// </para>
/// <para>
/// Rules shared by every id: not empty; at most <see cref="MaxIdLength"/> UTF-16 code units (ZnDraw has no limit;
/// the cap only stops accidental multi-megabyte keys); well-formed UTF-16 (no unpaired surrogate: Redis stores
/// UTF-8, and every unpaired surrogate encodes as U+FFFD, so <c>"a\uD800"</c> and <c>"a\uFFFD"</c> would name the
/// same key).
/// </para>
/// <para>
/// The kind-specific rules make every builder injective: two different (kind, id) inputs never yield the same key,
/// so one room's, user's or worker's keys can never reach another's. Each rule names the key pair it separates.
/// Room ids never contain <c>:</c>, so the segment after <c>room:</c> always is the room id; within a room the
/// first segment after the room id (<c>lock</c>, <c>user</c>, <c>extensions</c>, <c>extension</c>,
/// <c>filesystems</c>, ...) tells the family apart.
/// </para>
/// <para>
/// One collision is ZnDraw's own design and stays: the worker reverse index <c>room:{room}:filesystems:{sid}</c>
/// and the metadata hash <c>room:{room}:filesystems:{fs}</c> of a filesystem whose name equals the sid are the same
/// key (likewise under <c>global:filesystems:</c>). Sids are server-generated and filesystem names chosen by
/// clients, so a client can make this happen; ZnDraw tells the two apart by Redis type (set vs hash). Hosts that
/// accept filesystem names from users should refuse names that look like a sid.
/// </para>
/// </remarks>
public static class KeyValidation
{
    /// <summary>The longest id (and prefix) accepted, in UTF-16 code units: 4096.</summary>
    public const int MaxIdLength = 4096;

    /// <summary>The prefix that Celery worker ids carry in ZnDraw (<c>celery:{task_id}</c>).</summary>
    public const string CeleryWorkerPrefix = "celery:";

    private const string LockMetadataSuffix = ":metadata";
    private const string FilesystemWorkerSuffix = ":worker";

    private static readonly SearchValues<char> RoomIdChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    private static readonly SearchValues<char> Braces = SearchValues.Create("{}");

    /// <summary>Tells whether <paramref name="value"/> is a valid room id (see <see cref="ValidateRoomId"/>).</summary>
    /// <param name="value">The candidate room id.</param>
    /// <returns><see langword="true"/> when a key may be built from it.</returns>
    public static bool IsValidRoomId([NotNullWhen(true)] string? value) => RoomIdError(value) is null;

    /// <summary>Checks a room id: ZnDraw's rule <c>^[a-zA-Z0-9_\-\.]+$</c>, and at most <see cref="MaxIdLength"/> characters.</summary>
    /// <param name="value">The room id.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// The pattern is matched with .NET's <c>$</c>, which, like Python's <c>re.match</c> used by ZnDraw, also matches
    /// before one final <c>"\n"</c>: <c>"r1\n"</c> is a valid room id (distinct from <c>"r1"</c>), <c>"r1\n\n"</c> and
    /// <c>"\n"</c> are not. Room ids therefore never contain <c>:</c>, glob characters or braces.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateRoomId([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (RoomIdError(value) is { } error)
        {
            throw new ArgumentException("Invalid room id: " + error, paramName);
        }
    }

    /// <summary>Checks a user name: no leading or trailing white space, no control character; anything else is allowed.</summary>
    /// <param name="value">The user name.</param>
    /// <param name="layout">The key layout; <see cref="KeyLayout.ClusterSafe"/> also forbids <c>{</c> and <c>}</c>.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// ZnDraw strips user names, so a name with leading or trailing white space (or only white space) cannot exist
    /// there. Control characters (including an inner line break) are refused. <c>:</c>, <c>*</c>, inner spaces, braces
    /// (in the ZnDraw layout) and non-ASCII letters are accepted, as ZnDraw accepts them. A <c>:</c> in a user name is
    /// safe because categories contain no <c>:</c>: in <c>room:{room}:user:{user}:{category}</c> the category is the
    /// last segment.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateUserName(
        [NotNull] string? value,
        KeyLayout layout = KeyLayout.ZnDraw,
        [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        CheckCommon(value, "User name", paramName);
        if (char.IsWhiteSpace(value[0]) || char.IsWhiteSpace(value[^1]))
        {
            throw new ArgumentException("User name must not start or end with white space (ZnDraw strips names).", paramName);
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                throw new ArgumentException("User name must not contain control characters.", paramName);
            }
        }

        CheckBraces(value, layout, "User name", paramName);
    }

    /// <summary>Checks a Socket.IO session id or worker id: no <c>:</c>, except in the Celery form <c>celery:{taskId}</c>.</summary>
    /// <param name="value">The sid or worker id.</param>
    /// <param name="layout">The key layout; <see cref="KeyLayout.ClusterSafe"/> also forbids <c>{</c> and <c>}</c>.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// <para>
    /// A sid ends a key (<c>sid:{sid}</c>, <c>room:{room}:extensions:{category}:{sid}</c>,
    /// <c>room:{room}:filesystems:{sid}</c>) or is followed by a fixed suffix (<c>sid:{sid}:role</c>). With a free
    /// <c>:</c>, <c>sid:{x}:role</c> would be <c>sid:{sid}</c> of sid <c>x:role</c>, and the reverse index of sid
    /// <c>Rotate:queue</c> would be the queue of extension <c>Rotate</c>.
    /// </para>
    /// <para>
    /// ZnDraw's Celery workers use the id <c>celery:{taskId}</c>, so exactly that form is accepted: the text after
    /// <c>celery:</c> must be non-empty, contain no <c>:</c>, and not be one of the suffix words <c>role</c>,
    /// <c>queue</c>, <c>idle_workers</c>, <c>progressing_workers</c> or <c>worker</c>. Then a Celery id has exactly one
    /// <c>:</c> and a plain sid none, so the only keys it could equal are <c>sid:celery:role</c>,
    /// <c>…:extensions:{category}:celery:{queue|idle_workers|progressing_workers}</c> and
    /// <c>…:filesystems:celery:worker</c> (the keys of a sid, extension or filesystem named <c>celery</c>), which the
    /// excluded words rule out. Celery task ids are UUIDs, so nothing real is refused.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateSessionId(
        [NotNull] string? value,
        KeyLayout layout = KeyLayout.ZnDraw,
        [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        CheckCommon(value, "Session id", paramName);
        var colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            if (!value.StartsWith(CeleryWorkerPrefix, StringComparison.Ordinal))
            {
                throw new ArgumentException("Session id must not contain ':' (only the Celery form 'celery:{taskId}' may).", paramName);
            }

            var task = value.AsSpan(CeleryWorkerPrefix.Length);
            if (task.IsEmpty || task.Contains(':'))
            {
                throw new ArgumentException("A Celery worker id must be 'celery:' followed by a non-empty task id without ':'.", paramName);
            }

            if (task is "role" or "queue" or "idle_workers" or "progressing_workers" or "worker")
            {
                throw new ArgumentException("A Celery task id must not be a key suffix word (role, queue, idle_workers, progressing_workers, worker).", paramName);
            }
        }

        CheckBraces(value, layout, "Session id", paramName);
    }

    /// <summary>Checks an extension category (<c>modifiers</c>, <c>selections</c>, ...): no <c>:</c>.</summary>
    /// <param name="value">The category.</param>
    /// <param name="layout">The key layout; <see cref="KeyLayout.ClusterSafe"/> also forbids <c>{</c> and <c>}</c>.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// With a <c>:</c>, <c>room:r:extensions:a:b</c> would be both the schema hash of category <c>a:b</c> and the
    /// reverse index of category <c>a</c> and sid <c>b</c>, and <c>room:r:user:{user}:{category}</c> would be
    /// ambiguous for user names with <c>:</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateCategory(
        [NotNull] string? value,
        KeyLayout layout = KeyLayout.ZnDraw,
        [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        CheckCommon(value, "Category", paramName);
        if (value.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException("Category must not contain ':'.", paramName);
        }

        CheckBraces(value, layout, "Category", paramName);
    }

    /// <summary>Checks an extension name: not empty (it may contain <c>:</c>).</summary>
    /// <param name="value">The extension name.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// The extension keys end in one fixed colon-free word (<c>idle_workers</c>, <c>progressing_workers</c>,
    /// <c>queue</c>, <c>jobs</c>), so the name is everything between the category and that word: any name, with or
    /// without <c>:</c>, yields distinct keys. An extension key has at least two segments after the category, a
    /// reverse index (sid) at most two, and the two-segment case is excluded by the sid rule.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateExtensionName([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        => CheckCommon(value, "Extension name", paramName);

    /// <summary>Checks a lock target (e.g. <c>trajectory:meta</c>): not empty, and not ending in <c>:metadata</c>.</summary>
    /// <param name="value">The lock target.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// Targets may contain <c>:</c>. The lock of target <c>x:metadata</c> would be the lock metadata key of target
    /// <c>x</c> (<c>room:{room}:lock:x:metadata</c>); refusing exactly the targets that end in <c>:metadata</c> is the
    /// smallest rule that separates the two families (a target <c>metadata</c> alone is fine: its pair would need an
    /// empty target).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateLockTarget([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        CheckCommon(value, "Lock target", paramName);
        if (value.EndsWith(LockMetadataSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException("Lock target must not end in ':metadata' (it would name another target's lock metadata key).", paramName);
        }
    }

    /// <summary>Checks a filesystem name: not empty, and not ending in <c>:worker</c>.</summary>
    /// <param name="value">The filesystem name.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>
    /// Names may contain <c>:</c>. The metadata hash of filesystem <c>x:worker</c> would be the worker key of
    /// filesystem <c>x</c> (<c>room:{room}:filesystems:x:worker</c>), so names ending in <c>:worker</c> are refused.
    /// See the type's remarks for the collision with the worker reverse index that ZnDraw's layout itself contains.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateFilesystemName([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        CheckCommon(value, "Filesystem name", paramName);
        if (value.EndsWith(FilesystemWorkerSuffix, StringComparison.Ordinal))
        {
            throw new ArgumentException("Filesystem name must not end in ':worker' (it would name another filesystem's worker key).", paramName);
        }
    }

    /// <summary>Checks a job id (ZnDraw uses UUIDs): not empty.</summary>
    /// <param name="value">The job id.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <remarks>A job id ends its key (<c>job:{job}</c>, or <c>job:{room}:{job}</c> with hash tags), so any text is safe.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateJobId([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        => CheckCommon(value, "Job id", paramName);

    /// <summary>Checks any other id that ends a key (e.g. a frame selection group): not empty.</summary>
    /// <param name="value">The id.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <exception cref="ArgumentNullException"><paramref name="value"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="value"/> breaks the rule.</exception>
    public static void ValidateSegment([NotNull] string? value, [CallerArgumentExpression(nameof(value))] string paramName = "")
        => CheckCommon(value, "Key segment", paramName);

    /// <summary>Checks a key-space prefix (null or empty means none).</summary>
    /// <param name="value">The prefix.</param>
    /// <param name="layout">The key layout; <see cref="KeyLayout.ClusterSafe"/> forbids <c>{</c> and <c>}</c>, which would replace the hash tags.</param>
    /// <param name="paramName">The parameter name to report.</param>
    /// <exception cref="ArgumentException"><paramref name="value"/> is too long, ill-formed, or has braces in the cluster layout.</exception>
    public static void ValidatePrefix(
        string? value,
        KeyLayout layout = KeyLayout.ZnDraw,
        [CallerArgumentExpression(nameof(value))] string paramName = "")
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        CheckCommon(value, "Prefix", paramName);
        CheckBraces(value, layout, "Prefix", paramName);
    }

    internal static void ValidateLayout(KeyLayout layout, string paramName)
    {
        if (layout is not (KeyLayout.ZnDraw or KeyLayout.ClusterSafe))
        {
            throw new ArgumentOutOfRangeException(paramName, layout, "Unknown key layout.");
        }
    }

    /// <summary>Thrown by a key builder struct that was never constructed (<c>default</c>).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal static string ThrowUninitialized(string typeName) =>
        throw new InvalidOperationException(typeName + " was not constructed (it is the default value); create it with its constructor or a KeySpace factory.");

    private static string? RoomIdError(string? value)
    {
        if (value is null)
        {
            return "it is null.";
        }

        if (value.Length == 0)
        {
            return "it must not be empty.";
        }

        if (value.Length > MaxIdLength)
        {
            return $"it must not be longer than {MaxIdLength} characters.";
        }

        var bad = value.AsSpan().IndexOfAnyExcept(RoomIdChars);
        if (bad < 0)
        {
            return null;
        }

        // .NET's (and Python's) '$' also matches before one final '\n'.
        if (bad == value.Length - 1 && bad > 0 && value[bad] == '\n')
        {
            return null;
        }

        return "only ASCII letters, digits, '_', '-' and '.' are allowed.";
    }

    private static void CheckCommon([NotNull] string? value, string what, string paramName)
    {
        ArgumentNullException.ThrowIfNull(value, paramName);
        if (value.Length == 0)
        {
            throw new ArgumentException(what + " must not be empty.", paramName);
        }

        if (value.Length > MaxIdLength)
        {
            throw new ArgumentException($"{what} must not be longer than {MaxIdLength} characters.", paramName);
        }

        if (value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && !IsWellFormedUtf16(value))
        {
            throw new ArgumentException(what + " must be well-formed UTF-16 (an unpaired surrogate cannot be stored in Redis as UTF-8).", paramName);
        }
    }

    private static void CheckBraces(string value, KeyLayout layout, string what, string paramName)
    {
        if (layout == KeyLayout.ClusterSafe && value.AsSpan().ContainsAny(Braces))
        {
            throw new ArgumentException(what + " must not contain '{' or '}' in the cluster-safe key layout (they would change the hash tag).", paramName);
        }
    }

    private static bool IsWellFormedUtf16(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }
}
