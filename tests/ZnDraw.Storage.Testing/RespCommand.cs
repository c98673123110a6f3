using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ZnDraw.Storage.Testing;

/// <summary>
/// One Redis command over a fresh loopback connection, in plain RESP: for the test kit's own servers (readiness, cluster
/// administration), so that managing a server never depends on the client under test and its reconnect logic.
/// </summary>
/// <remarks>
/// Replies come back as <see cref="string"/> (simple and bulk strings), <see cref="long"/> (integers), <see langword="null"/>
/// (nil) or <see cref="T:object?[]"/> (arrays); an error reply throws <see cref="RespErrorException"/>.
/// </remarks>
public static class RespCommand
{
    /// <summary>Sends <paramref name="arguments"/> to 127.0.0.1:<paramref name="port"/> (after <c>AUTH</c> when a password is given) and reads the reply.</summary>
    /// <exception cref="RespErrorException">The server answered with an error.</exception>
    /// <exception cref="SocketException">Nothing listens on the port.</exception>
    /// <exception cref="IOException">The connection closed before the reply.</exception>
    public static async Task<object?> SendAsync(int port, string? password, CancellationToken cancellationToken, params string[] arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        using var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
        NetworkStream stream = client.GetStream();
        var reader = new Reader(stream);
        if (password is not null)
        {
            await WriteAsync(stream, ["AUTH", password], cancellationToken);
            _ = await reader.ReadAsync(cancellationToken);
        }

        await WriteAsync(stream, arguments, cancellationToken);
        object? reply = await reader.ReadAsync(cancellationToken);
        return reply is RespError error
            ? throw new RespErrorException($"127.0.0.1:{port} {arguments[0]} {(arguments.Length > 1 ? arguments[1] : string.Empty)}: {error.Message}", error.Message)
            : reply;
    }

    /// <summary>Sends a command without a password and returns its reply as text (an integer as its digits).</summary>
    public static async Task<string?> TextAsync(int port, CancellationToken cancellationToken, params string[] arguments) =>
        await SendAsync(port, null, cancellationToken, arguments) switch
        {
            null => null,
            string text => text,
            long number => number.ToString(CultureInfo.InvariantCulture),
            var other => throw new InvalidOperationException($"127.0.0.1:{port} {arguments[0]} replied {other.GetType().Name}, not text."),
        };

    private static async Task WriteAsync(NetworkStream stream, string[] arguments, CancellationToken cancellationToken)
    {
        var command = new StringBuilder();
        command.Append(CultureInfo.InvariantCulture, $"*{arguments.Length}\r\n");
        foreach (string argument in arguments)
        {
            command.Append(CultureInfo.InvariantCulture, $"${Encoding.UTF8.GetByteCount(argument)}\r\n{argument}\r\n");
        }

        await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), cancellationToken);
    }

    private sealed record RespError(string Message);

    /// <summary>A minimal RESP2 reader over a stream.</summary>
    private sealed class Reader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public async Task<object?> ReadAsync(CancellationToken cancellationToken)
        {
            string line = await LineAsync(cancellationToken);
            string rest = line[1..];
            switch (line[0])
            {
                case '+':
                    return rest;
                case '-':
                    return new RespError(rest);
                case ':':
                    return long.Parse(rest, CultureInfo.InvariantCulture);
                case '$':
                    int length = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (length < 0)
                    {
                        return null;
                    }

                    byte[] bytes = await BytesAsync(length + 2, cancellationToken);
                    return Encoding.UTF8.GetString(bytes, 0, length);
                case '*':
                    int count = int.Parse(rest, CultureInfo.InvariantCulture);
                    if (count < 0)
                    {
                        return null;
                    }

                    var items = new object?[count];
                    for (int i = 0; i < count; i++)
                    {
                        items[i] = await ReadAsync(cancellationToken);
                    }

                    return items;
                default:
                    throw new InvalidDataException($"Not a RESP reply: {line}");
            }
        }

        private async Task<string> LineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                byte b = _buffer[_start++];
                if (b == '\n' && line.Count > 0 && line[^1] == '\r')
                {
                    line.RemoveAt(line.Count - 1);
                    return Encoding.UTF8.GetString([.. line]);
                }

                line.Add(b);
            }
        }

        private async Task<byte[]> BytesAsync(int count, CancellationToken cancellationToken)
        {
            var bytes = new byte[count];
            int filled = 0;
            while (filled < count)
            {
                if (_start == _end)
                {
                    await FillAsync(cancellationToken);
                }

                int take = Math.Min(count - filled, _end - _start);
                Array.Copy(_buffer, _start, bytes, filled, take);
                _start += take;
                filled += take;
            }

            return bytes;
        }

        private async Task FillAsync(CancellationToken cancellationToken)
        {
            _start = 0;
            _end = await stream.ReadAsync(_buffer, cancellationToken);
            if (_end == 0)
            {
                throw new IOException("The server closed the connection before its reply.");
            }
        }
    }
}

/// <summary>An error reply of a Redis server to a <see cref="RespCommand"/>.</summary>
public sealed class RespErrorException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RespErrorException()
    {
        Reply = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    public RespErrorException(string message)
        : base(message)
    {
        Reply = message;
    }

    /// <summary>Creates the exception with a message and the server's error text.</summary>
    public RespErrorException(string message, string reply)
        : base(message)
    {
        Reply = reply;
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public RespErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reply = message;
    }

    /// <summary>The server's error reply (<c>LOADING ...</c>, <c>ERR ...</c>).</summary>
    public string Reply { get; }
}
