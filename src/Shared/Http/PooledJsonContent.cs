using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace LlmKit.Http;

/// <summary>
/// A JSON request body written with <see cref="Utf8JsonWriter"/> into a pooled buffer; the buffer goes back
/// to the pool when the content is disposed.
/// </summary>
internal sealed class PooledJsonContent : HttpContent
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };
    private byte[] _buffer;
    private int _length;

    private PooledJsonContent(byte[] buffer, int length)
    {
        _buffer = buffer;
        _length = length;
        Headers.ContentType = JsonMediaType;
    }

    public ReadOnlySpan<byte> Json => _buffer.AsSpan(0, _length);

    /// <summary>Writes the body with <paramref name="write"/> and returns it as content.</summary>
    public static PooledJsonContent Create<TState>(TState state, Action<Utf8JsonWriter, TState> write)
    {
        var output = new PooledBufferWriter();
        try
        {
            using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true }))
            {
                write(writer, state);
            }

            return new PooledJsonContent(output.Detach(out int length), length);
        }
        catch
        {
            output.Dispose();
            throw;
        }
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        => stream.WriteAsync(_buffer, 0, _length);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        => stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }

        base.Dispose(disposing);
    }
}
