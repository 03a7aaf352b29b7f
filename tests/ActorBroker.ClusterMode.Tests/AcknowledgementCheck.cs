using Confluent.Kafka;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>
/// What became of the acknowledged records: a consumer reads the whole topic (up to each partition's high watermark)
/// and every acknowledged record must be there at its acknowledged offset. Records stored twice (a producer retry
/// after a lost acknowledgement) are counted as duplicates, which at-least-once allows.
/// </summary>
public sealed record AcknowledgementCheck(int Acknowledged, IReadOnlyList<AcknowledgedRecord> Lost, int Duplicated, int Stored)
{
    public static AcknowledgementCheck Read(string bootstrap, string topic, int partitions, IEnumerable<AcknowledgedRecord> acknowledged)
    {
        var records = acknowledged.ToList();
        var stored = TopicReader.ReadEverything(bootstrap, topic, partitions);
        var lost = records.Where(a => !stored.TryGetValue((a.Partition, a.Offset), out var v) || v != a.Value).ToList();
        int duplicated = stored.Values.GroupBy(v => v).Count(g => g.Count() > 1);
        return new AcknowledgementCheck(records.Count, lost, duplicated, stored.Count);
    }

    public override string ToString() =>
        $"acknowledged {Acknowledged}, stored {Stored}, lost {Lost.Count}, duplicated {Duplicated}" +
        (Lost.Count > 0 ? $"; first lost: {string.Join(", ", Lost.Take(5))}" : "");
}

/// <summary>Reads topics from the beginning with a Confluent consumer (assigned partitions, no group offsets).</summary>
public static class TopicReader
{
    /// <summary>Every record of <paramref name="topic"/>, by (partition, offset), up to each partition's high watermark.</summary>
    public static Dictionary<(int Partition, long Offset), string> ReadEverything(string bootstrap, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"check-{Guid.NewGuid():N}",
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
