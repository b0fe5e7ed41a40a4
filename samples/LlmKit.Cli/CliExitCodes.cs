namespace LlmKit.Cli;

/// <summary>The exit codes of the <c>llmkit</c> tool, as its README lists them.</summary>
internal static class CliExitCodes
{
    public const int Success = 0;
    public const int ProblemFound = 1;
    public const int BadInput = 2;
}
