using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorBroker.Benchmarks;

/// <summary>
/// The Confluent.Kafka clients every scenario uses, configured the same way for both targets: no idempotence
/// (InitProducerId is not served), librdkafka defaults otherwise except where a scenario says.
/// </summary>
public static class Clients
{
    /// <summary>How long a record may wait for delivery before the run fails.</summary>
    public static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(60);

    public static IProducer<Null, byte[]> Producer(Target target, Acks acks, int lingerMs) =>
        new ProducerBuilder<Null, byte[]>(new ProducerConfig
        {
            BootstrapServers = target.Bootstrap,
            ClientId = "actorbroker-bench-producer",
            Acks = acks,
            LingerMs = lingerMs,
            EnableIdempotence = false,
            // 64 MiB of queue: enough to keep every partition's batches full, small enough that the flush after a
            // measured window is short.
            QueueBufferingMaxKbytes = 64 * 1024,
            QueueBufferingMaxMessages = 1_000_000,
            MessageTimeoutMs = (int)DeliveryTimeout.TotalMilliseconds,
        }).Build();

    /// <summary>An assign-only consumer (no group membership, no commits); partition EOF events on.</summary>
    public static IConsumer<Ignore, byte[]> Consumer(Target target, AutoOffsetReset reset = AutoOffsetReset.Earliest) =>
        new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = target.Bootstrap,
            ClientId = "actorbroker-bench-consumer",
            GroupId = "actorbroker-bench-assign-only", // required by the client; never joined
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = reset,
            FetchWaitMaxMs = 100,
        }).Build();

    /// <summary>
    /// Closes and destroys a consumer, or gives up on it after <paramref name="timeout"/>. librdkafka 2.16 can deadlock
    /// destroying a consumer that is resetting an offset at that moment: the reset's reply op is destroyed while its
    /// caller holds the partition lock, and its callback takes that lock again (gdb: rdk:broker1 in
    /// rd_kafka_offset_reset_op_cb under rd_kafka_offset_reset, rdk:main waiting for the same lock in
    /// rd_kafka_destroy_internal). produce-consume's consumer of the mock cluster resets many times a second, as it
    /// falls off the mock's 5 MB retention. A consumer that does not close in time is abandoned with its blocked
    /// threads, so that the run goes on.
    /// </summary>
    public static void CloseOrAbandon(IConsumer<Ignore, byte[]> consumer, TimeSpan timeout)
    {
        var closing = Task.Run(() =>
        {
            consumer.Unassign(); // no fetch is left to fall off the log while it closes
            consumer.Close();
            consumer.Dispose();
        });
        if (!closing.Wait(timeout))
            Console.Error.WriteLine($"[{DateTime.UtcNow:HH:mm:ss}] a consumer did not close in {timeout.TotalSeconds:F0} s " +
                "(librdkafka's offset-reset deadlock on destroy); abandoned it, the run goes on");
    }

    /// <summary>Creates a topic named after the scenario with a random suffix and returns its name.</summary>
    public static async Task<string> CreateTopicAsync(Target target, string scenario, int partitions, IReadOnlyDictionary<string, string>? configs = null)
    {
        string topic = $"bench-{scenario}-{Guid.NewGuid():N}"[..40];
        if (target.Mock is { } mock)
        {
            await mock.CreateTopicAsync(topic, partitions); // the mock ignores topic configs: it never fsyncs
            return topic;
        }
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = target.Bootstrap }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification
        {
            Name = topic,
            NumPartitions = partitions,
            ReplicationFactor = target.ReplicationFactor,
            Configs = configs?.ToDictionary(),
        }], new CreateTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(60), OperationTimeout = TimeSpan.FromSeconds(60) });
        return topic;
    }

    /// <summary>
    /// Deletes a measurement's topic, so a full run (tens of GB written) does not fill the disk. The mock keeps only a
    /// few MB per partition and cannot delete topics: nothing to do there.
    /// </summary>
    public static async Task DeleteTopicAsync(Target target, string topic)
    {
        if (target.Mock is not null)
            return;
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = target.Bootstrap }).Build();
        await admin.DeleteTopicsAsync([topic], new DeleteTopicsOptions { RequestTimeout = TimeSpan.FromSeconds(60), OperationTimeout = TimeSpan.FromSeconds(60) });
    }

    /// <summary>
    /// Sends one record to every partition and waits for them: the broker has then made every partition ready
    /// (on ActorBroker the first record of a partition starts its actor), which a warm-up of fixed length may not cover.
    /// </summary>
    public static void TouchEveryPartition(IProducer<Null, byte[]> producer, string topic, int partitions, byte[] value)
    {
        for (int p = 0; p < partitions; p++)
            producer.Produce(new TopicPartition(topic, p), new Message<Null, byte[]> { Value = value });
        if (producer.Flush(DeliveryTimeout) > 0)
            throw new TimeoutException($"The first record of each of {topic}'s {partitions} partitions was not delivered in {DeliveryTimeout.TotalSeconds:F0} s.");
    }

    public static byte[] RandomValue(int size)
    {
        var value = new byte[size];
        Random.Shared.NextBytes(value);
        return value;
    }
}
