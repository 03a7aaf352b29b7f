using System.Buffers.Binary;
using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorBroker.Benchmarks;

/// <summary>
/// The scenarios. Each run creates its own topic (<c>bench-&lt;scenario&gt;-&lt;id&gt;</c>), warms the client up
/// (metadata, connection) with one record outside the measured interval, then measures. Latencies are taken with
/// the monotonic <see cref="Stopwatch"/> of this one process, so producer and consumer clocks agree.
/// </summary>
public sealed class Scenarios(BenchmarkOptions options, Action<string> log)
{
    /// <summary>Topics written by the produce scenario: value size → (topic, records in it).</summary>
    private readonly Dictionary<int, (string Topic, int Records)> _produced = new();

    /// <summary>
    /// Produce throughput: <paramref name="records"/> records as fast as the producer takes them (linger.ms=5,
    /// otherwise librdkafka defaults: batch.size 1 MB, no compression, no idempotence). Delivery latency is from the
    /// Produce call to the delivery report.
    /// </summary>
    public async Task<RunResult> ProduceThroughputAsync(int valueBytes, Acks acks, int records)
    {
        string topic = await CreateTopicAsync("produce");
        using var producer = CreateProducer(acks, lingerMs: 5);
        var value = RandomValue(valueBytes);
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value }); // warm-up

        var latencies = new double[records];
        int failed = 0;
        string? firstError = null;
        var cpu = CpuMeter.Start(options.NodePid);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < records; i++)
        {
            int index = i;
            long sent = Stopwatch.GetTimestamp();
            void OnDelivery(DeliveryReport<Null, byte[]> report)
            {
                latencies[index] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                if (report.Error.IsError && Interlocked.Increment(ref failed) == 1)
                    firstError = report.Error.ToString();
            }
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<Null, byte[]> { Value = value }, OnDelivery);
                    break;
                }
                catch (ProduceException<Null, byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
            if (Stopwatch.GetElapsedTime(start) > options.RunTimeout)
                throw new TimeoutException($"Producing {records} records took longer than {options.RunTimeout}.");
        }
        int left = producer.Flush(options.RunTimeout);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var use = cpu.Stop();
        if (left > 0)
            throw new TimeoutException($"{left} records were still undelivered after {options.RunTimeout}.");
        if (failed > 0)
            throw new InvalidOperationException($"{failed} of {records} records failed; first: {firstError}");
        if (acks == Acks.Leader)
            _produced[valueBytes] = (topic, records + 1);
        var (p50, p99, p999) = Stats.Summarize(latencies);
        return new RunResult("produce", valueBytes, AcksName(acks), options.Partitions, records, seconds, p50, p99, p999, use);
    }

    /// <summary>
    /// Produce latency: acks=all, one record at a time, each awaited before the next is sent (linger.ms=0: with one
    /// record in flight a linger only adds its own delay).
    /// </summary>
    public async Task<RunResult> ProduceLatencyAsync(int valueBytes, int records)
    {
        string topic = await CreateTopicAsync("latency");
        using var producer = CreateProducer(Acks.All, lingerMs: 0);
        var value = RandomValue(valueBytes);
        for (int i = 0; i < 50; i++)
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value });

        var latencies = new double[records];
        var cpu = CpuMeter.Start(options.NodePid);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < records; i++)
        {
            long sent = Stopwatch.GetTimestamp();
            await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value });
            latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
            if (Stopwatch.GetElapsedTime(start) > options.RunTimeout)
                throw new TimeoutException($"{i} records in {options.RunTimeout}: too slow.");
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var use = cpu.Stop();
        var (p50, p99, p999) = Stats.Summarize(latencies);
        return new RunResult("produce-latency", valueBytes, "all", options.Partitions, records, seconds, p50, p99, p999, use);
    }

    /// <summary>
    /// Consume throughput: one consumer assigned every partition of a topic the produce scenario filled (or, when it
    /// did not run, one filled here first), from the beginning, until it has read every record. librdkafka defaults
    /// (fetch.max.bytes 50 MB, max.partition.fetch.bytes 1 MB, queued.min.messages 100000).
    /// </summary>
    public async Task<RunResult> ConsumeThroughputAsync(int valueBytes, int records)
    {
        if (!_produced.TryGetValue(valueBytes, out var source))
        {
            log($"consume: filling a topic with {records} records of {valueBytes} B first");
            await ProduceThroughputAsync(valueBytes, Acks.Leader, records);
            source = _produced[valueBytes];
        }
        using var consumer = CreateConsumer();
        var cpu = CpuMeter.Start(options.NodePid);
        long start = Stopwatch.GetTimestamp();
        consumer.Assign(Enumerable.Range(0, options.Partitions)
            .Select(p => new TopicPartitionOffset(source.Topic, p, Offset.Beginning)));
        int read = 0;
        long bytes = 0;
        while (read < source.Records)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(500));
            if (result?.Message is { } message)
            {
                read++;
                bytes += message.Value?.Length ?? 0;
            }
            if (Stopwatch.GetElapsedTime(start) > options.RunTimeout)
                throw new TimeoutException($"Read {read} of {source.Records} records in {options.RunTimeout}.");
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var use = cpu.Stop();
        consumer.Close();
        return new RunResult("consume", valueBytes, "–", options.Partitions, read, seconds, null, null, null, use);
    }

    /// <summary>
    /// End-to-end latency: one record in flight at a time; its value starts with the Stopwatch timestamp taken just
    /// before Produce (acks=all, linger.ms=0), and the latency is the time from then until the consumer (assigned at
    /// the log end, long-polling with fetch.wait.max.ms 500 and fetch.min.bytes 1) returns it.
    /// </summary>
    public async Task<RunResult> EndToEndAsync(int valueBytes, int records)
    {
        string topic = await CreateTopicAsync("e2e");
        using var producer = CreateProducer(Acks.All, lingerMs: 0);
        var value = RandomValue(Math.Max(valueBytes, 8));
        await producer.ProduceAsync(topic, new Message<Null, byte[]> { Value = value }); // warm-up
        using var consumer = CreateConsumer();
        var assignment = new List<TopicPartitionOffset>();
        for (int p = 0; p < options.Partitions; p++)
        {
            var marks = consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), TimeSpan.FromSeconds(10));
            assignment.Add(new TopicPartitionOffset(topic, p, marks.High));
        }
        consumer.Assign(assignment);
        consumer.Consume(TimeSpan.FromMilliseconds(200)); // let the fetcher start

        var latencies = new double[records];
        var cpu = CpuMeter.Start(options.NodePid);
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < records; i++)
        {
            var payload = (byte[])value.Clone();
            long sent = Stopwatch.GetTimestamp();
            BinaryPrimitives.WriteInt64BigEndian(payload, sent);
            producer.Produce(topic, new Message<Null, byte[]> { Value = payload });
            while (true)
            {
                var result = consumer.Consume(options.RunTimeout)
                    ?? throw new TimeoutException($"Record {i} did not arrive within {options.RunTimeout}.");
                long stamped = BinaryPrimitives.ReadInt64BigEndian(result.Message.Value);
                if (stamped == sent)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    break;
                }
            }
        }
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var use = cpu.Stop();
        producer.Flush(TimeSpan.FromSeconds(10));
        consumer.Close();
        var (p50, p99, p999) = Stats.Summarize(latencies);
        return new RunResult("e2e", valueBytes, "all", options.Partitions, records, seconds, p50, p99, p999, use);
    }

    private async Task<string> CreateTopicAsync(string scenario)
    {
        string topic = $"bench-{scenario}-{Guid.NewGuid():N}"[..32];
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = options.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = options.Partitions, ReplicationFactor = 1 }]);
        return topic;
    }

    private IProducer<Null, byte[]> CreateProducer(Acks acks, int lingerMs) =>
        new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = options.Bootstrap,
            ClientId = "actorbroker-bench-producer",
            Acks = acks,
            LingerMs = lingerMs,
            EnableIdempotence = false, // InitProducerId is not served
            QueueBufferingMaxMessages = 1_000_000,
            QueueBufferingMaxKbytes = 1024 * 1024,
            MessageTimeoutMs = (int)options.RunTimeout.TotalMilliseconds,
        }).Build();

    private IConsumer<Ignore, byte[]> CreateConsumer() =>
        new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = options.Bootstrap,
            ClientId = "actorbroker-bench-consumer",
            GroupId = "actorbroker-bench-assign-only", // required by the client; no subscribe, no commits
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Error,
        }).Build();

    private static byte[] RandomValue(int size)
    {
        var value = new byte[size];
        Random.Shared.NextBytes(value);
        return value;
    }

    public static string AcksName(Acks acks) => acks == Acks.All ? "all" : acks == Acks.Leader ? "1" : "0";
}
