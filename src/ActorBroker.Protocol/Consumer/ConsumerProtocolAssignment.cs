using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Protocol.Consumer;

/// <summary>
/// The assignment a "consumer" protocol group leader gives a member (the SyncGroup / DescribeGroups member
/// assignment bytes), per Kafka's ConsumerProtocolAssignment: int16 version, int32 topic count, per topic an
/// int16-length name, an int32 partition count and int32 partitions, then nullable user data (int32 length, -1 for
/// null). Versions 0–3 share this layout and are never flexible; bytes after the user data (a later version's
/// fields) are ignored, as Kafka's consumers do. An empty byte array (no assignment yet) reads as no partitions.
/// </summary>
public sealed record ConsumerProtocolAssignment(short Version, IReadOnlyList<ConsumerProtocolAssignment.TopicPartitions> Topics, byte[]? UserData)
{
    /// <summary>The partitions of one topic assigned to the member, in the order the leader wrote them.</summary>
    public sealed record TopicPartitions(string Topic, IReadOnlyList<int> Partitions)
    {
        /// <summary>int32 count, then per topic an int16-length name, an int32 partition count and int32 partitions.</summary>
        internal static List<TopicPartitions> ReadAll(ref KafkaReader reader, string what)
        {
            int topicCount = reader.ReadArrayLength();
            if (topicCount < 0)
                throw new KafkaProtocolException($"Malformed {what}: null topic array.");
            var topics = new List<TopicPartitions>(Math.Min(topicCount, reader.Remaining / 6));
            for (int i = 0; i < topicCount; i++)
            {
                string topic = reader.ReadString();
                int partitionCount = reader.ReadArrayLength();
                if (partitionCount < 0)
                    throw new KafkaProtocolException($"Malformed {what}: null partition array for topic '{topic}'.");
                if (partitionCount > reader.Remaining / 4)
                    throw new KafkaProtocolException(
                        $"Truncated {what}: topic '{topic}' claims {partitionCount} partitions, {reader.Remaining} bytes remain.");
                var partitions = new int[partitionCount];
                for (int p = 0; p < partitionCount; p++)
                    partitions[p] = reader.ReadInt32();
                topics.Add(new TopicPartitions(topic, partitions));
            }
            return topics;
        }

        internal static void WriteAll(KafkaWriter writer, IReadOnlyList<TopicPartitions> topics)
        {
            writer.WriteArrayLength(topics.Count);
            foreach (var topic in topics)
            {
                writer.WriteString(topic.Topic);
                writer.WriteArrayLength(topic.Partitions.Count);
                foreach (int partition in topic.Partitions)
                    writer.WriteInt32(partition);
            }
        }
    }

    public static readonly ConsumerProtocolAssignment None = new(0, [], null);

    /// <summary>Every assigned partition as (topic, partition), in assignment order.</summary>
    public IEnumerable<(string Topic, int Partition)> Partitions =>
        Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p)));

    /// <summary>Decodes <paramref name="bytes"/>; malformed or truncated input throws <see cref="KafkaProtocolException"/>.</summary>
    public static ConsumerProtocolAssignment Read(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
            return None;
        var reader = new KafkaReader(bytes);
        short version = reader.ReadInt16();
        if (version < 0)
            throw new KafkaProtocolException($"Malformed consumer protocol assignment: version {version}.");
        var topics = TopicPartitions.ReadAll(ref reader, "consumer protocol assignment");
        // Kafka's own clients tolerate an assignment that ends before the user data field.
        byte[]? userData = reader.End ? null : reader.ReadNullableBytes();
        return new ConsumerProtocolAssignment(version, topics, userData);
    }

    /// <summary>Decodes <paramref name="bytes"/>, or returns null with the reason in <paramref name="error"/>.</summary>
    public static ConsumerProtocolAssignment? TryRead(ReadOnlyMemory<byte> bytes, out string? error)
    {
        try
        {
            error = null;
            return Read(bytes);
        }
        catch (KafkaProtocolException e)
        {
            error = e.Message;
            return null;
        }
    }

    /// <summary>Encodes this assignment in its <see cref="Version"/> (the layout every version shares).</summary>
    public byte[] ToBytes()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(Version);
        TopicPartitions.WriteAll(writer, Topics);
        writer.WriteNullableBytes(UserData);
        return buffer.WrittenSpan.ToArray();
    }
}
