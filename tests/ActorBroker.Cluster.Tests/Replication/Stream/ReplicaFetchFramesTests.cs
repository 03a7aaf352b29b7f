using System.Buffers.Binary;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Replication.Stream;
using ActorBroker.Protocol;

namespace ActorBroker.Cluster.Tests.Replication.Stream;

public sealed class ReplicaFetchFramesTests
{
    private static readonly DateTime Now = new(2026, 11, 24, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_request_round_trips_with_its_wait_carried_as_a_duration_from_the_receivers_clock()
    {
        var fetch = new ReplicaFetch(new TopicPartition("orders.eu-1", 17), FollowerNode: 3, FetchOffset: 123_456_789_012, MaxBytes: 1 << 20,
            LeaderEpoch: 9, Deadline: Now.AddMilliseconds(500));
        var frame = ReplicaFetchFrames.EncodeRequest(42, fetch, Now);

        Assert.Equal(frame.Length - 4, BinaryPrimitives.ReadInt32BigEndian(frame));
        var receiverNow = Now.AddHours(1); // another node's clock
        var (correlation, decoded) = ReplicaFetchFrames.DecodeRequest(frame.AsSpan(4), receiverNow);

        Assert.Equal(42, correlation);
        Assert.Equal(fetch with { Deadline = receiverNow.AddMilliseconds(500) }, decoded);
    }

    [Fact]
    public void A_deadline_already_passed_travels_as_no_wait()
    {
        var fetch = new ReplicaFetch(new TopicPartition("t", 0), 2, 0, 1024, 1, Now.AddSeconds(-3));
        var (_, decoded) = ReplicaFetchFrames.DecodeRequest(ReplicaFetchFrames.EncodeRequest(1, fetch, Now).AsSpan(4), Now);
        Assert.Equal(Now, decoded.Deadline);
    }

    [Fact]
    public void A_response_head_carries_its_records_length_and_fields()
    {
        byte[] records = [1, 2, 3, 4, 5];
        var result = new ReplicaFetchResult(ErrorCode.OffsetOutOfRange, records, HighWatermark: 77, LogStartOffset: 5, LeaderEpoch: 4);
        var head = ReplicaFetchFrames.EncodeResponseHead(8, result, result.Records.Length);

        Assert.Equal(ReplicaFetchFrames.PrefixLength + ReplicaFetchFrames.ResponseHeaderLength, head.Length);
        Assert.Equal(4 + ReplicaFetchFrames.ResponseHeaderLength + records.Length, BinaryPrimitives.ReadInt32BigEndian(head));
        Assert.Equal(8, BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4)));
        var decoded = ReplicaFetchFrames.DecodeResponse(head.AsSpan(ReplicaFetchFrames.PrefixLength), records);
        Assert.Equal((result.Error, result.HighWatermark, result.LogStartOffset, result.LeaderEpoch),
            (decoded.Error, decoded.HighWatermark, decoded.LogStartOffset, decoded.LeaderEpoch));
        Assert.Equal(records, decoded.Records.ToArray());
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 1 })] // shorter than a correlation id and a topic length
    [InlineData(new byte[] { 0, 0, 0, 1, 0, 40, (byte)'t' })] // topic length beyond the frame
    [InlineData(new byte[] { 0, 0, 0, 1, 0, 0 })] // empty topic
    public void A_body_that_is_not_a_request_is_invalid_data(byte[] body) =>
        Assert.Throws<InvalidDataException>(() => ReplicaFetchFrames.DecodeRequest(body, Now));

    [Fact]
    public void A_negative_wait_is_invalid_data()
    {
        var frame = ReplicaFetchFrames.EncodeRequest(1, new ReplicaFetch(new TopicPartition("t", 0), 2, 0, 1024, 1, Now), Now);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(frame.Length - 4), -1);
        Assert.Throws<InvalidDataException>(() => ReplicaFetchFrames.DecodeRequest(frame.AsSpan(4), Now));
    }
}
