using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Running;
using LlmKit;
using LlmKit.Benchmarks;

// dotnet run -c Release -- write-corpus corpus.txt   writes the corpus for tiktoken-throughput.mjs
// dotnet run -c Release -- quick [corpus.txt]        a Stopwatch measurement (MB/s, bytes allocated per count)
// dotnet run -c Release -- tokenizer-peers-quick [rounds]   LlmKit, Microsoft.ML.Tokenizers and SharpToken counting the corpus, best of interleaved rounds
// dotnet run -c Release -- safety-quick             a Stopwatch measurement of the safety scanner (MB/s)
// dotnet run -c Release -- seed-stores              seeds the cached data of ConversationStoreBenchmarks (SQLite and PostgreSQL)
// dotnet run -c Release -- stores-quick [rounds] [store] per-operation p50/p90/p99 of the conversation stores
// dotnet run -c Release -- pipeline-quick [rounds]    pipeline and routing rows, best of interleaved rounds (a loaded machine)
// dotnet run -c Release -- routing-scale [callers] [seconds] [rounds]   calls/s of N threads (run under taskset for 1 vs 2 cores)
// dotnet run -c Release -- cost-quick [rounds]        cost calculation rows, old and new, best of interleaved rounds
// dotnet run -c Release -- [BenchmarkDotNet args]    TokenizerBenchmarks (for example --filter *Count*)
if (args.Length >= 1 && args[0] == "seed-stores")
{
    foreach (string store in new[] { "SQLite", "PostgreSQL" })
    {
        var clock = Stopwatch.StartNew();
        var benchmarks = new ConversationStoreBenchmarks { Store = store };
        benchmarks.Setup();
        benchmarks.Cleanup();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{store}: ready in {clock.Elapsed.TotalSeconds:0} s"));
    }

    return;
}

if (args.Length >= 2 && args[0] == "write-corpus")
{
    File.WriteAllText(args[1], BenchmarkCorpus.Create(), new UTF8Encoding(false));
    Console.WriteLine($"wrote {new FileInfo(args[1]).Length} bytes to {args[1]}");
    return;
}

if (args.Length >= 1 && args[0] == "quick")
{
    string corpus = args.Length >= 2 ? File.ReadAllText(args[1], Encoding.UTF8) : BenchmarkCorpus.Load();
    string[] documents = corpus.Split(BenchmarkCorpus.Separator);
    double megabytes = Encoding.UTF8.GetByteCount(corpus) / 1e6;
    var load = Stopwatch.StartNew();
    var o200k = TiktokenTokenizer.O200kBase;
    double o200kLoad = load.Elapsed.TotalMilliseconds;
    load.Restart();
    var cl100k = TiktokenTokenizer.Cl100kBase;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load (first use, includes JIT): o200k_base {o200kLoad:0} ms, cl100k_base {load.Elapsed.TotalMilliseconds:0} ms"));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"corpus: {megabytes:0.00} MB UTF-8, {corpus.Length} chars, {documents.Length} documents"));
    foreach (var tokenizer in new[] { o200k, cl100k })
    {
        int tokens = tokenizer.CountTokens(corpus);
        Measure($"{tokenizer.Name} count whole", () => tokenizer.CountTokens(corpus));
        Measure($"{tokenizer.Name} count documents", () =>
        {
            int total = 0;
            foreach (string document in documents)
            {
                total += tokenizer.CountTokens(document);
            }

            return total;
        });
        Measure($"{tokenizer.Name} encode whole", () => tokenizer.EncodeToArray(corpus).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {tokenizer.Name}: {tokens} tokens"));
    }

    void Measure(string name, Func<int> action)
    {
        action();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        action();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        double best = double.MaxValue;
        for (int i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-32} {megabytes / best,8:0.0} MB/s  {best * 1000,8:0.0} ms  allocated {allocated} B"));
    }

    return;
}

if (args.Length >= 1 && args[0] == "tokenizer-peers-quick")
{
    TokenizerPeersQuick.Run(args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5);
    return;
}

if (args.Length >= 1 && args[0] == "safety-quick")
{
    SafetyQuick.Run();
    return;
}

if (args.Length >= 1 && args[0] == "stores-quick")
{
    StoresQuickMeasure.Run(args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5, args.Length >= 3 ? args[2] : null);
    return;
}

if (args.Length >= 1 && args[0] == "cost-quick")
{
    CostQuick.Run(args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
    return;
}

if (args.Length >= 1 && args[0] == "pipeline-quick")
{
    PipelineQuickMeasure.Run(args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10);
    return;
}

if (args.Length >= 1 && args[0] == "routing-scale")
{
    RoutingScaleMeasure.Run(
        args.Length >= 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 64,
        args.Length >= 3 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 2,
        args.Length >= 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(TokenizerBenchmarks).Assembly).Run(args);
