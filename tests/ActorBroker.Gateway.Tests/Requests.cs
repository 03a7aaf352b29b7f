using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Gateway.Tests;

/// <summary>Builders for the requests the gateway tests send.</summary>
public static class Requests
{
    public static byte[] Batch(int records, string prefix = "value")
    {
        var builder = new RecordBatchBuilder();
        for (int i = 0; i < records; i++)
            builder.Add($"key-{i}", $"{prefix}-{i}");
        return builder.Build();
    }

    public static ProduceRequest Produce(string topic, int partition, byte[] records, short acks = -1) => new()
    {
        Acks = acks,
        TimeoutMs = 10_000,
        TopicData =
        [
            new ProduceRequest.TopicProduceData
            {
                Name = topic,
                PartitionData = [new ProduceRequest.PartitionProduceData { Index = partition, Records = records }],
            },
        ],
    };

    public static FetchRequest Fetch(string topic, int partition, long offset, int maxWaitMs = 0, int minBytes = 1, int maxBytes = 1 << 20) => new()
    {
        ReplicaId = -1,
        MaxWaitMs = maxWaitMs,
        MinBytes = minBytes,
        MaxBytes = maxBytes,
        Topics =
        [
            new FetchRequest.FetchTopic
            {
                Topic = topic,
                Partitions = [new FetchRequest.FetchPartition { Partition = partition, FetchOffset = offset, PartitionMaxBytes = maxBytes }],
            },
        ],
    };

    public static CreateTopicsRequest CreateTopic(string name, int partitions) => new()
    {
        Topics = [new CreateTopicsRequest.CreatableTopic { Name = name, NumPartitions = partitions, ReplicationFactor = 1 }],
    };

    public static ListOffsetsRequest ListOffsets(string topic, int partition, long timestamp) => new()
    {
        ReplicaId = -1,
        Topics =
        [
            new ListOffsetsRequest.ListOffsetsTopic
            {
                Name = topic,
                Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition, Timestamp = timestamp }],
            },
        ],
    };

    public static IEnumerable<ActorBroker.Protocol.Records.Record> Records(ReadOnlyMemory<byte>? records)
    {
        var rest = records ?? ReadOnlyMemory<byte>.Empty;
        while (!rest.IsEmpty)
        {
            var batch = new RecordBatch(rest);
            foreach (var record in batch.EnumerateRecords())
                yield return record;
            rest = rest[batch.SizeInBytes..];
        }
    }
}
