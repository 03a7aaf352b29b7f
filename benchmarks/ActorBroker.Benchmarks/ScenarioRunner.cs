using System.Globalization;
using Confluent.Kafka;

namespace ActorBroker.Benchmarks;

/// <summary>
/// Runs the named scenarios. Each measurement is repeated, alternating between ActorBroker and its reference so a
/// change in the machine's load falls on both; every figure is the median of its repetitions with their range.
/// Every repetition makes a fresh topic (the consume scenario reads one topic filled once per target).
/// </summary>
public sealed class ScenarioRunner(BenchmarkOptions options, MockReference? mock, Action<string> log)
{
    private const int Partitions = 6;
    private const string MockName = "mock";
    private static readonly ProduceSettings Kib1Acks1 = new(1024, Acks.Leader);
    private static readonly ProduceSettings Kib1AcksAll = new(1024, Acks.All);

    private readonly Target _node = new("actorbroker", options.Bootstrap, options.NodePid is { } pid ? [pid] : []);
    private readonly Target? _mock = mock is null ? null : new Target(MockName, mock.Bootstrap, [mock.Pid], Mock: mock);
    private readonly Target? _cluster = options.ClusterBootstrap is { } bootstrap
        ? new Target("actorbroker-3-nodes", bootstrap, options.ClusterPids, ReplicationFactor: 3)
        : null;
    private readonly Dictionary<Target, string> _filledTopics = new();
    private bool _nodeWarmedUp;

    /// <summary>
    /// Runs one scenario. Before the first, the node gets unmeasured produce runs until its rate stops rising: a freshly
    /// started node compiles its hot paths (JIT, then tier-1 rejit) for its first minute or so of load, and the first
    /// scenario's first repetition paid for it (produce-1k acks=1 on a fresh node: 0.89–1.79 broker CPU s per M records
    /// against 0.78–0.81 once warm, docs/benchmarks.md). A broker serves for days; the steady state is what is measured.
    /// </summary>
    public async Task<IReadOnlyList<Figure>> RunAsync(string scenario)
    {
        if (!_nodeWarmedUp)
        {
            await WarmUpAsync("node", _node, maxRuns: options.Quick ? 1 : 4);
            _nodeWarmedUp = true;
        }
        return await RunScenarioAsync(scenario);
    }

    private Task<IReadOnlyList<Figure>> RunScenarioAsync(string scenario) => scenario switch
    {
        "produce-100b" => Produce100BytesAsync(),
        "produce-1k" => Produce1KibAsync(),
        "consume-1k" => Consume1KibAsync(),
        "produce-consume" => ProduceConsumeAsync(),
        "latency" => LatencyAsync(),
        "partitions" => PartitionScalingAsync(),
        "durable" => DurableAsync(),
        "cluster-acks-all" => ClusterAcksAllAsync(),
        "proxy-produce" => ProxyProduceAsync(),
        _ => throw new ArgumentException($"Unknown scenario {scenario}."),
    };

    private async Task<IReadOnlyList<Figure>> Produce100BytesAsync()
    {
        const string name = "produce-100b";
        var runs = await RepeatAsync(name, _node, _mock, t => ProduceAsync(t, name, Partitions, new ProduceSettings(100, Acks.Leader)));
        return Figures(name, runs, MockName,
            ("records/s", "records/s", r => r.RecordsPerSecond),
            ("MB/s", "MB/s", r => r.MegabytesPerSecond),
            ("broker CPU per M records", "s", r => r.CpuSecondsPerMillionRecords));
    }

    private async Task<IReadOnlyList<Figure>> Produce1KibAsync()
    {
        const string name = "produce-1k";
        var figures = new List<Figure>();
        foreach (var settings in new[] { Kib1Acks1, Kib1AcksAll })
        {
            var runs = await RepeatAsync($"{name} acks={settings.AcksName}", _node, _mock, t => ProduceAsync(t, name, Partitions, settings));
            figures.AddRange(Figures(name, runs, MockName,
                ($"MB/s acks={settings.AcksName}", "MB/s", r => r.MegabytesPerSecond),
                ($"broker CPU per M records acks={settings.AcksName}", "s", r => r.CpuSecondsPerMillionRecords)));
        }
        return figures;
    }

    private async Task<IReadOnlyList<Figure>> Consume1KibAsync()
    {
        const string name = "consume-1k";
        var runs = await RepeatAsync(name, _node, _mock, async t =>
        {
            string topic = await FilledTopicAsync(t);
            return await Task.Run(() => ConsumeWorkload.Measure(t, topic, Partitions, options.Window, ConsumeFrom.BeginningRewinding));
        });
        foreach (var (target, topic) in _filledTopics)
            await Clients.DeleteTopicAsync(target, topic);
        _filledTopics.Clear();
        return Figures(name, runs, MockName,
            ("MB/s", "MB/s", r => r.MegabytesPerSecond),
            ("broker CPU per M records", "s", r => r.CpuSecondsPerMillionRecords));
    }

    private async Task<IReadOnlyList<Figure>> ProduceConsumeAsync()
    {
        const string name = "produce-consume";
        var runs = await RepeatAsync(name, _node, _mock, async t =>
        {
            return await WithTopicAsync(t, name, Partitions, null, async topic =>
            {
                var consuming = Task.Run(() => ConsumeWorkload.Measure(t, topic, Partitions, options.Window, ConsumeFrom.Tail));
                var producing = Task.Run(() => ProduceWorkload.Measure(t, topic, Partitions, Kib1Acks1, options.Window));
                return (Produced: await producing, Consumed: await consuming);
            });
        });
        return Figures(name, runs, MockName,
            ("produce MB/s", "MB/s", r => r.Produced.MegabytesPerSecond),
            ("consume MB/s", "MB/s", r => r.Consumed.MegabytesPerSecond));
    }

    private async Task<IReadOnlyList<Figure>> LatencyAsync()
    {
        const string name = "latency";
        var runs = await RepeatAsync(name, _node, _mock, t => FixedRateLatencyAsync(t, name));
        return Figures(name, runs, MockName,
            ("p50", "ms", r => r.P50), ("p99", "ms", r => r.P99), ("p99.9", "ms", r => r.P999), ("max", "ms", r => r.Max));
    }

    private async Task<IReadOnlyList<Figure>> PartitionScalingAsync()
    {
        const string name = "partitions";
        var figures = new List<Figure>();
        var byCount = new Dictionary<int, (List<Throughput> Node, List<Throughput>? Reference)>();
        foreach (int partitions in new[] { 1, 6, 64, 512 })
        {
            byCount[partitions] = await RepeatAsync($"{name} {partitions}", _node, _mock, t => ProduceAsync(t, name, partitions, Kib1Acks1));
            figures.AddRange(Figures(name, byCount[partitions], MockName, ($"MB/s {partitions} partition(s)", "MB/s", r => r.MegabytesPerSecond)));
        }
        static IEnumerable<double?> Scaling(List<Throughput> many, List<Throughput> six) =>
            many.Zip(six, (m, s) => (double?)(m.MegabytesPerSecond / s.MegabytesPerSecond));
        var (many, six) = (byCount[512], byCount[6]);
        figures.Add(new Figure(name, "512 ÷ 6 partitions", "ratio", Spread.Of(Scaling(many.Node, six.Node))!,
            many.Reference is { } mr && six.Reference is { } sr ? Spread.Of(Scaling(mr, sr)) : null, MockName));
        return figures;
    }

    private async Task<IReadOnlyList<Figure>> DurableAsync()
    {
        const string name = "durable";
        var flushEveryMessage = new Dictionary<string, string> { ["flush.messages"] = "1" };
        var runs = await RepeatAsync(name, _node, _mock, t => ProduceAsync(t, name, Partitions, Kib1AcksAll, flushEveryMessage));
        return Figures(name, runs, MockName,
            ("MB/s acks=all flush.messages=1", "MB/s", r => r.MegabytesPerSecond),
            ("broker CPU per M records", "s", r => r.CpuSecondsPerMillionRecords));
    }

    /// <summary>The 3-node cluster against the single node: same workloads, the single node is the reference.</summary>
    private async Task<IReadOnlyList<Figure>> ClusterAcksAllAsync()
    {
        const string name = "cluster-acks-all";
        var cluster = _cluster ?? throw new InvalidOperationException("cluster-acks-all needs the cluster's bootstrap list.");
        const string singleNode = "1 node";
        // The cluster serves nothing before this scenario, and freshly started nodes spend their first minute or so of
        // load compiling (10-13 s of JIT CPU per node in the first 80 s, docs/benchmarks.md): unmeasured runs on it
        // until its rate stops rising, then one on the single node, which has served the scenarios before this one.
        await WarmUpAsync(name, cluster, maxRuns: options.Quick ? 1 : 4);
        await WarmUpAsync(name, _node, maxRuns: 1);
        var produced = await RepeatAsync($"{name} produce", cluster, _node, t => ProduceAsync(t, name, Partitions, Kib1AcksAll));
        var latency = await RepeatAsync($"{name} latency", cluster, _node, t => FixedRateLatencyAsync(t, name));
        return
        [
            .. Figures(name, produced, singleNode,
                ("MB/s acks=all", "MB/s", r => r.MegabytesPerSecond),
                ("broker CPU per M records", "s", r => r.CpuSecondsPerMillionRecords)),
            .. Figures(name, latency, singleNode, ("p99 latency at 10 000/s", "ms", r => r.P99)),
        ];
    }

    /// <summary>Unmeasured produce runs until one is less than 10 % faster than the one before, or <paramref name="maxRuns"/>.</summary>
    private async Task WarmUpAsync(string name, Target target, int maxRuns)
    {
        double? previous = null;
        for (int run = 1; run <= maxRuns; run++)
        {
            var warmUp = await ProduceAsync(target, name, Partitions, Kib1AcksAll);
            log(string.Create(CultureInfo.InvariantCulture, $"{name} warm-up {run} on {target.Name} (not counted): {Describe(warmUp)}"));
            if (previous is { } before && warmUp.MegabytesPerSecond < before * 1.1)
                return;
            previous = warmUp.MegabytesPerSecond;
        }
    }

    private async Task<IReadOnlyList<Figure>> ProxyProduceAsync()
    {
        const string name = "proxy-produce";
        var settings = new ProxyProduceSettings(options.Seed!, options.Quick ? 20_000 : 200_000, 1024, Partitions,
            Window: 20_000, options.Repeat, options.NodePid, ActorBroker.Client.Acks.Leader);
        var rates = await ProxyProduceScenario.MeasureAsync(settings, log);
        return
        [
            new Figure(name, "records/s", "records/s", Spread.Of(rates.Select(r => (double?)r.Records))!, null, null),
            new Figure(name, "MB/s", "MB/s", Spread.Of(rates.Select(r => (double?)r.Megabytes))!, null, null),
        ];
    }

    private Task<Throughput> ProduceAsync(Target target, string scenario, int partitions, ProduceSettings settings, IReadOnlyDictionary<string, string>? configs = null) =>
        WithTopicAsync(target, scenario, partitions, configs,
            topic => Task.Run(() => ProduceWorkload.Measure(target, topic, partitions, settings, options.Window)));

    private Task<LatencyResult> FixedRateLatencyAsync(Target target, string scenario) =>
        WithTopicAsync(target, scenario, Partitions, null,
            topic => Task.Run(() => LatencyWorkload.Measure(target, topic, Partitions, Kib1AcksAll with { LingerMs = 1 }, 10_000, options.Window)));

    /// <summary>A fresh topic for one measurement, deleted after it.</summary>
    private static async Task<T> WithTopicAsync<T>(Target target, string scenario, int partitions, IReadOnlyDictionary<string, string>? configs, Func<string, Task<T>> measure)
    {
        string topic = await Clients.CreateTopicAsync(target, scenario, partitions, configs);
        try
        {
            return await measure(topic);
        }
        finally
        {
            await Clients.DeleteTopicAsync(target, topic);
        }
    }

    /// <summary>The consume scenario's topic on this target, filled with 1 KiB records on first use.</summary>
    private async Task<string> FilledTopicAsync(Target target)
    {
        if (_filledTopics.TryGetValue(target, out var topic))
            return topic;
        topic = await Clients.CreateTopicAsync(target, "consume-1k", Partitions);
        log($"consume-1k: filling {topic} on {target.Name} with {options.ConsumeTopicBytes >> 20} MiB of 1 KiB records");
        await Task.Run(() => ProduceWorkload.Fill(target, topic, Partitions, Kib1Acks1, options.ConsumeTopicBytes, log));
        _filledTopics[target] = topic;
        return topic;
    }

    /// <summary>Runs <paramref name="measure"/> <c>Repeat</c> times on each target, alternating; logs every run.</summary>
    private async Task<(List<T> Main, List<T>? Reference)> RepeatAsync<T>(string label, Target main, Target? reference, Func<Target, Task<T>> measure)
    {
        var mainRuns = new List<T>();
        var referenceRuns = reference is null ? null : new List<T>();
        for (int run = 1; run <= options.Repeat; run++)
        {
            foreach (var (target, runs) in new[] { (main, mainRuns), (reference, referenceRuns) })
            {
                if (target is null || runs is null)
                    continue;
                var result = await measure(target);
                log(string.Create(CultureInfo.InvariantCulture, $"{label} on {target.Name}, run {run}/{options.Repeat}: {Describe(result)}"));
                runs.Add(result);
            }
        }
        return (mainRuns, referenceRuns);
    }

    private static string Describe<T>(T result) => result switch
    {
        ValueTuple<Throughput, Throughput> both => $"produced {Describe(both.Item1)}; consumed {Describe(both.Item2)}",
        Throughput t => string.Create(CultureInfo.InvariantCulture,
            $"{t.RecordsPerSecond:F0} records/s, {t.MegabytesPerSecond:F1} MB/s, broker CPU {t.CpuSecondsPerMillionRecords?.ToString("F2", CultureInfo.InvariantCulture) ?? "?"} s per M records"),
        LatencyResult l => string.Create(CultureInfo.InvariantCulture,
            $"p50 {l.P50:F2} ms, p99 {l.P99:F2} ms, p99.9 {l.P999:F2} ms, max {l.Max:F2} ms over {l.Records} records at {l.AchievedPerSecond:F0}/s"),
        _ => result?.ToString() ?? "",
    };

    private static IReadOnlyList<Figure> Figures<T>(
        string scenario, (List<T> Main, List<T>? Reference) runs, string referenceName, params (string Metric, string Unit, Func<T, double?> Select)[] metrics)
    {
        var figures = new List<Figure>();
        foreach (var (metric, unit, select) in metrics)
        {
            if (Spread.Of(runs.Main.Select(select)) is not { } main)
                continue; // e.g. CPU time when the broker's process is unknown
            var reference = runs.Reference is { } r ? Spread.Of(r.Select(select)) : null;
            figures.Add(new Figure(scenario, metric, unit, main, reference, reference is null ? null : referenceName));
        }
        return figures;
    }
}
