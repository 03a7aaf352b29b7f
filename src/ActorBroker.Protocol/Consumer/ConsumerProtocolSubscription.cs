using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Consumer;

/// <summary>
/// A "consumer" protocol member's subscription (its JoinGroup protocol metadata), per Kafka's
/// ConsumerProtocolSubscription: int16 version, int32 topic count and int16-length topic names, nullable user data
/// (int32 length, -1 for null); version 1 adds the owned partitions (int32 count, per topic a name and int32
/// partitions), version 2 the generation id (int32), version 3 the rack (nullable string). Never flexible. Fields
/// of later versions are ignored when reading, as Kafka's consumers do; this encoder writes version 1.
/// </summary>
public sealed record ConsumerProtocolSubscription(
    short Version,
    IReadOnlyList<string> Topics,
    byte[]? UserData,
    IReadOnlyList<ConsumerProtocolAssignment.TopicPartitions> OwnedPartitions)
{
    public static ConsumerProtocolSubscription For(IEnumerable<string> topics) => new(1, topics.Distinct().Order(StringComparer.Ordinal).ToList(), null, []);

    /// <summary>Decodes <paramref name="bytes"/>; malformed or truncated input throws <see cref="KafkaProtocolException"/>.</summary>
    public static ConsumerProtocolSubscription Read(ReadOnlyMemory<byte> bytes)
    {
        var reader = new KafkaReader(bytes);
        short version = reader.ReadInt16();
        if (version < 0)
            throw new KafkaProtocolException($"Malformed consumer protocol subscription: version {version}.");
        int topicCount = reader.ReadArrayLength();
        if (topicCount < 0 || topicCount > reader.Remaining / 2)
            throw new KafkaProtocolException($"Malformed consumer protocol subscription: {topicCount} topics in {reader.Remaining} bytes.");
        var topics = new List<string>(topicCount);
        for (int i = 0; i < topicCount; i++)
            topics.Add(reader.ReadString());
        byte[]? userData = reader.End ? null : reader.ReadNullableBytes();
        var owned = version >= 1 && !reader.End
            ? ConsumerProtocolAssignment.TopicPartitions.ReadAll(ref reader, "consumer protocol subscription (owned partitions)")
            : [];
        return new ConsumerProtocolSubscription(version, topics, userData, owned);
    }

    /// <summary>Encodes this subscription as version 1 (topics, user data, owned partitions).</summary>
    public byte[] ToBytes()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(1);
        writer.WriteArrayLength(Topics.Count);
        foreach (var topic in Topics)
            writer.WriteString(topic);
        writer.WriteNullableBytes(UserData);
        ConsumerProtocolAssignment.TopicPartitions.WriteAll(writer, OwnedPartitions);
        return buffer.WrittenSpan.ToArray();
    }
}
