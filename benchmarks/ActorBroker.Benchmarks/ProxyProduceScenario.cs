using System.Diagnostics;
using System.Globalization;
using ActorBroker.Client;
using ActorBroker.Client.Producing;

namespace ActorBroker.Benchmarks;

/// <summary>
/// The proxy path's throughput: <c>ActorBroker.Benchmarks proxy-produce --seed HOST:AKKA-PORT [--records N]
/// [--value-bytes N] [--partitions N] [--window N] [--acks 0|1|all] [--repeat N] [--node-pid PID] [--batch-bytes N]
/// [--max-in-flight N] [--linger-ms N]</c> (the last three override <c>actorbroker.client.producer</c>). A client joins
/// the node's cluster (role "client") and produces keyless records of the given size (default 1 KiB) with
/// <see cref="ActorBrokerProducer.ProduceAsync(string, ProducerRecord, CancellationToken)"/>, keeping up to
/// <c>window</c> records unacknowledged (as a Kafka producer's buffer would), so the producer's linger batching
/// decides the batch sizes. Prints records/s and MB/s (10^6 bytes of values) per run and their median. Kept apart
/// from the Confluent scenarios: it needs no Kafka listener, only the node's Akka endpoint.
/// </summary>
public static class ProxyProduceScenario
{
    public const string Name = "proxy-produce";

    public static async Task<int> RunAsync(string[] args, Action<string> log)
    {
        string? seed = null;
        int records = 200_000, valueBytes = 1024, partitions = 1, window = 20_000, repeat = 3;
        int? nodePid = null, batchBytes = null, maxInFlight = null, lingerMs = null;
        var acks = Acks.Leader;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive() => int.TryParse(Value(), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive integer.");
            switch (args[i])
            {
                case "--seed": seed = Value(); break;
                case "--records": records = Positive(); break;
                case "--value-bytes": valueBytes = Positive(); break;
                case "--partitions": partitions = Positive(); break;
                case "--window": window = Positive(); break;
                case "--repeat": repeat = Positive(); break;
                case "--node-pid": nodePid = Positive(); break;
                case "--batch-bytes": batchBytes = Positive(); break;
                case "--max-in-flight": maxInFlight = Positive(); break;
                case "--linger-ms": lingerMs = Positive(); break;
                case "--acks":
                    acks = Value() switch { "0" => Acks.None, "1" => Acks.Leader, "all" or "-1" => Acks.All, var a => throw new ArgumentException($"--acks {a}?") };
                    break;
                default: throw new ArgumentException($"Unknown option {args[i]} for {Name}.");
            }
        }
        if (seed is null)
            throw new ArgumentException($"{Name} needs --seed HOST:AKKA-PORT (the node's --akka-port).");
        var rates = await MeasureAsync(new ProxyProduceSettings(seed, records, valueBytes, partitions, window, repeat, nodePid, acks, batchBytes, maxInFlight, lingerMs), log);
        var byRate = rates.OrderBy(r => r.Records).ToList();
        var median = byRate[byRate.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {Name} | {valueBytes} | {acks} | {partitions} | {records} | {repeat} | {median.Records:F0} | {byRate[0].Records:F0}–{byRate[^1].Records:F0} | {median.Megabytes:F2} |"));
        return 0;
    }

    /// <summary>Joins the node's cluster as a client and measures <c>Repeat</c> runs: records/s and MB/s of each.</summary>
    public static async Task<IReadOnlyList<(double Records, double Megabytes)>> MeasureAsync(ProxyProduceSettings settings, Action<string> log)
    {
        var (seed, records, valueBytes, partitions, window, repeat, nodePid, acks, batchBytes, maxInFlight, lingerMs) = settings;
        var options = ActorBrokerClientOptions.Create(Akka.Configuration.ConfigurationFactory.ParseString("akka.loglevel = WARNING")).WithSeedNodes(seed);
        await using var client = await ActorBrokerClient.ConnectAsync(options);
        log($"{Name}: joined {seed} as a client member; {records} records of {valueBytes} B, {partitions} partition(s), acks {acks}, window {window}");
        var rates = new List<(double Records, double Megabytes)>();
        for (int run = 1; run <= repeat; run++)
        {
            string topic = $"proxy-bench-{Guid.NewGuid():N}"[..24];
            await client.Admin.CreateTopicAsync(topic, partitions);
            await using var producer = client.CreateProducer(options.Producer with
            {
                Acks = acks,
                BatchMaxBytes = batchBytes ?? options.Producer.BatchMaxBytes,
                MaxInFlight = maxInFlight ?? options.Producer.MaxInFlight,
                Linger = lingerMs is { } ms ? TimeSpan.FromMilliseconds(ms) : options.Producer.Linger,
            });
            var value = new byte[valueBytes];
            Random.Shared.NextBytes(value);
            await producer.ProduceAsync(topic, new ProducerRecord(null, value)); // warm-up: topic lookup, shard allocation

            var cpu = CpuMeter.Start(nodePid);
            var clock = Stopwatch.StartNew();
            using var slots = new SemaphoreSlim(window);
            int failed = 0;
            for (int i = 0; i < records; i++)
            {
                await slots.WaitAsync();
                _ = producer.ProduceAsync(topic, new ProducerRecord(null, value)).ContinueWith(t =>
                {
                    if (t.IsFaulted)
                        Interlocked.Increment(ref failed);
                    slots.Release();
                }, TaskScheduler.Default);
            }
            await producer.FlushAsync();
            for (int i = 0; i < window; i++)
                await slots.WaitAsync();
            double seconds = clock.Elapsed.TotalSeconds;
            var use = cpu.Stop();
            if (failed > 0)
                throw new InvalidOperationException($"{failed} of {records} proxy records failed.");
            rates.Add((records / seconds, (double)records * valueBytes / seconds / 1e6));
            log(string.Create(CultureInfo.InvariantCulture,
                $"{Name} run {run}: {records / seconds:F0} records/s, {rates[^1].Megabytes:F1} MB/s in {seconds:F2} s; " +
                $"node CPU {use.NodePercent:F0} %, client CPU {use.ClientPercent:F0} %, machine busy {use.MachineBusyPercent:F0} %"));
        }
        return rates;
    }
}

/// <summary>A proxy-produce run: where to join, what to send, and overrides of actorbroker.client.producer.</summary>
public sealed record ProxyProduceSettings(
    string Seed, int Records, int ValueBytes, int Partitions, int Window, int Repeat, int? NodePid, Acks Acks,
    int? BatchBytes = null, int? MaxInFlight = null, int? LingerMs = null);
