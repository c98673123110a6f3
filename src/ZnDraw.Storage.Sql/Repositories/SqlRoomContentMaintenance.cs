using System.Data.Common;
using System.Globalization;
using System.Text;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;

namespace ZnDraw.Storage.Sql.Repositories;

/// <summary>
/// The SQL implementation of <see cref="IRoomContentListing"/> and <see cref="IRoomContentImport"/> over the room tables
/// the repositories own: <c>room_frames</c>, <c>room_frame_selections</c>, <c>room_members</c>, <c>room_metadata</c>,
/// <c>room_active_selection_groups</c>, <c>room_chat_messages</c>, <c>room_chat_counters</c>, <c>room_user_settings</c>,
/// <c>room_extension_data</c>.
/// </summary>
/// <remarks>
/// Every listing is one statement; every import one transaction (<c>DELETE</c> of the part's rows, then multi-row
/// <c>INSERT</c>s), taking the room's trajectory lock first where the frame repository does (PostgreSQL advisory lock;
/// SQLite's <c>BEGIN IMMEDIATE</c> serialises every write).
/// </remarks>
internal sealed class SqlRoomContentMaintenance(SqlStoreContext context) : IRoomContentListing, IRoomContentImport
{
    private const string SettingsCategory = "settings";

    // Rows per INSERT: well below SQLite's 32766 and PostgreSQL's 65535 parameters for the widest row (8 columns).
    private const int RowsPerInsert = 200;

    private readonly string _ordinal = context.Dialect.Ordinal;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListFrameSelectionGroupsAsync(string roomId, CancellationToken cancellationToken = default) =>
        ListTextAsync(nameof(ListFrameSelectionGroupsAsync), "room_frame_selections", roomId, $"SELECT group_name FROM room_frame_selections WHERE room_id = @room ORDER BY group_name{_ordinal}", cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<string>> ListSettingsUsersAsync(string roomId, CancellationToken cancellationToken = default) =>
        ListTextAsync(nameof(ListSettingsUsersAsync), "room_user_settings", roomId, $"SELECT user_name FROM room_user_settings WHERE room_id = @room GROUP BY user_name ORDER BY user_name{_ordinal}", cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ExtensionDataKey>> ListExtensionDataAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        string sql = "SELECT user_name, category, extension FROM room_extension_data WHERE room_id = @room AND category <> @settings"
            + $" ORDER BY user_name{_ordinal}, category{_ordinal}, extension{_ordinal}";
        return context.ReadAsync(
            "IRoomContentListing.ListExtensionDataAsync",
            "room_extension_data:" + roomId,
            (roomId, sql),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.sql);
                SqlCall.Add(command, "@room", s.roomId);
                SqlCall.Add(command, "@settings", SettingsCategory);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                var result = new List<ExtensionDataKey>();
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    result.Add(new ExtensionDataKey(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }

                return (IReadOnlyList<ExtensionDataKey>)result;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<ChatMessage>> ListChatMessagesAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        string sql = "SELECT id, author, content, created_at, updated_at, is_edited FROM room_chat_messages WHERE room_id = @room"
            + $" ORDER BY created_at, id{_ordinal}";
        return context.ReadAsync(
            "IRoomContentListing.ListChatMessagesAsync",
            "room_chat_messages:" + roomId,
            (roomId, sql),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.sql);
                SqlCall.Add(command, "@room", s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                var result = new List<ChatMessage>();
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    string id = reader.GetString(0);
                    DateTimeOffset created, updated;
                    try
                    {
                        created = new DateTimeOffset(SqlCall.GetUtc(reader, 3));
                        updated = new DateTimeOffset(SqlCall.GetUtc(reader, 4));
                    }
                    catch (FormatException ex)
                    {
                        throw new StorageDataException("room_chat_messages:" + s.roomId, id, "created_at or updated_at is not a time.", ex);
                    }

                    result.Add(new ChatMessage(id, s.roomId, reader.GetString(1), reader.GetString(2), created, updated, SqlCall.GetBool(reader, 5)));
                }

                return (IReadOnlyList<ChatMessage>)result;
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> GetChatCounterAsync(string roomId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return context.ReadAsync(
            "IRoomContentListing.GetChatCounterAsync",
            "room_chat_counters:" + roomId,
            roomId,
            static async (call, roomId) =>
            {
                await using DbCommand command = call.Command("SELECT last_number FROM room_chat_counters WHERE room_id = @room");
                SqlCall.Add(command, "@room", roomId);
                object? value = await call.ScalarAsync(command).ConfigureAwait(false);
                return value is null or DBNull ? 0L : Convert.ToInt64(value, CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceTrajectoryAsync(string roomId, IReadOnlyList<TrajectoryEntry> entries, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(entries);
        var rows = new object[entries.Count][];
        var check = new TrajectoryEntryCheck(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            TrajectoryEntry entry = entries[i];
            check.Next(i, entry, nameof(entries));
            rows[i] = [roomId, TrajectorySql.FormatMember(entry.Frame), entry.Score];
        }

        string head = context.Dialect.LockRoom;
        return ReplaceAsync(
            "IRoomContentImport.ReplaceTrajectoryAsync", TrajectorySql.Key(roomId), roomId, head + "DELETE FROM room_frames WHERE room_id = @room;", "room_frames (room_id, member, score)", rows, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceMembersAsync(string roomId, IReadOnlyList<string> userNames, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(userNames);
        var rows = new object[userNames.Count][];
        var seen = new HashSet<string>(userNames.Count, StringComparer.Ordinal);
        for (int i = 0; i < rows.Length; i++)
        {
            ArgumentException.ThrowIfNullOrEmpty(userNames[i], nameof(userNames));
            if (!seen.Add(userNames[i]))
            {
                throw new ArgumentException($"Member '{userNames[i]}' repeats.", nameof(userNames));
            }

            rows[i] = [roomId, userNames[i]];
        }

        return ReplaceAsync(
            "IRoomContentImport.ReplaceMembersAsync", "room_members:" + roomId, roomId, "DELETE FROM room_members WHERE room_id = @room;", "room_members (room_id, user_name)", rows, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceMetadataAsync(string roomId, RoomMetadata? metadata, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        var rows = new object[metadata?.Fields.Count ?? 0][];
        for (int i = 0; i < rows.Length; i++)
        {
            KeyValuePair<string, string> field = metadata!.Fields[i];
            ArgumentException.ThrowIfNullOrEmpty(field.Key, nameof(metadata));
            ArgumentNullException.ThrowIfNull(field.Value, nameof(metadata));
            rows[i] = [roomId, field.Key, field.Value, i];
        }

        return ReplaceAsync(
            "IRoomContentImport.ReplaceMetadataAsync", "room_metadata:" + roomId, roomId, "DELETE FROM room_metadata WHERE room_id = @room;", "room_metadata (room_id, field, value, position)", rows, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SetActiveSelectionGroupAsync(string roomId, string? name, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
        }

        object[][] rows = name is null ? [] : [[roomId, name]];
        return ReplaceAsync(
            "IRoomContentImport.SetActiveSelectionGroupAsync",
            "room_active_selection_groups:" + roomId,
            roomId,
            "DELETE FROM room_active_selection_groups WHERE room_id = @room;",
            "room_active_selection_groups (room_id, name)",
            rows,
            cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask ReplaceChatAsync(string roomId, IReadOnlyList<ChatMessage> messages, long counter, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        ArgumentNullException.ThrowIfNull(messages);
        ArgumentOutOfRangeException.ThrowIfNegative(counter);
        var rows = new object[messages.Count][];
        var seen = new HashSet<string>(messages.Count, StringComparer.Ordinal);
        for (int i = 0; i < rows.Length; i++)
        {
            ChatMessage message = messages[i];
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
            KeyValidation.ValidateSegment(message.Id, nameof(messages));
            if (!seen.Add(message.Id))
            {
                throw new ArgumentException($"Message '{message.Id}' repeats.", nameof(messages));
            }

            rows[i] =
            [
                roomId, Number(message.Id), message.Id, message.Author, message.Content,
                ToMilliseconds(message.CreatedAt), ToMilliseconds(message.UpdatedAt), message.IsEdited,
            ];
        }

        // The counter row goes with the messages: no row means 0, as a missing INCR key.
        string delete = "DELETE FROM room_chat_messages WHERE room_id = @room;\nDELETE FROM room_chat_counters WHERE room_id = @room;";
        if (counter > 0)
        {
            delete += "\nINSERT INTO room_chat_counters (room_id, last_number) VALUES (@room, @counter);";
        }

        return ReplaceAsync(
            "IRoomContentImport.ReplaceChatAsync",
            "room_chat_messages:" + roomId,
            roomId,
            delete,
            "room_chat_messages (room_id, number, id, author, content, created_at, updated_at, is_edited)",
            rows,
            cancellationToken,
            counter);
    }

    /// <summary>The number of <c>msg_{room}_{n}</c>, or 0 for an id of another shape.</summary>
    private static long Number(string id)
    {
        int underscore = id.LastIndexOf('_');
        return underscore >= 0 && long.TryParse(id.AsSpan(underscore + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : 0;
    }

    private static DateTime ToMilliseconds(DateTimeOffset time) =>
        DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds()).UtcDateTime;

    private ValueTask<IReadOnlyList<string>> ListTextAsync(string operation, string table, string roomId, string sql, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        KeyValidation.ValidateRoomId(roomId);
        return context.ReadAsync(
            "IRoomContentListing." + operation,
            table + ":" + roomId,
            (roomId, sql),
            static async (call, s) =>
            {
                await using DbCommand command = call.Command(s.sql);
                SqlCall.Add(command, "@room", s.roomId);
                await using DbDataReader reader = await call.QueryAsync(command).ConfigureAwait(false);
                var result = new List<string>();
                while (await reader.ReadAsync(call.CancellationToken).ConfigureAwait(false))
                {
                    result.Add(reader.GetString(0));
                }

                return (IReadOnlyList<string>)result;
            },
            cancellationToken);
    }

    /// <summary>One transaction: <paramref name="delete"/> (with <c>@room</c> and <c>@counter</c>), then the rows in multi-row INSERTs.</summary>
    private async ValueTask ReplaceAsync(
        string operation, string key, string roomId, string delete, string into, object[][] rows, CancellationToken cancellationToken, long counter = 0)
    {
        await context.WriteAsync(
            operation,
            key,
            (roomId, delete, into, rows, counter),
            static async (call, s) =>
            {
                await using (DbCommand command = call.Command(s.delete))
                {
                    SqlCall.Add(command, "@room", s.roomId);
                    if (s.delete.Contains("@counter", StringComparison.Ordinal))
                    {
                        SqlCall.Add(command, "@counter", s.counter);
                    }

                    await call.ExecuteAsync(command).ConfigureAwait(false);
                }

                for (int start = 0; start < s.rows.Length; start += RowsPerInsert)
                {
                    int end = Math.Min(s.rows.Length, start + RowsPerInsert);
                    var sql = new StringBuilder("INSERT INTO ").Append(s.into).Append(" VALUES ");
                    await using DbCommand insert = call.Command(string.Empty);
                    for (int r = start; r < end; r++)
                    {
                        sql.Append(r == start ? "(" : ", (");
                        object[] row = s.rows[r];
                        for (int c = 0; c < row.Length; c++)
                        {
                            string name = string.Create(CultureInfo.InvariantCulture, $"@p{r - start}_{c}");
                            sql.Append(c == 0 ? string.Empty : ", ").Append(name);
                            SqlCall.Add(insert, name, row[c]);
                        }

                        sql.Append(')');
                    }

                    insert.CommandText = sql.Append(';').ToString();
                    await call.ExecuteAsync(insert).ConfigureAwait(false);
                }

                return true;
            },
            recordWhen: null,
            cancellationToken).ConfigureAwait(false);
    }
}
