namespace ActorBroker.Protocol.Records;

/// <summary>One header of a record: a UTF-8 key and a value that may be null.</summary>
public readonly record struct RecordHeader(string Key, byte[]? Value);

/// <summary>
/// One record of a RecordBatch v2, with its absolute offset and timestamp resolved against the batch.
/// Key and value are slices of the batch bytes (or of the decompressed records when the batch is
/// compressed); null when their length is -1. Immutable.
/// </summary>
public sealed class Record
{
    public required long Offset { get; init; }
    public required long Timestamp { get; init; }
    public ReadOnlyMemory<byte>? Key { get; init; }
    public ReadOnlyMemory<byte>? Value { get; init; }
    public IReadOnlyList<RecordHeader> Headers { get; init; } = Array.Empty<RecordHeader>();
    public sbyte Attributes { get; init; }
    public int OffsetDelta { get; init; }
    public long TimestampDelta { get; init; }

    public override string ToString() =>
        $"offset={Offset} timestamp={Timestamp} key={(Key is { } k ? k.Length + "B" : "null")} value={(Value is { } v ? v.Length + "B" : "null")} headers={Headers.Count}";
}
