using BenchmarkDotNet.Running;

// Run everything:           dotnet run -c Release --project benchmarks/LlmKit.Benchmarks -- --filter '*'
// Quick (shorter) run:      dotnet run -c Release --project benchmarks/LlmKit.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
