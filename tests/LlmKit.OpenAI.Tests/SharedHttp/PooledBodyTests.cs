using System.Buffers;
using LlmKit.Http;

namespace LlmKit.OpenAI.Tests.SharedHttp;

public sealed class PooledBodyTests
{
    [Fact]
    public async Task ReadAllAsync_BodyLargerThanTheFirstBuffer_ReadsEveryByte()
    {
        byte[] body = new byte[(PooledBody.DefaultInitialSize * 3) + 17];
        new Random(42).NextBytes(body);
        using var content = new StreamContent(new MemoryStream(body));

        var (buffer, length) = await PooledBody.ReadAllAsync(content, 1024, CancellationToken.None);
        try
        {
            Assert.Equal(body.Length, length);
            Assert.True(buffer.AsSpan(0, length).SequenceEqual(body));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    [Fact]
    public async Task ReadAllAsync_EmptyBody_LengthZero()
    {
        using var content = new ByteArrayContent([]);

        var (buffer, length) = await PooledBody.ReadAllAsync(content, CancellationToken.None);
        ArrayPool<byte>.Shared.Return(buffer);

        Assert.Equal(0, length);
    }

    [Fact]
    public async Task ReadAllAsync_StreamFails_ExceptionPassesThrough()
    {
        using var content = new StreamContent(new FailingStream());

        await Assert.ThrowsAsync<IOException>(() => PooledBody.ReadAllAsync(content, CancellationToken.None));
    }

    [Fact]
    public void InitialSizeFor_DeclaredLength_OneMoreThanDeclared_ElseDefault()
    {
        using var known = new ByteArrayContent(new byte[100]);
        using var unknown = new StreamContent(new UnseekableStream(new byte[100]));

        Assert.Equal(101, PooledBody.InitialSizeFor(known));
        Assert.Equal(PooledBody.DefaultInitialSize, PooledBody.InitialSizeFor(unknown));
    }

    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }

    private sealed class FailingStream : MemoryStream
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => ValueTask.FromException<int>(new IOException("connection reset"));
    }
}
