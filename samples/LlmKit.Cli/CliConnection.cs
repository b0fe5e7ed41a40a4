namespace LlmKit.Cli;

/// <summary>What the command line says about the provider to use: <c>--provider</c>, <c>--base-url</c>, <c>--api-key</c>.</summary>
internal sealed record CliConnection(string? Provider, Uri? BaseUrl, string? ApiKey)
{
    public static CliConnection None { get; } = new(null, null, null);
}
