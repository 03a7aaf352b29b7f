using ActorBroker.Benchmarks;
using ActorBroker.Compatibility.Tests;
using Confluent.Kafka;

void Log(string message) => Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

if (args.FirstOrDefault() == ProxyProduceScenario.Name)
{
    try
    {
        return await ProxyProduceScenario.RunAsync(args[1..], Log);
    }
    catch (ArgumentException ex)
    {
        Console.Error.WriteLine(ex.Message);
        return 2;
    }
}

BenchmarkOptions options;
try
{
    if (args.Contains("--help") || args.Contains("-h"))
    {
        Console.WriteLine(BenchmarkOptions.Usage);
        return 0;
    }
    options = BenchmarkOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(BenchmarkOptions.Usage);
    return 2;
}

Log($"librdkafka {Library.VersionString} from {ConfluentNative.LoadedFrom ?? "default probing"}; bootstrap {options.Bootstrap}; " +
    $"{Environment.ProcessorCount} CPUs; {options.Repeat} run(s) per scenario");
var scenarios = new Scenarios(options, Log);
var runs = new List<RunResult>();

async Task Measure(Func<Task<RunResult>> run)
{
    var result = await run();
    Log(ResultTable.FormatRun(result));
    runs.Add(result);
}

try
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    for (int repeat = 1; repeat <= options.Repeat; repeat++)
    {
        if (repeat > 1 && started.Elapsed > options.MaxDuration)
        {
            Log($"-- stopping after {repeat - 1} round(s): {started.Elapsed.TotalSeconds:F0} s is over --max-seconds");
            break;
        }
        Log($"-- round {repeat} of {options.Repeat}");
        if (options.Runs("produce"))
        {
            foreach (int size in options.ProduceValueSizes)
            foreach (var acks in new[] { Acks.Leader, Acks.All })
                await Measure(() => scenarios.ProduceThroughputAsync(size, acks, options.Records));
        }
        if (options.Runs("produce-latency"))
            await Measure(() => scenarios.ProduceLatencyAsync(options.MainValueBytes, options.LatencyRecords));
        if (options.Runs("consume"))
            await Measure(() => scenarios.ConsumeThroughputAsync(options.MainValueBytes, options.Records));
        if (options.Runs("e2e"))
            await Measure(() => scenarios.EndToEndAsync(options.MainValueBytes, options.LatencyRecords));
    }
}
catch (Exception ex) when (ex is KafkaException or TimeoutException or InvalidOperationException)
{
    Log($"benchmark failed: {ex.GetType().Name}: {ex.Message}");
    if (runs.Count > 0)
        Console.WriteLine(ResultTable.Format(runs));
    return 1;
}

Console.WriteLine();
Console.WriteLine(ResultTable.Format(runs));
Console.WriteLine("MB = 10^6 bytes of record values. Each figure is the median over the runs of that row; latencies are per record.");
if (options.DiskWriteMbps is not null || options.LoopbackMbps is not null)
{
    Console.WriteLine("Against the machine's limits:");
    Console.WriteLine(ResultTable.FormatAgainstLimits(runs, options.DiskWriteMbps, options.LoopbackMbps));
}
Console.WriteLine("CPU: node, node CPU wait (runnable, not running) and client in % of one core of wall time; machine busy in % of all cores.");
return 0;
