using System.Buffers.Binary;
using System.Text;

namespace ActorBroker.Cluster.Groups;

/// <summary>
/// Reads the topic list out of a "consumer" protocol member's metadata (ConsumerProtocolSubscription: int16 version,
/// int32 topic count, int16-length topic names, ...). Only the topics are needed, to refuse OffsetDelete of a topic a
/// member still subscribes to; malformed metadata yields no topics.
/// </summary>
public static class ConsumerSubscription
{
    public static IReadOnlyList<string> Topics(byte[] metadata)
    {
        var topics = new List<string>();
        var span = metadata.AsSpan();
        if (span.Length < 6)
            return topics;
        int count = BinaryPrimitives.ReadInt32BigEndian(span[2..]);
        int position = 6;
        for (int i = 0; i < count; i++)
        {
            if (position + 2 > span.Length)
                return [];
            int length = BinaryPrimitives.ReadInt16BigEndian(span[position..]);
            position += 2;
            if (length < 0 || position + length > span.Length)
                return [];
            topics.Add(Encoding.UTF8.GetString(span.Slice(position, length)));
            position += length;
        }
        return topics;
    }
}
