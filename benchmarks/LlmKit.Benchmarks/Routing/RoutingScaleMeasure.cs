using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace LlmKit.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- routing-scale [callers] [seconds] [rounds]</c>: throughput (calls per second) of the bare client and
/// of the router with its resilience pipeline (the <see cref="RoutingBenchmarks"/> set-up) with <c>callers</c> threads calling at
/// at once for <c>seconds</c> per row. Run it under <c>taskset -c 0</c> and <c>taskset -c 0,1</c> (same build) to see how
/// throughput scales with cores: the ratio of the two is the scaling (ideal: the number of cores; the reference row shows what
/// the machine gives for work that shares nothing). Rows alternate per round so
/// that load from other processes hits both alike; every round is printed, then the best.
/// </summary>
public static class RoutingScaleMeasure
{
    public static void Run(int callers, double seconds, int rounds)
    {
        var messages = new List<ChatMessage> { new(ChatRole.User, "Say hello.") };
        var direct = new ChatOptions { ModelId = "gpt-4o" };
        var smart = new ChatOptions { ModelId = "smart" };
        var bare = new CannedChatClient(1);
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
        using var provider = services.BuildServiceProvider();
        var router = provider.GetRequiredService<IChatClient>();
        // The reference row: work of its own per call (hashing a 200-character string) that shares and allocates nothing, so
        // its ratio is what this machine gives for perfectly parallel work.
        var done = Task.FromResult(new ChatResponse());
        string text = new('x', 200);
        var rows = new (string Name, Func<Task<ChatResponse>> Call)[]
        {
            ("reference: hash 200 chars, nothing shared", () => string.GetHashCode(text.AsSpan()) == 42 ? Task.FromResult(new ChatResponse()) : done),
            ("bare client", () => bare.GetResponseAsync(messages, direct)),
            ("router + resilience (2 deployments)", () => router.GetResponseAsync(messages, smart)),
        };

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"processors {Environment.ProcessorCount}, callers {callers}, {seconds} s per row and round, server GC {System.Runtime.GCSettings.IsServerGC}"));
        var best = new double[rows.Length];
        for (int round = 0; round <= rounds; round++)
        {
            for (int r = 0; r < rows.Length; r++)
            {
                int collections = GC.CollectionCount(0);
                double perSecond = Measure(rows[r].Call, callers, TimeSpan.FromSeconds(seconds));
                collections = GC.CollectionCount(0) - collections;
                if (round == 0)
                {
                    // Warm-up (tiered compilation, thread creation).
                    continue;
                }

                best[r] = Math.Max(best[r], perSecond);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"round {round}: {rows[r].Name,-42} {perSecond,12:N0} calls/s  {collections,5} gen0 GCs"));
            }
        }

        for (int r = 0; r < rows.Length; r++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best:    {rows[r].Name,-42} {best[r],12:N0} calls/s  ({1e9 / best[r],6:0} ns per call)"));
        }
    }

    private static double Measure(Func<Task<ChatResponse>> call, int callers, TimeSpan duration)
    {
        const int Batch = 256;
        bool stop = false;
        long total = 0;
        using var start = new ManualResetEventSlim(false);
        using var ready = new CountdownEvent(callers);
        var threads = new Thread[callers];
        for (int t = 0; t < callers; t++)
        {
            threads[t] = new Thread(() =>
            {
                ready.Signal();
                start.Wait();
                long done = 0;
                while (!Volatile.Read(ref stop))
                {
                    for (int i = 0; i < Batch; i++)
                    {
                        call().GetAwaiter().GetResult();
                    }

                    done += Batch;
                }

                Interlocked.Add(ref total, done);
            });
            threads[t].Start();
        }

        ready.Wait();
        var clock = Stopwatch.StartNew();
        start.Set();
        Thread.Sleep(duration);
        Volatile.Write(ref stop, true);
        foreach (var thread in threads)
        {
            thread.Join();
        }

        return total / clock.Elapsed.TotalSeconds;
    }
}
