using System.Globalization;
using ActorBroker.Benchmarks;
using ActorBroker.Compatibility.Tests;
using Confluent.Kafka;

void Log(string message) => Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] {message}");

switch (args.FirstOrDefault())
{
    case MockCluster.Name:
        return await Guarded(() => Task.FromResult(MockCluster.Run(args[1..], Log)));
    case ProxyProduceScenario.Name when !args.Contains("--bootstrap"):
        // The scenario alone, with its own options (see ProxyProduceScenario); with --bootstrap it is one of the named scenarios.
        return await Guarded(() => ProxyProduceScenario.RunAsync(args[1..], Log));
    case "--help" or "-h" or null:
        Console.WriteLine(BenchmarkOptions.Usage);
        return args.Length == 0 ? 2 : 0;
}

BenchmarkOptions options;
try
{
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine("Run with --help for the scenarios and options.");
    return 2;
}

Log($"librdkafka {Library.VersionString} from {ConfluentNative.LoadedFrom ?? "default probing"}; ActorBroker at {options.Bootstrap}; " +
    $"{(options.WithReference ? "reference: librdkafka's mock cluster" : "no reference")}; {options.Repeat} repetition(s) of {options.Window.Warmup.TotalSeconds:F1} s warm-up + " +
    $"{options.Window.Measured.TotalSeconds:F1} s; scenarios: {string.Join(" ", options.Scenarios)}");
// cluster-acks-all compares with the single node and proxy-produce has no reference: neither needs the mock.
bool needsMock = options.WithReference && options.Scenarios.Any(s => s is not ("cluster-acks-all" or "proxy-produce"));
using var mock = needsMock ? await MockReference.StartAsync(Log) : null;
var runner = new ScenarioRunner(options, mock, Log);
var figures = new List<Figure>();
var probes = new List<string>();
int exitCode = 0;
foreach (string scenario in options.Scenarios)
{
    double probe = PageCacheProbe.FreshPagesMegabytesPerSecond(options.ProbeDirectory, options.ProbeBytes);
    probes.Add(string.Create(CultureInfo.InvariantCulture, $"{scenario} {probe:F0}"));
    Log(string.Create(CultureInfo.InvariantCulture, $"== {scenario} (page-cache write into fresh pages just before: {probe:F0} MB/s)"));
    try
    {
        figures.AddRange(await runner.RunAsync(scenario));
    }
    catch (Exception ex) when (ex is KafkaException or TimeoutException or InvalidOperationException)
    {
        Log($"{scenario} failed: {ex.GetType().Name}: {ex.Message}");
        exitCode = 1;
    }
}

Console.WriteLine(Report.Table(figures));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"MB = 10^6 bytes of record values; ratio = ActorBroker ÷ reference (for CPU and latency, lower is better). " +
    $"Median of {options.Repeat} repetition(s); 'broker CPU per M records' is the broker process's CPU seconds (/proc) per million records."));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Page-cache write into fresh pages just before each scenario ({options.ProbeBytes >> 20} MiB, 1 MiB writes, no sync), MB/s: {string.Join(", ", probes)}."));
if (options.JsonFile is { } file)
{
    File.WriteAllText(file, Report.Json(figures));
    Log($"wrote {figures.Count} figures to {file}");
}
return exitCode;

static async Task<int> Guarded(Func<Task<int>> run)
{
    try
    {
        return await run();
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
}
