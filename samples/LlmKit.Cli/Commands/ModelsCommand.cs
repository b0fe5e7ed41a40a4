using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit models</c>: lists the model catalog (shipped and configured).</summary>
internal static class ModelsCommand
{
    public static Command Create(Option<bool> json, Option<FileInfo?> config)
    {
        var provider = new Option<string?>("--provider") { Description = "Only models of this provider (openai, anthropic, gemini, ...)." };
        var capability = new Option<string[]>("--capability") { Description = "Only models with this capability (repeatable): chat, streaming, tools, jsonschema, vision, reasoning, promptcaching, ...", AllowMultipleArgumentsPerToken = true };
        var minContext = new Option<int?>("--min-context") { Description = "Only models whose context window holds at least this many tokens." };
        var prices = CliPrices.CreateOption();
        var command = new Command("models", "Lists the model catalog (shipped and configured).") { provider, capability, minContext, prices };
        command.SetAction((parse, cancellationToken) =>
        {
            var required = ModelCapabilities.None;
            foreach (string name in parse.GetValue(capability) ?? [])
            {
                if (!Enum.TryParse(name.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true, out ModelCapabilities c) || !Enum.IsDefined(c))
                {
                    throw new CliInputException($"--capability: '{name}' is not a capability. Known: {string.Join(", ", Enum.GetNames<ModelCapabilities>().Skip(1).Select(n => n.ToLowerInvariant()))}.");
                }

                required |= c;
            }

            if (parse.GetValue(minContext) is < 0)
            {
                throw new CliInputException("--min-context must not be negative.");
            }

            using var services = CliHost.Build(parse.GetValue(config), CliConnection.None, TextWriter.Null, out _);
            var registry = services.GetRequiredService<IModelRegistry>();
            CliPrices.Import(registry, parse.GetValue(prices), Console.Error);
            var models = registry.Query(new ModelQuery { Provider = parse.GetValue(provider), RequiredCapabilities = required, MinContextWindow = parse.GetValue(minContext) });
            var rows = models.Select(m => new ModelRow(
                m.Id,
                m.Provider,
                m.ContextWindow,
                m.MaxOutputTokens,
                new ModelRowPricing(m.Pricing?.InputPerMillion, m.Pricing?.OutputPerMillion, m.Pricing?.CachedInputPerMillion, m.Pricing?.CacheWritePerMillion),
                Enum.GetValues<ModelCapabilities>().Where(c => c != ModelCapabilities.None && m.Capabilities.HasFlag(c)).Select(c => CapabilityName(c)).ToList())).ToList();

            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(rows, CliJsonContext.Output.ListModelRow));
            }
            else
            {
                Console.Out.WriteLine($"{"id",-52} {"provider",-12} {"context",9} {"output",8} {"in $/M",8} {"out $/M",8}");
                foreach (var row in rows)
                {
                    Console.Out.WriteLine($"{row.Id,-52} {row.Provider,-12} {row.ContextWindow,9} {row.MaxOutputTokens,8} {Price(row.Pricing.InputPerMTok),8} {Price(row.Pricing.OutputPerMTok),8}");
                }

                Console.Error.WriteLine($"{rows.Count} models; catalog: {registry.CatalogInfo.Source}, dated {registry.CatalogInfo.Date:yyyy-MM-dd} ({registry.CatalogInfo.License}).");
            }

            return Task.FromResult(CliExitCodes.Success);
        });
        return command;
    }

    private static string Price(decimal? price) => price is { } p ? p.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "?";

    private static string CapabilityName(ModelCapabilities capability) => capability switch
    {
        ModelCapabilities.JsonSchema => "json_schema",
        ModelCapabilities.ParallelToolCalls => "parallel_tool_calls",
        ModelCapabilities.PromptCaching => "prompt_caching",
        _ => capability.ToString().ToLowerInvariant(),
    };
}
