using BenchmarkDotNet.Running;
using OrderFunctions.Benchmarks;

BenchmarkSwitcher.FromAssembly(typeof(OrderParsingBenchmarks).Assembly).Run(args);
