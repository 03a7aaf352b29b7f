using ActorBroker.Protocol.Records;

namespace ActorBroker.Client.Consuming;

/// <summary>One consumed record. Key and value are slices of the fetched batch (null when the record has none).</summary>
public sealed record ConsumeResult(
    string Topic,
    int Partition,
    long Offset,
    long Timestamp,
    TimestampType TimestampType,
    ReadOnlyMemory<byte>? Key,
    ReadOnlyMemory<byte>? Value,
    IReadOnlyList<RecordHeader> Headers);
