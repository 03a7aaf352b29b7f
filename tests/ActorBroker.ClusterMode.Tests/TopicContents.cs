using Confluent.Kafka;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>The producer of the load tests: acks=all, retrying for up to two minutes, refreshing metadata every second
/// so it follows leaders that move.</summary>
public static class LoadProducer
{
    public static ProducerConfig Config(string bootstrapServers) => new()
    {
        BootstrapServers = bootstrapServers,
        Acks = Acks.All,
        LingerMs = 5,
        MessageTimeoutMs = 120_000,
        MessageSendMaxRetries = int.MaxValue,
        RetryBackoffMs = 200,
        TopicMetadataRefreshIntervalMs = 1_000,
    };
}

/// <summary>Reads a whole topic back with a Confluent.Kafka consumer, to check acknowledged records against it.</summary>
public static class TopicContents
{
    /// <summary>Every record of <paramref name="topic"/>, by (partition, offset), read from the beginning up to each
    /// partition's high watermark; fails unless every partition is read to its end within two minutes.</summary>
    public static Dictionary<(int Partition, long Offset), string> ReadAll(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = topic + "-check",
            EnableAutoCommit = false,
            EnablePartitionEof = true,
        }).Build();
        var ends = Enumerable.Range(0, partitions)
            .ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, new Partition(p)), TimeSpan.FromSeconds(30)).High.Value);
        consumer.Assign(ends.Keys.Select(p => new TopicPartitionOffset(topic, new Partition(p), Offset.Beginning)));
        var stored = new Dictionary<(int, long), string>();
        var done = ends.Where(e => e.Value == 0).Select(e => e.Key).ToHashSet();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (done.Count < partitions && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null)
                continue;
            if (result.IsPartitionEOF)
            {
                if (result.Offset.Value >= ends[result.Partition.Value])
                    done.Add(result.Partition.Value);
                continue;
            }
            stored[(result.Partition.Value, result.Offset.Value)] = result.Message.Value;
        }
        Assert.Equal(partitions, done.Count);
        return stored;
    }
}
