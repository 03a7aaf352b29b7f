using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using Akka.Configuration;
using Akka.Serialization;
using ActorBroker.Cluster.Groups;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Cluster.Serialization;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Cluster.Tests.Serialization;

public sealed class WireMessageSerializerTests : Akka.TestKit.Xunit2.TestKit
{
    public WireMessageSerializerTests()
        : base(ConfigurationFactory.ParseString("akka.actor.provider = local").WithFallback(ActorBrokerConfig.Reference())) { }

    public static TheoryData<Type> MessageTypes() => new(ClusterMessageFiller.AllMessageTypes());

    private SerializerWithStringManifest Serializer(object message) =>
        (SerializerWithStringManifest)Sys.Serialization.FindSerializerFor(message);

    private object RoundTrip(object message)
    {
        var serializer = Serializer(message);
        Assert.IsType<WireMessageSerializer>(serializer);
        return serializer.FromBinary(serializer.ToBinary(message), serializer.Manifest(message));
    }

    [Fact]
    public void Every_command_and_reply_of_the_three_protocols_is_a_cluster_message()
    {
        var types = ClusterMessageFiller.AllMessageTypes();
        Assert.Contains(typeof(AppendBatches), types);
        Assert.Contains(typeof(ReadBatchesResult), types);
        Assert.Contains(typeof(JoinGroup), types);
        Assert.Contains(typeof(SyncGroupResult), types);
        Assert.Contains(typeof(DescribeTopics), types);
        Assert.Contains(typeof(DescribeTopicsResult), types);
        Assert.True(types.Count >= WireMessageSerializer.TypesByManifest.Count);
    }

    [Theory]
    [MemberData(nameof(MessageTypes))]
    public void A_filled_cluster_message_round_trips_field_by_field(Type type)
    {
        var message = new ClusterMessageFiller().Fill(type);

        var back = RoundTrip(message);

        Assert.IsType(type, back);
        Assert.Empty(ClusterMessageFiller.Differences(message, back));
    }

    [Fact]
    public void A_record_batch_travels_raw_after_the_json_and_is_read_back_as_a_slice_of_the_frame()
    {
        var payload = new byte[1 << 20];
        new Random(7).NextBytes(payload);
        var message = new AppendBatches(new TopicPartition("orders", 3), payload, WaitForFsync: true);
        var serializer = Serializer(message);

        byte[] frame = serializer.ToBinary(message);
        var back = (AppendBatches)serializer.FromBinary(frame, serializer.Manifest(message));

        Assert.InRange(frame.Length, payload.Length, payload.Length + 200); // base64 would add a third
        Assert.True(back.Batches.Span.SequenceEqual(payload));
        Assert.True(MemoryMarshal.TryGetArray<byte>(back.Batches, out var segment) && ReferenceEquals(segment.Array, frame));
        Assert.Equal(message.Partition, back.Partition);
        Assert.True(back.WaitForFsync);
    }

    [Fact]
    public void Fetched_records_and_group_member_bytes_keep_every_byte_including_empty_and_null_payloads()
    {
        var batch = new RecordBatchBuilder(5).Add("k", "v", timestamp: 1_700_000_000_000).Build();
        var read = (ReadBatchesResult)RoundTrip(new ReadBatchesResult(ErrorCode.None, batch, 6, 0));
        var empty = (ReadBatchesResult)RoundTrip(new ReadBatchesResult(ErrorCode.OffsetOutOfRange, ReadOnlyMemory<byte>.Empty, 6, 0));
        var join = (JoinGroupResult)RoundTrip(new JoinGroupResult(ErrorCode.None, 1, "consumer", "range", "m-1", "m-1",
            [new JoinGroupMember("m-1", null, [0, 1, 2, 255]), new JoinGroupMember("m-2", "static", [])]));

        Assert.Equal(batch, read.Records.ToArray());
        Assert.Equal(5, new RecordBatch(read.Records).BaseOffset);
        Assert.True(empty.Records.IsEmpty);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, join.Members[0].Metadata);
        Assert.Null(join.Members[0].GroupInstanceId);
        Assert.Empty(join.Members[1].Metadata);
    }

    private sealed record Unlisted(string Name) : IClusterMessage;

    [Fact]
    public void A_cluster_message_missing_from_the_table_fails_loudly_on_send_and_an_unknown_manifest_on_receipt()
    {
        var serializer = Serializer(new DeleteTopic("x"));

        var send = Assert.Throws<ArgumentException>(() => serializer.ToBinary(new Unlisted("x")));
        var receive = Assert.Throws<SerializationException>(() => serializer.FromBinary([0, 0, 0, 2, (byte)'{', (byte)'}'], "no-such-manifest"));

        Assert.Contains(nameof(Unlisted), send.Message);
        Assert.Contains("no-such-manifest", receive.Message);
    }

    [Fact]
    public void Every_manifest_names_a_cluster_message_and_no_type_has_two()
    {
        Assert.All(WireMessageSerializer.TypesByManifest.Values, t => Assert.True(typeof(IClusterMessage).IsAssignableFrom(t), t.Name));
        Assert.Equal(WireMessageSerializer.TypesByManifest.Count, WireMessageSerializer.TypesByManifest.Values.Distinct().Count());
    }
}
