using ActorBroker.Storage.Benchmarks;
using BenchmarkDotNet.Running;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine(ThroughputOptions.Usage);
    return 0;
}
if (args.Contains("--throughput"))
{
    var options = ThroughputOptions.Parse(args);
    ThroughputReport.Print(ThroughputRunner.Run(options, Console.Error), options, Console.Out);
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(PartitionLogBenchmarks).Assembly).Run(args);
return 0;
