namespace ActorBroker.Benchmarks;

/// <summary>The command line, parsed once. Immutable.</summary>
public sealed record BenchmarkOptions
{
    public const string Usage = """
        ActorBroker benchmarks: run scenarios with Confluent.Kafka (bundled librdkafka 2.16) against a running node and,
        in the same run, against librdkafka's mock cluster as the reference; print a table (and JSON) of both and their
        ratio. The mock cluster runs in a child process this program starts; scripts/bench.sh starts the node and (for
        cluster-acks-all) a 3-node cluster.

        usage: ActorBroker.Benchmarks [options] SCENARIO...
               ActorBroker.Benchmarks mock-cluster [--brokers N]      run a mock cluster, print its bootstrap list
               ActorBroker.Benchmarks proxy-produce --seed H:P [...]  the actor-proxy scenario alone, with its own options

        scenarios (at least one; there is no "all"):
          produce-100b      100 B records, acks=1, 6 partitions, linger 5 ms: records/s, MB/s
          produce-1k        1 KiB records, acks=1 and acks=all, 6 partitions: MB/s
          consume-1k        read 1 KiB records from the beginning of a 2 GiB topic (6 partitions): MB/s
          produce-consume   produce and consume one topic at once: both MB/s
          latency           end to end at 10 000 records/s, 1 KiB, linger 1 ms, acks=all, from each record's intended
                            send time (no coordinated omission): p50, p99, p99.9, max
          partitions        produce 1 KiB with 1, 6, 64 and 512 partitions: MB/s
          durable           produce 1 KiB, acks=all, topic flush.messages=1 (fsync before the ack): MB/s
          cluster-acks-all  3 nodes, replication factor 3, acks=all: MB/s and p99 latency, against the single node
          proxy-produce     produce 1 KiB through the .NET actor-proxy client (ActorBroker.Client): records/s, MB/s

        options:
          --bootstrap H:P             the node's Kafka listener (required)
          --node-pid PID              the node's process: adds broker CPU seconds per million records
          --no-reference              skip the reference (by default a mock cluster of one broker runs in a child process)
          --cluster-bootstrap LIST    the 3-node cluster (cluster-acks-all)
          --cluster-pids P,P,P        its nodes' processes
          --seed H:P                  the node's Akka endpoint (proxy-produce)
          --quick                     short runs (0.5 s warm-up, 2 s window, 1 repetition, 64 MiB consume topic): a smoke check
          --repeat N                  repetitions of each measurement (default 3; --quick: 1)
          --json FILE                 also write the figures to FILE
          --probe-dir DIR             where the page-cache probe before each scenario writes (default: the temp directory)
        Before the first scenario the node gets unmeasured produce runs until its rate stops rising (JIT warm-up).
        MB = 10^6 bytes of record values. Each figure is the median of its repetitions; the table shows the range too.
        """;

    public static readonly string[] AllScenarios =
        ["produce-100b", "produce-1k", "consume-1k", "produce-consume", "latency", "partitions", "durable", "cluster-acks-all", "proxy-produce"];

    public IReadOnlyList<string> Scenarios { get; init; } = [];
    public string Bootstrap { get; init; } = "";
    public int? NodePid { get; init; }
    public bool WithReference { get; init; } = true;
    public string? ClusterBootstrap { get; init; }
    public IReadOnlyList<int> ClusterPids { get; init; } = [];
    public string? Seed { get; init; }
    public bool Quick { get; init; }
    public int? RepeatOverride { get; init; }
    public string? JsonFile { get; init; }
    public string ProbeDirectory { get; init; } = Path.GetTempPath();

    public int Repeat => RepeatOverride ?? (Quick ? 1 : 3);
    public Window Window => Quick ? new(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2)) : new(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
    public long ConsumeTopicBytes => Quick ? 64L << 20 : 2L << 30;
    public long ProbeBytes => Quick ? 32L << 20 : 256L << 20;

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions();
        var scenarios = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive() => int.TryParse(Value(), out int n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive integer.");
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                scenarios.Add(AllScenarios.Contains(args[i])
                    ? args[i]
                    : throw new ArgumentException($"Unknown scenario {args[i]}; the scenarios are {string.Join(", ", AllScenarios)}."));
                continue;
            }
            options = args[i] switch
            {
                "--bootstrap" => options with { Bootstrap = Value() },
                "--node-pid" => options with { NodePid = Positive() },
                "--no-reference" => options with { WithReference = false },
                "--cluster-bootstrap" => options with { ClusterBootstrap = Value() },
                "--cluster-pids" => options with { ClusterPids = Value().Split(',').Select(p => int.TryParse(p, out int pid) && pid > 0 ? pid : throw new ArgumentException($"--cluster-pids: {p} is not a process id.")).ToArray() },
                "--seed" => options with { Seed = Value() },
                "--quick" => options with { Quick = true },
                "--repeat" => options with { RepeatOverride = Positive() },
                "--json" => options with { JsonFile = Value() },
                "--probe-dir" => options with { ProbeDirectory = Value() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        if (options.Bootstrap.Length == 0)
            throw new ArgumentException("--bootstrap HOST:PORT (the node's Kafka listener) is required.");
        if (!Directory.Exists(options.ProbeDirectory))
            throw new ArgumentException($"--probe-dir: {options.ProbeDirectory} is not a directory; give an existing one (it holds a temporary file).");
        if (scenarios.Count == 0)
            throw new ArgumentException($"Name at least one scenario: {string.Join(", ", AllScenarios)}.");
        if (scenarios.Contains("cluster-acks-all") && options.ClusterBootstrap is null)
            throw new ArgumentException("cluster-acks-all needs --cluster-bootstrap (scripts/bench.sh starts the cluster).");
        if (scenarios.Contains("proxy-produce") && options.Seed is null)
            throw new ArgumentException("proxy-produce needs --seed HOST:AKKA-PORT (the node's Akka endpoint).");
        return options with { Scenarios = scenarios.Distinct().ToArray() };
    }
}
