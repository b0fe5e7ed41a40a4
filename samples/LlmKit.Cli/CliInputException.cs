namespace LlmKit.Cli;

/// <summary>Bad arguments or input: the CLI prints the message on one line and exits with code 2.</summary>
internal sealed class CliInputException(string message) : Exception(message);
