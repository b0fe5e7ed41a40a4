namespace LlmKit.Cli;

/// <summary>The exit codes of shared/CLI.md.</summary>
internal static class CliExitCodes
{
    public const int Success = 0;
    public const int ProblemFound = 1;
    public const int BadInput = 2;
}
