using System.Globalization;
using System.Text.Json;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using StackExchange.Redis;
using ZnDraw.Storage.Benchmarks.Infrastructure;
using ZnDraw.Storage.Contracts;
using ZnDraw.Storage.Models;
using ZnDraw.Storage.Redis.Mapping;
using ZnDraw.Storage.Redis.Repositories;
using ZnDraw.Storage.Redis.Scripts;

namespace ZnDraw.Storage.Benchmarks.Repositories;

/// <summary>
/// Chat reads (HGET of one message, the page script over 200 messages, ZCARD) and the edit script, which rewrites
/// the same message with the same content on every call; each against a raw twin that writes and parses the JSON by hand.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[ClusterTwins]
public class ChatBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-chat";
    private const int Messages = 200;
    private const int PageLimit = 20;
    private const string ReadId = "msg_bench-chat_2";
    private const string EditId = "msg_bench-chat_1";
    private const string EditAuthor = "alice";
    private const string EditContent = "Frame 42 looks right \u2014 could you check the \"O-H\" bond lengths?";
    private IDatabase _db = null!;
    private ChatRepository _chat = null!;
    private RawScript _edit = null!;
    private RawScript _page = null!;

    // Key names that were constants, built once for the layout of the run (see RedisBenchmark.Room).
    private string _data = null!;
    private string _index = null!;

    protected override async Task SetupAsync()
    {
        _db = Db();
        _chat = new ChatRepository(BenchmarkRedis.Context());
        _edit = new RawScript(ChatScripts.Edit.Text);
        _page = new RawScript(ChatScripts.Page.Text);
        string prefix = Room(RoomId) + ":";
        _data = prefix + "chat:data";
        _index = prefix + "chat:index";
        await _db.KeyDeleteAsync([prefix + "chat:counter", prefix + "chat:data", prefix + "chat:index"]);
        for (int i = 1; i <= Messages; i++)
        {
            string author = i % 2 == 1 ? EditAuthor : "bob";
            await _chat.PostAsync(RoomId, author, "message " + i.ToString(CultureInfo.InvariantCulture) + " \u2014 about frame 42");
        }
    }

    protected override async Task VerifyAsync()
    {
        RedisKey data = _data;
        ChatEditResult lib = await Lib_edit_once();
        string libStored = (string)(await _db.HashGetAsync(data, EditId))!;
        ChatEditResult raw = await Raw_edit_once();
        string rawStored = (string)(await _db.HashGetAsync(data, EditId))!;
        Same(lib.Status, ChatEditStatus.Edited, "library edit");
        Same(raw.Status, ChatEditStatus.Edited, "raw edit");
        Same(lib.Message! with { UpdatedAt = raw.Message!.UpdatedAt }, raw.Message, "edited message (updatedAt aside)");
        Same(Json(lib.Message), libStored, "JSON written by the library's edit");
        Same(Json(raw.Message), rawStored, "JSON written by the raw edit");
        Same(raw.Message, await _chat.GetAsync(RoomId, EditId), "raw edit read back by the library");

        Same(await _chat.GetAsync(RoomId, ReadId), await Raw_get_once(), "message");
        Same(await _chat.CountAsync(RoomId), await Raw_count_once(), "count");
        Same(await Raw_count_once(), (long)Messages, "messages set up");
        ChatPage libPage = await _chat.GetPageAsync(RoomId, PageLimit);
        ChatPage rawPage = await Raw_page_once();
        SameSequence(libPage.Messages, rawPage.Messages, "page messages");
        Same(libPage.HasMore, rawPage.HasMore, "page has more");
        Same(rawPage.Messages.Count, PageLimit, "page size");
    }

    private static string Json(ChatMessage message) => Encoding.UTF8.GetString((byte[])ChatMapping.Format(message)!);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Edit")]
    public Task Raw_edit() => Repeat(Raw_edit_once);

    public async Task<ChatEditResult> Raw_edit_once()
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        string head = "{\"id\": \"" + RawChat.Escape(EditId) + "\", \"roomId\": \"" + RawChat.Escape(RoomId)
            + "\", \"author\": {\"id\": \"" + RawChat.Escape(EditAuthor) + "\"}, \"content\": \"" + RawChat.Escape(EditContent)
            + "\", \"createdAt\": ";
        string tail = ", \"updatedAt\": " + now.ToString(CultureInfo.InvariantCulture) + ", \"isEdited\": true}";
        RedisResult result = await _db.ScriptEvaluateAsync(_edit.Sha1, [_data], [EditId, EditAuthor, head, tail]).ConfigureAwait(false);
        var reply = (RedisResult[])result!;
        switch ((int)reply[0])
        {
            case 0:
                return new ChatEditResult(ChatEditStatus.NotFound, null);
            case -1:
                return new ChatEditResult(ChatEditStatus.NotAuthor, null);
            case 1:
                long created = long.Parse((string)reply[1]!, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                var message = new ChatMessage(EditId, RoomId, EditAuthor, EditContent,
                    DateTimeOffset.FromUnixTimeMilliseconds(created), DateTimeOffset.FromUnixTimeMilliseconds(now), IsEdited: true);
                return new ChatEditResult(ChatEditStatus.Edited, message);
            default:
                throw new InvalidOperationException("unreadable chat message: " + (string?)reply[1]);
        }
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Edit")]
    public Task Lib_edit() => Repeat(Lib_edit_once);

    public ValueTask<ChatEditResult> Lib_edit_once() => _chat.EditAsync(RoomId, EditId, EditAuthor, EditContent);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Get")]
    public Task Raw_get() => Repeat(Raw_get_once);

    public async Task<ChatMessage?> Raw_get_once()
    {
        RedisValue value = await _db.HashGetAsync(_data, ReadId).ConfigureAwait(false);
        return RawChat.Parse(value);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Get")]
    public Task Lib_get() => Repeat(Lib_get_once);

    public ValueTask<ChatMessage?> Lib_get_once() => _chat.GetAsync(RoomId, ReadId);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Chat.GetPage")]
    public Task Raw_page() => Repeat(Raw_page_once);

    public async Task<ChatPage> Raw_page_once()
    {
        RedisKey[] keys = [_index, _data];
        RedisResult result = await _db.ScriptEvaluateAsync(_page.Sha1, keys, ["rev", "+inf", "-inf", PageLimit + 1]).ConfigureAwait(false);
        var reply = (RedisResult[])result!;
        var ids = (RedisValue[])reply[0]!;
        RedisValue[] values = ids.Length == 0 ? [] : (RedisValue[])reply[1]!;
        int count = Math.Min(ids.Length, PageLimit);
        var messages = new List<ChatMessage>(count);
        for (int i = 0; i < count; i++)
        {
            if (RawChat.Parse(values[i]) is { } message)
            {
                messages.Add(message);
            }
        }

        return new ChatPage(messages, ids.Length > PageLimit);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Chat.GetPage")]
    public Task Lib_page() => Repeat(Lib_page_once);

    public ValueTask<ChatPage> Lib_page_once() => _chat.GetPageAsync(RoomId, PageLimit);

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Count")]
    public Task Raw_count() => Repeat(Raw_count_once);

    public Task<long> Raw_count_once() => _db.SortedSetLengthAsync(_index);

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Count")]
    public Task Lib_count() => Repeat(Lib_count_once);

    public ValueTask<long> Lib_count_once() => _chat.CountAsync(RoomId);
}

/// <summary>
/// Posting a message (the post script: INCR, HSET, ZADD) in the scratch database, which is flushed after each
/// iteration (on the cluster, which has one database, the room's three chat keys are deleted instead): every call adds
/// one message to the same room on both sides.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[FullRunOnly]
[InvocationCount(64)]
[ClusterTwins]
public class ChatPostBenchmarks : RedisBenchmark
{
    private const string RoomId = "bench-chat-post";
    private const string Author = "alice";
    private const string Content = "Frame 42 looks right \u2014 could you check the \"O-H\" bond lengths?";
    private IDatabase _db = null!;
    private ChatRepository _chat = null!;
    private RawScript _post = null!;
    private string _prefix = null!; // was a constant: built once for the layout of the run

    protected override Task SetupAsync()
    {
        _db = Db(BenchmarkRedis.ScratchDb);
        _prefix = RoomBase(RoomId);
        _chat = new ChatRepository(BenchmarkRedis.Context(BenchmarkRedis.ScratchDb));
        _post = new RawScript(ChatScripts.Post.Text);
        Cleanup();
        return Task.CompletedTask;
    }

    protected override async Task VerifyAsync()
    {
        RedisKey data = _prefix + "chat:data";
        RedisKey index = _prefix + "chat:index";
        ChatMessage lib = await Lib_post_once();
        ChatMessage raw = await Raw_post_once();
        Same(lib.Id, "msg_" + RoomId + "_1", "library message id");
        Same(raw.Id, "msg_" + RoomId + "_2", "raw message id");
        Same(lib with { Id = raw.Id, CreatedAt = raw.CreatedAt, UpdatedAt = raw.UpdatedAt }, raw, "posted message (id and times aside)");
        Same(Json(lib), (string?)await _db.HashGetAsync(data, lib.Id), "JSON written by the library's post");
        Same(Json(raw), (string?)await _db.HashGetAsync(data, raw.Id), "JSON written by the raw post");
        Same(await _db.SortedSetScoreAsync(index, lib.Id), (double?)lib.CreatedAt.ToUnixTimeMilliseconds(), "library index score");
        Same(await _db.SortedSetScoreAsync(index, raw.Id), (double?)raw.CreatedAt.ToUnixTimeMilliseconds(), "raw index score");
        Same(await _chat.GetAsync(RoomId, raw.Id), raw, "raw post read back by the library");
    }

    private static string Json(ChatMessage message) => Encoding.UTF8.GetString((byte[])ChatMapping.Format(message)!);

    [IterationCleanup]
    public void Cleanup()
    {
        if (BenchmarkCluster.Active)
        {
            _db.KeyDelete([_prefix + "chat:counter", _prefix + "chat:data", _prefix + "chat:index"]);
        }
        else
        {
            _db.Execute("FLUSHDB");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Post")]
    public Task Raw_post() => Repeat(Raw_post_once);

    public async Task<ChatMessage> Raw_post_once()
    {
        DateTimeOffset now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        string ms = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        string idPrefix = "msg_" + RoomId + "_";
        string head = "{\"id\": \"" + RawChat.Escape(idPrefix);
        string tail = "\", \"roomId\": \"" + RawChat.Escape(RoomId) + "\", \"author\": {\"id\": \"" + RawChat.Escape(Author)
            + "\"}, \"content\": \"" + RawChat.Escape(Content) + "\", \"createdAt\": " + ms + ", \"updatedAt\": " + ms
            + ", \"isEdited\": false}";
        string prefix = _prefix;
        RedisKey[] keys = [prefix + "chat:counter", prefix + "chat:data", prefix + "chat:index"];
        RedisResult result = await _db.ScriptEvaluateAsync(_post.Sha1, keys, [idPrefix, head, tail, now.ToUnixTimeMilliseconds()]).ConfigureAwait(false);
        return new ChatMessage(idPrefix + ((long)result).ToString(CultureInfo.InvariantCulture), RoomId, Author, Content, now, now);
    }

    [Benchmark(OperationsPerInvoke = Ops), BenchmarkCategory("Chat.Post")]
    public Task Lib_post() => Repeat(Lib_post_once);

    public ValueTask<ChatMessage> Lib_post_once() => _chat.PostAsync(RoomId, Author, Content);
}

/// <summary>What a hand-written ZnDraw client does with chat JSON: Python-style escaping and a Utf8JsonReader pass.</summary>
internal static class RawChat
{
    /// <summary>A JSON string body as Python's <c>json.dumps</c> writes it: printable ASCII as is, the rest escaped.</summary>
    public static string Escape(string text)
    {
        int i = 0;
        while (i < text.Length && text[i] >= ' ' && text[i] <= '~' && text[i] != '"' && text[i] != '\\')
        {
            i++;
        }

        if (i == text.Length)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        builder.Append(text, 0, i);
        for (; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c >= ' ' && c <= '~')
                    {
                        builder.Append(c);
                    }
                    else
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>A stored message, or <see langword="null"/> for a missing field; throws on JSON without a required member.</summary>
    public static ChatMessage? Parse(in RedisValue value)
    {
        if (value.IsNull)
        {
            return null;
        }

        ReadOnlyMemory<byte> utf8 = value;
        var reader = new Utf8JsonReader(utf8.Span);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidOperationException("chat message: expected a JSON object");
        }

        string? id = null, room = null, author = null, content = null;
        long? created = null, updated = null;
        bool edited = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.GetString();
            }
            else if (reader.ValueTextEquals("roomId"u8))
            {
                reader.Read();
                room = reader.GetString();
            }
            else if (reader.ValueTextEquals("author"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        bool isId = reader.ValueTextEquals("id"u8);
                        reader.Read();
                        if (isId)
                        {
                            author = reader.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else if (reader.TokenType != JsonTokenType.Null)
                {
                    throw new InvalidOperationException("chat message: 'author' is not an object");
                }
            }
            else if (reader.ValueTextEquals("content"u8))
            {
                reader.Read();
                content = reader.GetString();
            }
            else if (reader.ValueTextEquals("createdAt"u8))
            {
                reader.Read();
                created = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
            }
            else if (reader.ValueTextEquals("updatedAt"u8))
            {
                reader.Read();
                updated = reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
            }
            else if (reader.ValueTextEquals("isEdited"u8))
            {
                reader.Read();
                edited = reader.TokenType != JsonTokenType.Null && reader.GetBoolean();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return new ChatMessage(
            id ?? throw Missing("id"),
            room ?? throw Missing("roomId"),
            author ?? throw Missing("author.id"),
            content ?? throw Missing("content"),
            DateTimeOffset.FromUnixTimeMilliseconds(created ?? throw Missing("createdAt")),
            DateTimeOffset.FromUnixTimeMilliseconds(updated ?? throw Missing("updatedAt")),
            edited);

        static InvalidOperationException Missing(string member) => new("chat message has no '" + member + "'");
    }
}
