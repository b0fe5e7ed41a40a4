using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Cli.Commands;

/// <summary><c>llmkit cost</c>: prices one call from the model registry.</summary>
internal static class CostCommand
{
    public static Command Create(Option<bool> json, Option<FileInfo?> config)
    {
        var model = new Option<string>("--model") { Description = "The model id or alias.", Required = true };
        var input = new Option<long>("--input") { Description = "All prompt tokens, cached and cache-write ones included.", Required = true };
        var output = new Option<long>("--output") { Description = "All output tokens, reasoning ones included.", Required = true };
        var cached = new Option<long>("--cached") { Description = "Prompt tokens read from the provider's cache." };
        var cacheWrite = new Option<long>("--cache-write") { Description = "Prompt tokens written to the provider's cache." };
        var reasoning = new Option<long>("--reasoning") { Description = "Output tokens spent on reasoning." };
        var tier = new Option<string>("--tier") { Description = "Service tier: standard (default), batch, priority or flex.", DefaultValueFactory = _ => "standard" };
        tier.AcceptOnlyFromAmong("standard", "batch", "priority", "flex");
        var prices = CliPrices.CreateOption();
        var command = new Command("cost", "Prices one call from the model registry.") { model, input, output, cached, cacheWrite, reasoning, tier, prices };
        command.SetAction((parse, cancellationToken) =>
        {
            long i = parse.GetValue(input), o = parse.GetValue(output), c = parse.GetValue(cached), w = parse.GetValue(cacheWrite), r = parse.GetValue(reasoning);
            if (i < 0 || o < 0 || c < 0 || w < 0 || r < 0)
            {
                throw new CliInputException("Token counts cannot be negative.");
            }

            if (c + w > i)
            {
                throw new CliInputException("--cached plus --cache-write cannot exceed --input: --input counts all prompt tokens.");
            }

            if (r > o)
            {
                throw new CliInputException("--reasoning cannot exceed --output: --output counts all output tokens.");
            }

            using var services = CliHost.Build(parse.GetValue(config), CliConnection.None, TextWriter.Null, out _);
            CliPrices.Import(services.GetRequiredService<IModelRegistry>(), parse.GetValue(prices), Console.Error);
            var usage = new UsageDetails { InputTokenCount = i, OutputTokenCount = o, CachedInputTokenCount = c, ReasoningTokenCount = r };
            if (w > 0)
            {
                usage.AdditionalCounts = new() { [LlmUsageKeys.CacheWriteInputTokens] = w };
            }

            string modelId = parse.GetValue(model)!;
            var cost = services.GetRequiredService<ICostCalculator>().Calculate(modelId, usage, parse.GetValue(tier));
            var result = ToResult(modelId, cost);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(JsonSerializer.Serialize(result, CliJsonContext.Output.CostResult));
            }
            else if (cost.IsKnown)
            {
                foreach (var item in cost.Items)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{item.Kind,-16} {item.Tokens,12} tokens x ${item.UsdPerMillionTokens}/M = ${item.Amount}"));
                }

                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{"total",-16} ${cost.Total} ({cost.Tier})"));
            }
            else
            {
                Console.Out.WriteLine($"unknown: {cost.UnknownReason}");
            }

            return Task.FromResult(CliExitCodes.Success);
        });
        return command;
    }

    internal static CostResult ToResult(string model, CallCost cost)
    {
        var breakdown = new Dictionary<string, decimal>();
        decimal? input = null, output = null;
        if (cost.IsKnown)
        {
            input = 0m;
            output = 0m;
            foreach (var item in cost.Items)
            {
                breakdown[item.Kind] = item.Amount;
                if (item.Kind is "output" or "reasoning")
                {
                    output += item.Amount;
                }
                else
                {
                    input += item.Amount;
                }
            }
        }

        return new CostResult(model, cost.Currency, cost.IsKnown, cost.Total, input, output, breakdown, cost.Tier, cost.UnknownReason);
    }
}
