using System.Buffers;

namespace LlmKit.Http;

/// <summary>Reads whole response bodies into arrays rented from the shared pool.</summary>
internal static class PooledBody
{
    /// <summary>The first buffer's size when the body's length is not known up front.</summary>
    public const int DefaultInitialSize = 16 * 1024;

    /// <summary>
    /// A first buffer size for <paramref name="content"/>: its declared <c>Content-Length</c> plus one (so the end is
    /// seen without growing) when that is below 64 MiB, else <see cref="DefaultInitialSize"/>.
    /// </summary>
    public static int InitialSizeFor(HttpContent content)
    {
        long? declared = content.Headers.ContentLength;
        return declared is > 0 and < 64 * 1024 * 1024 ? (int)declared.Value + 1 : DefaultInitialSize;
    }

    /// <summary>Reads a whole body into a pooled array that the caller returns to the pool, starting at <see cref="DefaultInitialSize"/>.</summary>
    public static Task<(byte[] Buffer, int Length)> ReadAllAsync(HttpContent content, CancellationToken cancellationToken)
        => ReadAllAsync(content, DefaultInitialSize, cancellationToken);

    /// <summary>
    /// Reads a whole body into a pooled array that the caller returns to the pool. On failure the array goes back
    /// to the pool and the exception passes through unchanged.
    /// </summary>
    public static async Task<(byte[] Buffer, int Length)> ReadAllAsync(HttpContent content, int initialSize, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(initialSize);
        try
        {
            using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return (buffer, length);
                }

                length += read;
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }
}
