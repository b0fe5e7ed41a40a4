using System.CommandLine;
using System.Text;
using System.Text.Json;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit tokens</c>: counts tokens with OpenAI's tiktoken encodings.</summary>
internal static class TokensCommand
{
    public static Command Create(Option<bool> json)
    {
        var encoding = new Option<string?>("--encoding") { Description = "o200k_base or cl100k_base (default: o200k_base, or the model's)." };
        encoding.AcceptOnlyFromAmong("o200k_base", "cl100k_base");
        var model = new Option<string?>("--model") { Description = "Count with this model's encoding (gpt-4o, gpt-4.1, gpt-5, o-series: o200k_base; gpt-4, gpt-3.5: cl100k_base)." };
        var perLine = new Option<bool>("--per-line") { Description = "Count each line on its own, without its trailing line feed (a \\r before it is part of the line)." };
        var file = new Argument<string>("FILE") { Description = "The text file ('-' reads standard input)." };
        var command = new Command("tokens", "Counts tokens with OpenAI's tiktoken encodings.") { encoding, model, perLine, file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(encoding) is not null && parse.GetValue(model) is not null)
            {
                throw new CliInputException("Give --encoding or --model, not both.");
            }

            TiktokenTokenizer tokenizer;
            if (parse.GetValue(model) is { } modelId)
            {
                tokenizer = TiktokenTokenizer.ForModel(modelId)
                    ?? throw new CliInputException($"--model: no tiktoken encoding is known for '{modelId}'. Use --encoding o200k_base or cl100k_base.");
            }
            else
            {
                tokenizer = TiktokenTokenizer.GetEncoding(parse.GetValue(encoding) ?? "o200k_base");
            }

            string path = parse.GetValue(file)!;
            string text;
            try
            {
                // Read as UTF-8 without trimming or normalising: the count is of the text exactly as stored.
                text = path == "-"
                    ? await Console.In.ReadToEndAsync(cancellationToken).ConfigureAwait(false)
                    : await File.ReadAllTextAsync(path, new UTF8Encoding(false), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                throw new CliInputException($"FILE: '{path}' cannot be read: {ex.Message}");
            }

            TokensResult result;
            if (parse.GetValue(perLine))
            {
                var counts = new List<int>();
                int start = 0;
                while (start <= text.Length)
                {
                    int newline = text.IndexOf('\n', start);
                    if (newline < 0)
                    {
                        if (start < text.Length)
                        {
                            counts.Add(tokenizer.CountTokens(text.AsSpan(start)));
                        }

                        break;
                    }

                    counts.Add(tokenizer.CountTokens(text.AsSpan(start, newline - start)));
                    start = newline + 1;
                }

                result = new TokensResult(tokenizer.Name, null, counts);
            }
            else
            {
                result = new TokensResult(tokenizer.Name, tokenizer.CountTokens(text), null);
            }

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.TokensResult));
            }
            else if (result.Counts is { } lines)
            {
                foreach (int count in lines)
                {
                    Console.Out.WriteLine(count);
                }
            }
            else
            {
                Console.Out.WriteLine($"{result.Tokens} tokens ({result.Encoding})");
            }

            return CliExitCodes.Success;
        });
        return command;
    }
}
