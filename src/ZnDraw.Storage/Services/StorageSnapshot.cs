using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace ZnDraw.Storage.Services;

/// <summary>
/// A JSON Lines snapshot of every persistent aggregate of a store (users, rooms with all their persistent parts, the
/// default room): exported from one store, imported into an empty store of either Redis layout or of SQL.
/// </summary>
/// <remarks>
/// <para>
/// The snapshot holds what a <see cref="StorageMigration"/> copies, read and written the same way (the same per-aggregate
/// snapshots, the same contracts, the same content hashes), and nothing ephemeral (sessions, locks, presence,
/// extensions, workers, queues, jobs, filesystems). Like the migration it is not a point-in-time copy: stop the writers
/// for an exact one.
/// </para>
/// <para>
/// Format (UTF-8, one JSON object per line, <c>\n</c> after each): a header
/// <c>{"format":"zndraw-storage-snapshot","version":1,"listed":N}</c> (N = the ids the export listed); one line per
/// aggregate, users first, then rooms, then the default room, each ordered by id:
/// <c>{"kind":"user"|"room"|"default_room","id":…,&lt;parts&gt;,"hash":…}</c>, where <c>hash</c> is the aggregate's
/// content hash (as <see cref="StorageMigration.VerifyAsync"/> compares it) over the parts; and an end line
/// <c>{"end":M}</c> (M = the aggregate lines). Collections are written in the order the content hash sorts them, so two
/// stores holding the same data export the same bytes. Stored JSON values (geometries, figures, settings, extension
/// data) are kept as their stored text, inside JSON strings; they are never re-serialised by the snapshot. See
/// <c>docs/migration.md</c>.
/// </para>
/// <para>
/// Memory: one aggregate at a time. An export holds the ids of the store (as the migration's listing does) and one
/// aggregate with its line; an import holds one line and the aggregate parsed from it. The largest aggregate (a room
/// with its whole trajectory, chat and geometries) bounds the rest.
/// </para>
/// </remarks>
public static class StorageSnapshot
{
    private static readonly byte NewLine = (byte)'\n';

    /// <summary>Writes every persistent aggregate of <paramref name="source"/> to <paramref name="destination"/> as JSON Lines.</summary>
    /// <param name="source">The store read from.</param>
    /// <param name="destination">The stream written to (left open; flushed at the end).</param>
    /// <param name="options">
    /// The scope and the source's reindex (<see cref="StorageMigrationOptions.ReindexSource"/>, so that aggregates an
    /// older ZnDraw server wrote are found); <see cref="StorageMigrationOptions.MaxDegreeOfParallelism"/> and
    /// <see cref="StorageMigrationOptions.DryRun"/> are not used (one aggregate at a time); defaults when <see langword="null"/>.
    /// </param>
    /// <param name="progress">Receives one report per aggregate listed (outcome <see cref="StorageMigrationOutcome.Copied"/>, <see cref="StorageMigrationOutcome.Missing"/> or <see cref="StorageMigrationOutcome.Failed"/>); or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the export between aggregates; what was written is an incomplete snapshot (no end line), which an import refuses.</param>
    /// <returns>The counts per kind and the aggregates the source could not read.</returns>
    /// <remarks>
    /// An aggregate the source cannot read (<see cref="Contracts.StorageDataException"/>) is left out and reported in
    /// <see cref="StorageSnapshotResult.Failures"/>; the export goes on. Any other failure (an unreachable store, a
    /// failing stream) stops it with that exception.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="destination"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not writable, or the scope is not a combination of Users and Rooms.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StorageSnapshotResult> ExportAsync(
        StorageMigrationEndpoint source,
        Stream destination,
        StorageMigrationOptions? options = null,
        IProgress<StorageMigrationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream is not writable.", nameof(destination));
        }

        options ??= new StorageMigrationOptions();
        if ((options.Scope & ~StorageMigrationScope.All) != 0 || options.Scope == 0)
        {
            throw new ArgumentException($"Scope {options.Scope} is not a combination of Users and Rooms.", nameof(options));
        }

        long started = Stopwatch.GetTimestamp();
        if (options.ReindexSource && source.IndexMaintenance is { } maintenance)
        {
            await maintenance.ReindexAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var plan = new List<(MigrationKind Kind, IReadOnlyList<string> Ids)>(3);
        foreach (MigrationKind kind in Kinds(options.Scope))
        {
            plan.Add((kind, await kind.ListIdsAsync(source, cancellationToken).ConfigureAwait(false)));
        }

        long total = plan.Sum(static p => (long)p.Ids.Count);
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using var writer = new Utf8JsonWriter(buffer, SnapshotCodec.WriterOptions);
        SnapshotCodec.WriteHeader(writer, total);
        await WriteLineAsync(writer, buffer, destination, cancellationToken).ConfigureAwait(false);

        var kinds = new List<StorageMigrationKindResult>(plan.Count);
        var failures = new List<StorageMigrationFailure>();
        long done = 0, lines = 0;
        foreach ((MigrationKind kind, IReadOnlyList<string> ids) in plan)
        {
            long written = 0, missing = 0, failed = 0;
            foreach (string id in ids)
            {
                cancellationToken.ThrowIfCancellationRequested();
                StorageMigrationOutcome outcome;
                MigrationSnapshot? snapshot = null;
                try
                {
                    snapshot = await kind.ReadAsync(source, id, cancellationToken).ConfigureAwait(false);
                }
                catch (Contracts.StorageDataException ex)
                {
                    failures.Add(new StorageMigrationFailure(kind.Name, id, "The source cannot read it: " + ex.Message));
                }

                if (snapshot is null)
                {
                    outcome = StorageMigrationOutcome.Failed;
                    failed++;
                }
                else if (snapshot.IsEmpty)
                {
                    outcome = StorageMigrationOutcome.Missing;
                    missing++;
                }
                else
                {
                    SnapshotCodec.Write(writer, kind.Name, id, snapshot);
                    await WriteLineAsync(writer, buffer, destination, cancellationToken).ConfigureAwait(false);
                    outcome = StorageMigrationOutcome.Copied;
                    written++;
                    lines++;
                }

                progress?.Report(new StorageMigrationProgress(++done, total, kind.Name, id, outcome));
            }

            kinds.Add(new StorageMigrationKindResult(kind.Name, ids.Count, written, 0, 0, missing, failed));
        }

        SnapshotCodec.WriteEnd(writer, lines);
        await WriteLineAsync(writer, buffer, destination, cancellationToken).ConfigureAwait(false);
        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        return new StorageSnapshotResult(kinds, failures, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>Writes every aggregate of a snapshot (as <see cref="ExportAsync"/> writes it) into the empty store <paramref name="target"/>.</summary>
    /// <param name="target">The store written to: empty (no user, admin flag, room or default room listed); either Redis layout, or SQL.</param>
    /// <param name="source">The snapshot (left open), read line by line.</param>
    /// <param name="progress">
    /// Receives one report per aggregate line (outcome <see cref="StorageMigrationOutcome.Copied"/> or
    /// <see cref="StorageMigrationOutcome.Failed"/>); <see cref="StorageMigrationProgress.Total"/> is the header's count
    /// of ids the export listed, an upper bound of the lines (ids gone or unreadable at the export have none). Or <see langword="null"/>.
    /// </param>
    /// <param name="cancellationToken">Stops the import between aggregates; what was written stays (import the snapshot again into a fresh store).</param>
    /// <returns>The counts per kind and the aggregates the target refused (whole or in part).</returns>
    /// <remarks>
    /// <para>
    /// Each aggregate goes through the same contracts as a <see cref="StorageMigration"/> writes it (the repositories,
    /// the backend's room-content import), whole. An aggregate whose part the target refuses (<see cref="ArgumentException"/>,
    /// e.g. over a size limit; <see cref="InvalidOperationException"/>) is reported in <see cref="StorageSnapshotResult.Failures"/>
    /// and the import goes on. Afterwards <see cref="StorageMigration.VerifyAsync"/> between the exported store and
    /// <paramref name="target"/> compares them, or a second export gives the same bytes.
    /// </para>
    /// <para>
    /// Each line is checked before it is written: its form, and its content hash against the content it holds. A bad
    /// header, a damaged line or a snapshot without its end line (truncated) stops the import with an
    /// <see cref="InvalidDataException"/> naming the line. From a seekable <paramref name="source"/> (a file) the whole
    /// snapshot is checked before the first aggregate is written, so that a damaged snapshot writes nothing; from a
    /// stream that cannot seek (a pipe) the lines before the damaged one are written.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="target"/> or <paramref name="source"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="source"/> is not readable, or <paramref name="target"/> has no room-content import.</exception>
    /// <exception cref="Contracts.StorageTargetNotEmptyException"><paramref name="target"/> is not empty (nothing was written).</exception>
    /// <exception cref="InvalidDataException">The snapshot's header or a line is not of this format (the message names the line), or it is truncated.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<StorageSnapshotResult> ImportAsync(
        StorageMigrationEndpoint target,
        Stream source,
        IProgress<StorageMigrationProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(source);
        if (!source.CanRead)
        {
            throw new ArgumentException("The source stream is not readable.", nameof(source));
        }

        if (target.RoomImport is null)
        {
            throw new ArgumentException("The target has no IRoomContentImport: it cannot receive rooms.", nameof(target));
        }

        long started = Stopwatch.GetTimestamp();
        await EnsureEmptyAsync(target, cancellationToken).ConfigureAwait(false);

        // A seekable source (a file) is read twice: checked whole first, so that a damaged line writes nothing.
        if (source.CanSeek)
        {
            long origin = source.Position;
            _ = await ReadLinesAsync(target, source, progress: null, write: false, cancellationToken).ConfigureAwait(false);
            source.Position = origin;
        }

        (List<StorageMigrationKindResult> kinds, List<StorageMigrationFailure> failures) =
            await ReadLinesAsync(target, source, progress, write: true, cancellationToken).ConfigureAwait(false);
        return new StorageSnapshotResult(kinds, failures, Stopwatch.GetElapsedTime(started));
    }

    /// <summary>
    /// Reads the snapshot line by line, checking each (form, content hash, order, the end line), and with
    /// <paramref name="write"/> writes each aggregate into <paramref name="target"/>.
    /// </summary>
    private static async Task<(List<StorageMigrationKindResult> Kinds, List<StorageMigrationFailure> Failures)> ReadLinesAsync(
        StorageMigrationEndpoint target,
        Stream source,
        IProgress<StorageMigrationProgress>? progress,
        bool write,
        CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(source, new UTF8Encoding(false, true), detectEncodingFromByteOrderMarks: false, bufferSize: 65536, leaveOpen: true);
        long number = 1;
        string? line = await ReadLineAsync(reader, number, cancellationToken).ConfigureAwait(false);
        long listed = ReadHeader(line);

        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        var order = new List<string>(3);
        var failures = new List<StorageMigrationFailure>();
        long done = 0;
        long? end = null;
        int stage = 0;
        while ((line = await ReadLineAsync(reader, number + 1, cancellationToken).ConfigureAwait(false)) is not null)
        {
            number++;
            cancellationToken.ThrowIfCancellationRequested();
            if (end is not null)
            {
                throw SnapshotCodec.Corrupt(number, "A line follows the end line.");
            }

            MigrationKind kind;
            string id;
            MigrationSnapshot snapshot;
            using (JsonDocument document = Parse(line, number))
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("end", out JsonElement endValue))
                {
                    end = endValue.ValueKind == JsonValueKind.Number && endValue.TryGetInt64(out long count)
                        ? count
                        : throw SnapshotCodec.Corrupt(number, "The end line's count is not an integer.");
                    if (end != done)
                    {
                        throw SnapshotCodec.Corrupt(number, $"The end line counts {end} aggregates but {done} lines precede it.");
                    }

                    continue;
                }

                (kind, id, snapshot) = SnapshotCodec.Read(root, number);
            }

            // Users, then rooms, then the default room (which needs its room), as the export writes them.
            int kindStage = StageOf(kind);
            if (kindStage < stage)
            {
                throw SnapshotCodec.Corrupt(number, $"A {kind.Name} after a later kind (the export writes users, rooms, then the default room).");
            }

            stage = kindStage;
            if (!counts.TryGetValue(kind.Name, out long[]? count2))
            {
                counts[kind.Name] = count2 = new long[2];
                order.Add(kind.Name);
            }

            count2[0]++;
            done++;
            if (!write)
            {
                continue;
            }

            StorageMigrationOutcome outcome = StorageMigrationOutcome.Copied;
            string? reason = null;
            try
            {
                var parts = new HashSet<string>(snapshot.Parts.Select(static p => p.Name), StringComparer.Ordinal);
                IReadOnlyList<string> problems = await kind.WriteAsync(target, id, snapshot, null, parts, cancellationToken).ConfigureAwait(false);
                if (problems.Count > 0)
                {
                    reason = string.Join(" ", problems);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or Contracts.StorageDataException || (ex is InvalidOperationException && ex is not ObjectDisposedException))
            {
                reason = "The target refused it: " + ex.Message;
            }

            if (reason is null)
            {
                count2[1]++;
            }
            else
            {
                outcome = StorageMigrationOutcome.Failed;
                failures.Add(new StorageMigrationFailure(kind.Name, id, reason));
            }

            progress?.Report(new StorageMigrationProgress(done, Math.Max(listed, done), kind.Name, id, outcome));
        }

        if (end is null)
        {
            throw SnapshotCodec.Corrupt(number, "The snapshot ends without its end line (truncated).");
        }

        return ([.. order.Select(k => new StorageMigrationKindResult(k, counts[k][0], counts[k][1], 0, 0, 0, counts[k][0] - counts[k][1]))], failures);
    }

    private static IEnumerable<MigrationKind> Kinds(StorageMigrationScope scope)
    {
        if (scope.HasFlag(StorageMigrationScope.Users))
        {
            yield return MigrationUsers.Instance;
        }

        if (scope.HasFlag(StorageMigrationScope.Rooms))
        {
            yield return MigrationRooms.Instance;
            yield return MigrationDefaultRoom.Instance;
        }
    }

    private static int StageOf(MigrationKind kind) => kind switch
    {
        MigrationUsers => 0,
        MigrationRooms => 1,
        _ => 2,
    };

    private static async Task EnsureEmptyAsync(StorageMigrationEndpoint target, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> users = await MigrationUsers.Instance.ListIdsAsync(target, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string> rooms = await MigrationRooms.Instance.ListIdsAsync(target, cancellationToken).ConfigureAwait(false);
        string? defaultRoom = await target.Rooms.GetDefaultRoomAsync(cancellationToken).ConfigureAwait(false);
        if (users.Count > 0 || rooms.Count > 0 || defaultRoom is not null)
        {
            throw new Contracts.StorageTargetNotEmptyException(users.Count, rooms.Count, defaultRoom is not null);
        }
    }

    private static long ReadHeader(string? line)
    {
        if (line is null)
        {
            throw SnapshotCodec.Corrupt(1, "The snapshot is empty (no header).");
        }

        using JsonDocument document = Parse(line, 1);
        JsonElement root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("format", out JsonElement format) || format.ValueKind != JsonValueKind.String
            || format.GetString() != SnapshotCodec.Format)
        {
            throw SnapshotCodec.Corrupt(1, $"Not a snapshot header (expected {{\"format\":\"{SnapshotCodec.Format}\",…}}).");
        }

        if (!root.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out int v) || v != SnapshotCodec.Version)
        {
            throw SnapshotCodec.Corrupt(1, $"Snapshot version {(root.TryGetProperty("version", out JsonElement raw) ? raw.GetRawText() : "(none)")} is not supported (this library reads version {SnapshotCodec.Version}).");
        }

        return root.TryGetProperty("listed", out JsonElement listed) && listed.ValueKind == JsonValueKind.Number && listed.TryGetInt64(out long n) ? n : 0;
    }

    private static async ValueTask<string?> ReadLineAsync(StreamReader reader, long number, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DecoderFallbackException ex)
        {
            throw SnapshotCodec.Corrupt(number, "Not UTF-8: " + ex.Message, ex);
        }
    }

    private static JsonDocument Parse(string line, long number)
    {
        try
        {
            return JsonDocument.Parse(line);
        }
        catch (JsonException ex)
        {
            throw SnapshotCodec.Corrupt(number, "Not JSON: " + ex.Message, ex);
        }
    }

    private static async ValueTask WriteLineAsync(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, Stream destination, CancellationToken cancellationToken)
    {
        await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        buffer.GetSpan(1)[0] = NewLine;
        buffer.Advance(1);
        await destination.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
    }
}
