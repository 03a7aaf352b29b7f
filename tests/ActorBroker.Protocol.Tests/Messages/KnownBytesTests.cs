using System.Buffers;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;
using Xunit;

namespace ActorBroker.Protocol.Tests.Messages;

/// <summary>Hand-encoded frames (bodies after the header) as real clients send them.</summary>
public class KnownBytesTests
{
    private static byte[] Write(Action<KafkaWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new KafkaWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Metadata_v0_request_with_one_topic_matches_the_classic_encoding()
    {
        byte[] expected = { 0, 0, 0, 1, 0, 3, (byte)'f', (byte)'o', (byte)'o' };
        var request = new MetadataRequest { Topics = new() { new MetadataRequest.MetadataRequestTopic { Name = "foo" } } };
        Assert.Equal(expected, Write(w => request.Write(w, 0)));
        var reader = new KafkaReader(expected);
        var read = MetadataRequest.Read(ref reader, 0);
        Assert.Equal("foo", Assert.Single(read.Topics!).Name);
    }

    [Fact]
    public void Metadata_v1_request_with_null_topics_means_all_topics()
    {
        var reader = new KafkaReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
        Assert.Null(MetadataRequest.Read(ref reader, 1).Topics);
    }

    [Fact]
    public void Metadata_v0_request_with_null_topics_is_malformed()
    {
        Assert.Throws<KafkaProtocolException>(() =>
        {
            var reader = new KafkaReader(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });
            MetadataRequest.Read(ref reader, 0);
        });
    }

    [Fact]
    public void ApiVersions_v3_request_uses_compact_strings_and_tagged_fields()
    {
        // ClientSoftwareName "rd" and version "1" as compact strings (length + 1), then an empty tagged section.
        byte[] bytes = { 3, (byte)'r', (byte)'d', 2, (byte)'1', 0 };
        var reader = new KafkaReader(bytes);
        var request = ApiVersionsRequest.Read(ref reader, 3);
        Assert.Equal("rd", request.ClientSoftwareName);
        Assert.Equal("1", request.ClientSoftwareVersion);
        Assert.Equal(bytes, Write(w => request.Write(w, 3)));
    }

    [Fact]
    public void Unknown_tagged_fields_are_skipped_on_read()
    {
        byte[] bytes = { 3, (byte)'r', (byte)'d', 2, (byte)'1', 1, 99, 2, 0xAA, 0xBB };
        var reader = new KafkaReader(bytes);
        var request = ApiVersionsRequest.Read(ref reader, 3);
        Assert.Equal("rd", request.ClientSoftwareName);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Json_defaults_are_applied_to_fields_absent_from_a_version()
    {
        var reader = new KafkaReader(new byte[] { 0, 0, 0, 0 });
        var request = MetadataRequest.Read(ref reader, 3); // AllowAutoTopicCreation appears in v4
        Assert.True(request.AllowAutoTopicCreation);
        Assert.Equal(-1, new FetchRequest().ReplicaId);
    }

    [Fact]
    public void Produce_request_records_are_a_slice_of_the_frame()
    {
        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 1000,
            TopicData = new()
            {
                new ProduceRequest.TopicProduceData
                {
                    Name = "t",
                    PartitionData = new() { new ProduceRequest.PartitionProduceData { Index = 0, Records = new byte[] { 1, 2, 3 } } },
                },
            },
        };
        var bytes = Write(w => request.Write(w, 8));
        var reader = new KafkaReader(bytes);
        var read = ProduceRequest.Read(ref reader, 8);
        var records = read.TopicData[0].PartitionData[0].Records!.Value;
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(records, out var segment));
        Assert.Same(bytes, segment.Array);
    }

    [Fact]
    public void Find_coordinator_key_property_is_renamed_to_avoid_the_api_key_constant()
    {
        Assert.Equal(ApiKey.FindCoordinator, FindCoordinatorRequest.Key);
        var request = new FindCoordinatorRequest { KeyValue = "group-1" };
        var bytes = Write(w => request.Write(w, 0));
        Assert.Equal(new byte[] { 0, 7, (byte)'g', (byte)'r', (byte)'o', (byte)'u', (byte)'p', (byte)'-', (byte)'1' }, bytes);
    }

    [Fact]
    public void Requests_and_responses_can_be_read_by_api_key()
    {
        var request = new HeartbeatRequest { GroupId = "g", GenerationId = 3, MemberId = "m" };
        var bytes = Write(w => request.Write(w, 1));
        var reader = new KafkaReader(bytes);
        IKafkaMessage read = ApiMessageTypes.ReadRequest(ApiKey.Heartbeat, ref reader, 1);
        var heartbeat = Assert.IsType<HeartbeatRequest>(read);
        Assert.Equal(3, heartbeat.GenerationId);
        Assert.True(read.IsRequest);
        Assert.Equal(ApiKey.Heartbeat, read.ApiKey);

        var response = new HeartbeatResponse { ErrorCode = (short)ErrorCode.RebalanceInProgress };
        var responseBytes = Write(w => response.Write(w, 0));
        var responseReader = new KafkaReader(responseBytes);
        var readResponse = Assert.IsType<HeartbeatResponse>(ApiMessageTypes.ReadResponse(ApiKey.Heartbeat, ref responseReader, 0));
        Assert.Equal(27, readResponse.ErrorCode);
        Assert.False(((IKafkaMessage)readResponse).IsRequest);
    }
}
