namespace LlmKit.Testing.Tests;

public sealed class ChatAssertionExceptionTests
{
    [Fact]
    public void Ctor_Default_HasDefaultMessage()
    {
        var ex = new ChatAssertionException();

        Assert.Equal("A chat assertion failed.", ex.Message);
        Assert.Null(ex.InnerException);
    }

    [Fact]
    public void Ctor_MessageAndInner_KeepsBoth()
    {
        var inner = new InvalidOperationException("inner");

        var ex = new ChatAssertionException("expected x", inner);

        Assert.Equal("expected x", ex.Message);
        Assert.Same(inner, ex.InnerException);
        Assert.Equal("only message", new ChatAssertionException("only message").Message);
    }
}
