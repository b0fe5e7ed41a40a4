namespace LlmKit.Tests.TestDoubles;

/// <summary>Response content that remembers being disposed.</summary>
internal sealed class TrackedContent(string text) : StringContent(text)
{
    public bool Disposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}
