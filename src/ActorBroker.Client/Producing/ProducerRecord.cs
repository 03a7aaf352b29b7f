using ActorBroker.Protocol.Records;

namespace ActorBroker.Client.Producing;

/// <summary>A record to produce. No <see cref="Partition"/>: the key decides (murmur2), or the sticky partition when keyless.
/// No <see cref="Timestamp"/>: the time it is handed to the producer (CreateTime, ms since the epoch).</summary>
public sealed record ProducerRecord(
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader>? Headers = null,
    long? Timestamp = null,
    int? Partition = null)
{
    /// <summary>About what the record takes in a batch (for batch-max-bytes).</summary>
    internal int EstimatedSize =>
        21 + (Key?.Length ?? 0) + (Value?.Length ?? 0) + (Headers?.Sum(h => 10 + h.Key.Length + (h.Value?.Length ?? 0)) ?? 0);
}

/// <summary>Where a record was written: its partition and offset (-1 with acks=0), and its timestamp (the broker's with LogAppendTime).</summary>
public sealed record ProduceResult(string Topic, int Partition, long Offset, long Timestamp);
