using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- pipeline-quick [rounds]</c>: the rows of <see cref="PipelineOverheadBenchmarks"/> and
/// <see cref="RoutingBenchmarks"/> measured in one process, interleaved, the best of several rounds of 100,000 calls per row
/// (the minimum is what survives a machine shared with other builds, where BenchmarkDotNet's means do not).
/// </summary>
public static class PipelineQuickMeasure
{
    private const int Calls = 100_000;

    public static void Run(int rounds)
    {
        var messages = new List<ChatMessage> { new(ChatRole.User, "Say hello.") };
        var direct = new ChatOptions { ModelId = "gpt-4o" };
        var smart = new ChatOptions { ModelId = "smart" };
        var bare = new CannedChatClient(1);
        var full = Pipeline(null, discard: false);
        var noMetering = Pipeline(k => k.Pipeline.Remove(PipelineStageNames.Metering), discard: false);
        var discarding = Pipeline(null, discard: true);
        var router = Router();
        var rows = new (string Name, Func<Task<ChatResponse>> Call, bool Parallel)[]
        {
            ("bare client", () => bare.GetResponseAsync(messages, direct), false),
            ("default pipeline", () => full.GetResponseAsync(messages, direct), false),
            ("telemetry + router", () => noMetering.GetResponseAsync(messages, direct), false),
            ("default pipeline, discarding ledger", () => discarding.GetResponseAsync(messages, direct), false),
            ("router + resilience (2 deployments)", () => router.GetResponseAsync(messages, smart), false),
            ("router + resilience, 64 callers", () => router.GetResponseAsync(messages, smart), true),
        };

        var best = new double[rows.Length];
        var allocated = new double[rows.Length];
        Array.Fill(best, double.MaxValue);
        for (int round = 0; round <= rounds; round++)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                var call = rows[r].Call;
                long before = GC.GetAllocatedBytesForCurrentThread();
                var clock = Stopwatch.StartNew();
                if (rows[r].Parallel)
                {
                    Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 64 }, _ =>
                    {
                        for (int i = 0; i < Calls / 64; i++)
                        {
                            call().GetAwaiter().GetResult();
                        }
                    });
                }
                else
                {
                    for (int i = 0; i < Calls; i++)
                    {
                        call().GetAwaiter().GetResult();
                    }

                    allocated[r] = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Calls;
                }

                if (round > 0)
                {
                    // Round 0 warms up.
                    best[r] = Math.Min(best[r], clock.Elapsed.TotalNanoseconds / Calls);
                }
            }
        }

        for (int r = 0; r < rows.Length; r++)
        {
            string bytes = rows[r].Parallel ? string.Empty : string.Create(CultureInfo.InvariantCulture, $"{allocated[r],6:0} B");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows[r].Name,-40} {best[r],8:0} ns  {bytes}"));
        }
    }

    private static IChatClient Pipeline(Action<ILlmKitBuilder>? configure, bool discard)
    {
        var services = new ServiceCollection();
        if (discard)
        {
            services.AddSingleton<IUsageLedger, DiscardingUsageLedger>();
        }

        var provider = new CannedChatClient(1);
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("openai", _ => provider);
            configure?.Invoke(kit);
        });
        return services.BuildServiceProvider().GetRequiredService<IChatClient>();
    }

    private static IChatClient Router()
    {
        var services = new ServiceCollection();
        var a = new CannedChatClient(1);
        var b = new CannedChatClient(1);
        services.AddLlmKit(kit =>
        {
            kit.AddProvider("a", _ => a).AddProvider("b", _ => b);
            kit.AddModel("smart", new DeploymentOptions { Provider = "a", Model = "gpt-4o", Priority = 0 }, new DeploymentOptions { Provider = "b", Model = "gpt-4o", Priority = 1 });
            kit.Pipeline.Remove(PipelineStageNames.Telemetry);
            kit.Pipeline.Remove(PipelineStageNames.Metering);
        });
        return services.BuildServiceProvider().GetRequiredService<IChatClient>();
    }
}
