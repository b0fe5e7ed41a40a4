using System.Buffers;

namespace LlmKit.Http;

/// <summary>
/// Reads Server-Sent Events (or newline-delimited JSON) from a response stream with pooled buffers.
/// <see cref="EventType"/> and <see cref="Data"/> stay valid until the next <see cref="ReadAsync"/>;
/// nothing is allocated per event.
/// </summary>
/// <remarks>
/// Lines end with LF or CRLF. Several <c>data:</c> lines of one event are joined with LF as the SSE
/// specification says; comments (<c>:</c> lines), <c>id:</c> and <c>retry:</c> are ignored. In NDJSON mode
/// every non-empty line is one event with an empty type. Lines of any other field are ignored, as the specification
/// says. An event cut by the end of the stream (no blank line, or no line end in NDJSON) is still returned, with
/// <see cref="IsPartial"/> set, so that the caller can tell a truncated stream from a malformed one. A line or event
/// longer than <see cref="WireFormat.MaxEventBytes"/> throws a pending <see cref="ProviderResponseFormatException"/>.
/// The first bytes of the stream are kept in <see cref="Head"/> for error messages.
/// </remarks>
internal sealed class ServerSentEventReader : IDisposable
{
    private const int InitialBufferSize = 16 * 1024;
    private const int HeadSize = 1024;
    private readonly Stream _stream;
    private readonly bool _ndjson;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private byte[] _data;
    private int _dataLength;
    private bool _hasData;
    private byte[] _eventType;
    private int _eventTypeLength;
    private byte[]? _head;
    private int _headLength;

    public ServerSentEventReader(Stream stream, bool ndjson = false)
    {
        _stream = stream;
        _ndjson = ndjson;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        _data = ArrayPool<byte>.Shared.Rent(4096);
        _eventType = ArrayPool<byte>.Shared.Rent(64);
    }

    /// <summary>Gets the type of the current event (<c>event:</c>), empty when none was given.</summary>
    public ReadOnlySpan<byte> EventType => _eventType.AsSpan(0, _eventTypeLength);

    /// <summary>Gets the data of the current event.</summary>
    public ReadOnlySpan<byte> Data => _data.AsSpan(0, _dataLength);

    /// <summary>Gets the first bytes of the stream (up to 1 KiB), for error messages.</summary>
    public ReadOnlySpan<byte> Head => _head.AsSpan(0, _headLength);

    /// <summary>Gets the number of events returned so far.</summary>
    public int EventCount { get; private set; }

    /// <summary>Gets a value indicating whether the current event was cut by the end of the stream (no terminating blank line or line end).</summary>
    public bool IsPartial { get; private set; }

    /// <summary>
    /// Gets a value indicating whether the current event is a JSON object cut by the end of the stream: it was
    /// <see cref="IsPartial"/> and its data starts with <c>{</c>. Such an event is a truncation, not a malformed body.
    /// </summary>
    public bool IsCutObject => IsPartial && Data.TrimStart(" \t"u8) is [(byte)'{', ..];

    /// <summary>Reads the next event; returns <see langword="false"/> at the end of the stream.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        bool read = await ReadEventAsync(cancellationToken).ConfigureAwait(false);
        if (read)
        {
            EventCount++;
        }

        return read;
    }

    private async ValueTask<bool> ReadEventAsync(CancellationToken cancellationToken)
    {
        IsPartial = false;
        _dataLength = 0;
        _hasData = false;
        _eventTypeLength = 0;
        while (true)
        {
            int newline = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            int lineEnd;
            if (newline < 0)
            {
                if (!_eof)
                {
                    await FillAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (_start == _end)
                {
                    // End of stream: an event without its blank line is returned, marked as cut.
                    IsPartial = _hasData;
                    return _hasData;
                }

                IsPartial = true;
                lineEnd = _end;
                newline = _end - _start;
            }
            else
            {
                lineEnd = _start + newline;
            }

            var line = _buffer.AsSpan(_start, lineEnd - _start);
            _start = Math.Min(_start + newline + 1, _end);
            if (line.Length > 0 && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (_ndjson)
            {
                if (line.Trim((byte)' ').IsEmpty)
                {
                    continue;
                }

                AppendData(line);
                return true;
            }

            if (line.IsEmpty)
            {
                if (_hasData)
                {
                    return true;
                }

                _eventTypeLength = 0;
                continue;
            }

            if (line[0] == (byte)':')
            {
                continue;
            }

            int colon = line.IndexOf((byte)':');
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? ReadOnlySpan<byte>.Empty : line[(colon + 1)..];
            if (!value.IsEmpty && value[0] == (byte)' ')
            {
                value = value[1..];
            }

            if (field.SequenceEqual("data"u8))
            {
                if (_hasData)
                {
                    AppendData("\n"u8);
                }

                AppendData(value);
                _hasData = true;
            }
            else if (field.SequenceEqual("event"u8))
            {
                if (value.Length > _eventType.Length)
                {
                    ArrayPool<byte>.Shared.Return(_eventType);
                    _eventType = ArrayPool<byte>.Shared.Rent(value.Length);
                }

                value.CopyTo(_eventType);
                _eventTypeLength = value.Length;
            }
        }
    }

    public void Dispose()
    {
        ArrayPool<byte>.Shared.Return(_buffer);
        ArrayPool<byte>.Shared.Return(_data);
        ArrayPool<byte>.Shared.Return(_eventType);
        if (_head is not null)
        {
            ArrayPool<byte>.Shared.Return(_head);
            _head = null;
        }

        _buffer = _data = _eventType = [];
    }

    private static ProviderResponseFormatException TooLong()
        => WireFormat.Field(null, $"a stream line or event is longer than {WireFormat.MaxEventBytes / (1024 * 1024)} MiB (a body that is not a stream, or a runaway server)");

    private void AppendData(ReadOnlySpan<byte> bytes)
    {
        if (_dataLength + bytes.Length > _data.Length)
        {
            if (_dataLength + bytes.Length > WireFormat.MaxEventBytes)
            {
                throw TooLong();
            }

            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(_data.Length * 2, _dataLength + bytes.Length));
            _data.AsSpan(0, _dataLength).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_data);
            _data = bigger;
        }

        bytes.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += bytes.Length;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0)
        {
            // Keep the unread part at the front.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= WireFormat.MaxEventBytes)
            {
                throw TooLong();
            }

            // One line is longer than the buffer: grow it.
            var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
        }

        int read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            _eof = true;
        }
        else
        {
            if (_head is null || _headLength < HeadSize)
            {
                _head ??= ArrayPool<byte>.Shared.Rent(HeadSize);
                int take = Math.Min(read, HeadSize - _headLength);
                _buffer.AsSpan(_end, take).CopyTo(_head.AsSpan(_headLength));
                _headLength += take;
            }

            _end += read;
        }
    }
}
