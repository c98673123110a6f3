using System.Globalization;

namespace ZnDraw.Storage.Redis;

/// <summary>
/// When a script's state change succeeded, for the transactional history outbox: a test of the script's reply (or of
/// its first element when the reply is an array; <c>true</c>/<c>false</c> read as 1/0). A <see cref="RedisScript"/>
/// declared with a condition appends the event of the current <see cref="ZnDraw.Storage.History.HistoryOutboxScope"/> to the outbox
/// stream in the same script, only when the condition holds.
/// </summary>
internal sealed class HistoryWhen
{
    private readonly string _operator;
    private readonly long _operand;

    private HistoryWhen(string luaOperator, long operand)
    {
        _operator = luaOperator;
        _operand = operand;
    }

    /// <summary>The reply equals <paramref name="value"/> (e.g. 1: "created", "existed").</summary>
    public static HistoryWhen EqualTo(long value) => new("==", value);

    /// <summary>The reply is greater than <paramref name="value"/> (e.g. 0: "removed at least one key").</summary>
    public static HistoryWhen GreaterThan(long value) => new(">", value);

    /// <summary>The Lua expression that tests <paramref name="number"/> (a Lua number expression).</summary>
    public string ToLua(string number) => string.Create(CultureInfo.InvariantCulture, $"{number} {_operator} {_operand}");

    /// <inheritdoc/>
    public override string ToString() => ToLua("reply");
}
