using System.Buffers.Binary;
using System.Text;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Replication.Stream;

/// <summary>
/// The frames of the replication stream (<see cref="ReplicationListener"/>, <see cref="ReplicaFetchClient"/>): a
/// follower's <see cref="ReplicaFetch"/> and the leader's <see cref="ReplicaFetchResult"/>, tagged with a correlation
/// id so that long-polling fetches of many partitions share one connection and are answered in any order.
/// All integers big-endian:
/// <code>
/// request:  int32 size | int32 correlation | int16 topic length | topic UTF-8 | int32 partition | int32 follower
///           | int64 fetch offset | int32 max bytes | int32 leader epoch | int32 max wait ms
/// response: int32 size | int32 correlation | int16 error | int64 high watermark | int64 log start | int32 leader epoch
///           | record batches (the rest of the frame, as the leader's log holds them)
/// </code>
/// The wait travels as a duration, not the follower's deadline, so the nodes' clocks need not agree.
/// </summary>
public static class ReplicaFetchFrames
{
    /// <summary>Size prefix plus correlation id.</summary>
    public const int PrefixLength = 8;

    /// <summary>What follows the prefix of a response before its records.</summary>
    public const int ResponseHeaderLength = 2 + 8 + 8 + 4;

    /// <summary>A request is a topic name (at most 249 characters) and a few numbers; a longer frame is not one.</summary>
    public const int MaxRequestSize = 1024;

    public static byte[] EncodeRequest(int correlation, ReplicaFetch fetch, DateTime now)
    {
        int topicLength = Encoding.UTF8.GetByteCount(fetch.Partition.Topic);
        int size = 4 + 2 + topicLength + 4 + 4 + 8 + 4 + 4 + 4;
        var frame = new byte[4 + size];
        var span = frame.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, size);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], correlation);
        BinaryPrimitives.WriteInt16BigEndian(span[8..], checked((short)topicLength));
        Encoding.UTF8.GetBytes(fetch.Partition.Topic, span[10..]);
        var rest = span[(10 + topicLength)..];
        BinaryPrimitives.WriteInt32BigEndian(rest, fetch.Partition.Partition);
        BinaryPrimitives.WriteInt32BigEndian(rest[4..], fetch.FollowerNode);
        BinaryPrimitives.WriteInt64BigEndian(rest[8..], fetch.FetchOffset);
        BinaryPrimitives.WriteInt32BigEndian(rest[16..], fetch.MaxBytes);
        BinaryPrimitives.WriteInt32BigEndian(rest[20..], fetch.LeaderEpoch);
        BinaryPrimitives.WriteInt32BigEndian(rest[24..], WaitMs(fetch.Deadline, now));
        return frame;
    }

    /// <summary>Reads a request's body (the frame after its size prefix); the deadline is <paramref name="now"/> plus the wait.</summary>
    public static (int Correlation, ReplicaFetch Fetch) DecodeRequest(ReadOnlySpan<byte> body, DateTime now)
    {
        if (body.Length < 4 + 2)
            throw new InvalidDataException($"A replica fetch request of {body.Length} bytes is too short.");
        int correlation = BinaryPrimitives.ReadInt32BigEndian(body);
        int topicLength = BinaryPrimitives.ReadInt16BigEndian(body[4..]);
        if (topicLength <= 0 || body.Length != 4 + 2 + topicLength + 28)
            throw new InvalidDataException($"A replica fetch request of {body.Length} bytes does not match its topic length {topicLength}.");
        string topic = Encoding.UTF8.GetString(body.Slice(6, topicLength));
        var rest = body[(6 + topicLength)..];
        int waitMs = BinaryPrimitives.ReadInt32BigEndian(rest[24..]);
        if (waitMs < 0)
            throw new InvalidDataException($"A replica fetch request has a negative wait ({waitMs} ms).");
        var fetch = new ReplicaFetch(
            new TopicPartition(topic, BinaryPrimitives.ReadInt32BigEndian(rest)),
            FollowerNode: BinaryPrimitives.ReadInt32BigEndian(rest[4..]),
            FetchOffset: BinaryPrimitives.ReadInt64BigEndian(rest[8..]),
            MaxBytes: BinaryPrimitives.ReadInt32BigEndian(rest[16..]),
            LeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(rest[20..]),
            Deadline: now + TimeSpan.FromMilliseconds(waitMs));
        return (correlation, fetch);
    }

    /// <summary>
    /// The response's prefix and header for <paramref name="recordsLength"/> bytes of records, which follow in the same
    /// frame without being copied here (from <paramref name="result"/>, or from a segment file).
    /// </summary>
    public static byte[] EncodeResponseHead(int correlation, ReplicaFetchResult result, int recordsLength)
    {
        var head = new byte[PrefixLength + ResponseHeaderLength];
        var span = head.AsSpan();
        BinaryPrimitives.WriteInt32BigEndian(span, 4 + ResponseHeaderLength + recordsLength);
        BinaryPrimitives.WriteInt32BigEndian(span[4..], correlation);
        BinaryPrimitives.WriteInt16BigEndian(span[8..], (short)result.Error);
        BinaryPrimitives.WriteInt64BigEndian(span[10..], result.HighWatermark);
        BinaryPrimitives.WriteInt64BigEndian(span[18..], result.LogStartOffset);
        BinaryPrimitives.WriteInt32BigEndian(span[26..], result.LeaderEpoch);
        return head;
    }

    /// <summary>A response from its header (after the prefix) and its records.</summary>
    public static ReplicaFetchResult DecodeResponse(ReadOnlySpan<byte> header, ReadOnlyMemory<byte> records) =>
        new((ErrorCode)BinaryPrimitives.ReadInt16BigEndian(header),
            records,
            HighWatermark: BinaryPrimitives.ReadInt64BigEndian(header[2..]),
            LogStartOffset: BinaryPrimitives.ReadInt64BigEndian(header[10..]),
            LeaderEpoch: BinaryPrimitives.ReadInt32BigEndian(header[18..]));

    private static int WaitMs(DateTime deadline, DateTime now) =>
        (int)Math.Clamp((deadline - now).TotalMilliseconds, 0, int.MaxValue);
}
