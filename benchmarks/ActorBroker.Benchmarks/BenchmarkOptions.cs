namespace ActorBroker.Benchmarks;

/// <summary>The command line, parsed once. Immutable.</summary>
public sealed record BenchmarkOptions
{
    public const string Usage = """
        ActorBroker benchmarks: drive a running node with Confluent.Kafka (bundled librdkafka) and print figures.

        usage: ActorBroker.Benchmarks --bootstrap HOST:PORT [options]

          --bootstrap H:P         the node's Kafka listener (required)
          --scenario NAME         produce | produce-latency | consume | e2e | all (default all)
          --records N             records per produce/consume throughput run (default 200000)
          --value-bytes N         value size; default: 1024, and 100 for the produce throughput scenario
          --partitions N          partitions of each topic the benchmark creates (default 1)
          --repeat N              runs of each scenario; the table shows the median of each figure (default 3)
          --latency-records N     records of the one-at-a-time latency scenarios (default 2000)
          --node-pid PID          the node's process id: adds the node's CPU use to the table (Linux /proc)
          --run-timeout-seconds N a run that takes longer fails (default 120)
          --max-seconds N         start no new round after N seconds (the first round always runs)
          --disk-write-mbps X     the machine's sequential direct write speed (MB/s), to print figures against it
          --loopback-mbps X       the machine's loopback TCP throughput (MB/s), likewise
        """;

    public string Bootstrap { get; init; } = "";
    public string Scenario { get; init; } = "all";
    public int Records { get; init; } = 200_000;
    public int? ValueBytes { get; init; }
    public int Partitions { get; init; } = 1;
    public int Repeat { get; init; } = 3;
    public int LatencyRecords { get; init; } = 2_000;
    public int? NodePid { get; init; }
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromSeconds(120);
    public TimeSpan? MaxDuration { get; init; }
    public double? DiskWriteMbps { get; init; }
    public double? LoopbackMbps { get; init; }

    public static readonly string[] Scenarios = ["produce", "produce-latency", "consume", "e2e"];

    public bool Runs(string scenario) => Scenario == "all" || Scenario == scenario;

    /// <summary>Value sizes of the produce throughput scenario.</summary>
    public IReadOnlyList<int> ProduceValueSizes => ValueBytes is { } size ? [size] : [1024, 100];

    /// <summary>Value size of the other scenarios.</summary>
    public int MainValueBytes => ValueBytes ?? 1024;

    private static double PositiveNumber(string text) =>
        double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double x) && x > 0
            ? x
            : throw new ArgumentException($"Expected a positive number, not {text}.");

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive() => int.TryParse(Value(), out int n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive integer.");
            options = args[i] switch
            {
                "--bootstrap" => options with { Bootstrap = Value() },
                "--scenario" => options with { Scenario = Value() },
                "--records" => options with { Records = Positive() },
                "--value-bytes" => options with { ValueBytes = Positive() },
                "--partitions" => options with { Partitions = Positive() },
                "--repeat" => options with { Repeat = Positive() },
                "--latency-records" => options with { LatencyRecords = Positive() },
                "--node-pid" => options with { NodePid = Positive() },
                "--run-timeout-seconds" => options with { RunTimeout = TimeSpan.FromSeconds(Positive()) },
                "--max-seconds" => options with { MaxDuration = TimeSpan.FromSeconds(Positive()) },
                "--disk-write-mbps" => options with { DiskWriteMbps = PositiveNumber(Value()) },
                "--loopback-mbps" => options with { LoopbackMbps = PositiveNumber(Value()) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (options.Bootstrap.Length == 0)
            throw new ArgumentException("--bootstrap HOST:PORT is required.");
        if (options.Scenario != "all" && !Scenarios.Contains(options.Scenario))
            throw new ArgumentException($"--scenario must be one of {string.Join(", ", Scenarios)} or all, not {options.Scenario}.");
        return options;
    }
}
