namespace LlmKit.Cli;

/// <summary>The <c>--prices FILE</c> option of <c>models</c> and <c>cost</c>: a LiteLLM-format price file imported first.</summary>
internal static class CliPrices
{
    public static System.CommandLine.Option<string?> CreateOption() => new("--prices")
    {
        Description = "A LiteLLM-format price file (model_prices_and_context_window.json) imported over the catalog first; - for standard input.",
    };

    /// <summary>Imports the file into the registry; a bad file is bad input (exit 2) with the file, entry and field named.</summary>
    public static void Import(IModelRegistry registry, string? file, TextWriter diagnostics)
    {
        if (string.IsNullOrEmpty(file))
        {
            return;
        }

        int count;
        try
        {
            count = file == "-"
                ? registry.ImportLiteLlmPrices(Console.OpenStandardInput(), "standard input")
                : registry.ImportLiteLlmPrices(file);
        }
        catch (ModelPriceFileException ex)
        {
            throw new CliInputException("--prices: " + ex.Message.ReplaceLineEndings(" "));
        }

        diagnostics.WriteLine($"--prices: {count} models imported from {(file == "-" ? "standard input" : file)}.");
    }
}
