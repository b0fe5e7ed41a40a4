using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LlmKit.Tests.Shared;

/// <summary>
/// A byte-level HTTP/1.1 fake server on a raw <see cref="TcpListener"/> at 127.0.0.1 (a free port), for fault tests:
/// each test scripts exactly the bytes written back (status line, headers, body pieces, pauses the test controls,
/// a clean close or a reset at any point), and every request received is recorded (to count attempts).
/// </summary>
/// <remarks>
/// For each connection the server reads one request (headers, then a <c>Content-Length</c> or chunked body), records
/// it, and calls the script with a <see cref="Connection"/>. When the script returns, the connection is closed
/// (FIN) unless the script reset it. Scripts should send <c>Connection: close</c> (the helpers do) so that clients
/// open a new connection per request. Nothing here waits on a clock: a script that must pause awaits a task the
/// test completes.
/// </remarks>
public sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<Connection, Task> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Request> _requests = new();
    private readonly ConcurrentBag<Task> _connections = [];
    private readonly Task _acceptLoop;

    private RawHttpServer(Func<Connection, Task> script)
    {
        _script = script;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Gets the server's address, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>Gets the requests received so far, in arrival order.</summary>
    public IReadOnlyList<Request> Requests => [.. _requests];

    /// <summary>Gets the number of requests received so far.</summary>
    public int RequestCount => _requests.Count;

    /// <summary>Starts a server that runs <paramref name="script"/> for every request.</summary>
    public static RawHttpServer Start(Func<Connection, Task> script) => new(script);

    /// <summary>Starts a server that answers every request with the same raw bytes, then closes the connection.</summary>
    public static RawHttpServer StartRaw(string rawResponse) => new(c => c.WriteAsync(rawResponse));

    /// <summary>Starts a server that answers with <paramref name="status"/>, a <c>Content-Length</c> body and <c>Connection: close</c>.</summary>
    public static RawHttpServer StartResponse(int status, string contentType, string body) => new(c => c.RespondAsync(status, contentType, body));

    /// <summary>Builds the head of a response: the status line, the given headers and <c>Connection: close</c>, then the blank line.</summary>
    public static string Head(int status, params (string Name, string Value)[] headers)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {ReasonPhrase(status)}\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        text.Append("Connection: close\r\n\r\n");
        return text.ToString();
    }

    /// <summary>Stops listening, resets every open connection and waits for the scripts to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }

        foreach (var connection in _connections)
        {
            try
            {
                await connection;
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                return;
            }

            _connections.Add(Task.Run(() => ServeAsync(socket)));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        var connection = new Connection(socket, _stop.Token);
        using var registration = _stop.Token.Register(connection.Reset);
        try
        {
            var request = await connection.ReadRequestAsync();
            if (request is null)
            {
                return;
            }

            _requests.Enqueue(request);
            await _script(connection);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or the test reset the connection: nothing to report.
        }
        finally
        {
            connection.Close();
        }
    }

    /// <summary>One request as received: request line, headers (names lower-case) and body.</summary>
    public sealed record Request(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
    {
        /// <summary>Gets the body as UTF-8 text.</summary>
        public string BodyText => Encoding.UTF8.GetString(Body);
    }

    /// <summary>One accepted connection: write bytes, pause, close or reset at any point.</summary>
    public sealed class Connection
    {
        private readonly Socket _socket;
        private readonly NetworkStream _stream;
        private readonly CancellationToken _stopping;
        private byte[] _pending = new byte[8192];
        private int _pendingLength;
        private int _closed;

        internal Connection(Socket socket, CancellationToken stopping)
        {
            _socket = socket;
            _socket.NoDelay = true;
            _stream = new NetworkStream(socket, ownsSocket: false);
            _stopping = stopping;
        }

        /// <summary>Writes UTF-8 text as is and flushes it to the socket.</summary>
        public Task WriteAsync(string text) => WriteAsync(Encoding.UTF8.GetBytes(text));

        /// <summary>Writes bytes as is and flushes them to the socket.</summary>
        public async Task WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            await _stream.WriteAsync(bytes, _stopping);
            await _stream.FlushAsync(_stopping);
        }

        /// <summary>Writes a whole response: status, <c>Content-Type</c>, <c>Content-Length</c>, <c>Connection: close</c> and the body.</summary>
        public Task RespondAsync(int status, string contentType, string body)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(body);
            return WriteAsync(Head(status, ("Content-Type", contentType), ("Content-Length", bytes.Length.ToString(CultureInfo.InvariantCulture))) + body);
        }

        /// <summary>Writes one chunk of a <c>Transfer-Encoding: chunked</c> body (size line, data, CRLF).</summary>
        public Task WriteChunkAsync(string text)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            return WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{bytes.Length:x}\r\n") + text + "\r\n");
        }

        /// <summary>Writes the last chunk of a chunked body (<c>0</c> and the blank line).</summary>
        public Task EndChunksAsync() => WriteAsync("0\r\n\r\n");

        /// <summary>Waits until the client closes or resets the connection (or the server stops), discarding what it sends.</summary>
        public async Task WaitForClientCloseAsync()
        {
            var buffer = new byte[1024];
            try
            {
                while (await _stream.ReadAsync(buffer, _stopping) > 0)
                {
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
            {
            }
        }

        /// <summary>Closes the connection cleanly (FIN after what was written).</summary>
        public void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (SocketException)
            {
            }

            _stream.Dispose();
            _socket.Dispose();
        }

        /// <summary>Resets the connection (RST, no FIN): the client sees "connection reset".</summary>
        public void Reset()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            try
            {
                _socket.LingerState = new LingerOption(true, 0);
            }
            catch (SocketException)
            {
            }

            _stream.Dispose();
            _socket.Dispose();
        }

        internal async Task<Request?> ReadRequestAsync()
        {
            int headerEnd;
            while ((headerEnd = _pending.AsSpan(0, _pendingLength).IndexOf("\r\n\r\n"u8)) < 0)
            {
                if (!await FillAsync())
                {
                    return null;
                }
            }

            string head = Encoding.ASCII.GetString(_pending, 0, headerEnd);
            Consume(headerEnd + 4);
            string[] lines = head.Split("\r\n");
            string[] requestLine = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string line in lines.Skip(1))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
                }
            }

            byte[] body;
            if (headers.TryGetValue("content-length", out string? lengthText))
            {
                body = await ReadExactlyAsync(int.Parse(lengthText, CultureInfo.InvariantCulture));
            }
            else if (headers.TryGetValue("transfer-encoding", out string? encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                using var all = new MemoryStream();
                while (true)
                {
                    string sizeLine = Encoding.ASCII.GetString(await ReadLineAsync());
                    int size = int.Parse(sizeLine.Split(';')[0].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                    if (size == 0)
                    {
                        // Trailers (none expected) end with a blank line.
                        while ((await ReadLineAsync()).Length > 0)
                        {
                        }

                        break;
                    }

                    all.Write(await ReadExactlyAsync(size));
                    await ReadLineAsync();
                }

                body = all.ToArray();
            }
            else
            {
                body = [];
            }

            return new Request(requestLine[0], requestLine.Length > 1 ? requestLine[1] : string.Empty, headers, body);
        }

        private async Task<byte[]> ReadLineAsync()
        {
            int end;
            while ((end = _pending.AsSpan(0, _pendingLength).IndexOf("\r\n"u8)) < 0)
            {
                if (!await FillAsync())
                {
                    throw new IOException("The client closed the connection in the middle of the request.");
                }
            }

            byte[] line = _pending.AsSpan(0, end).ToArray();
            Consume(end + 2);
            return line;
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            while (_pendingLength < count)
            {
                if (!await FillAsync())
                {
                    throw new IOException("The client closed the connection in the middle of the request body.");
                }
            }

            byte[] bytes = _pending.AsSpan(0, count).ToArray();
            Consume(count);
            return bytes;
        }

        private async Task<bool> FillAsync()
        {
            if (_pendingLength == _pending.Length)
            {
                Array.Resize(ref _pending, _pending.Length * 2);
            }

            int read = await _stream.ReadAsync(_pending.AsMemory(_pendingLength), _stopping);
            _pendingLength += read;
            return read > 0;
        }

        private void Consume(int count)
        {
            Buffer.BlockCopy(_pending, count, _pending, 0, _pendingLength - count);
            _pendingLength -= count;
        }
    }
}
