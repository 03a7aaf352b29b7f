using System.Buffers;
using ActorBroker.Protocol.Headers;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;
using Xunit;

namespace ActorBroker.Protocol.Tests.Headers;

public class HeaderTests
{
    private static byte[] Write(Action<KafkaWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        write(new KafkaWriter(buffer));
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void Request_header_v1_is_read_for_a_non_flexible_request()
    {
        byte[] bytes = { 0, 3, 0, 1, 0, 0, 0, 42, 0, 3, (byte)'c', (byte)'l', (byte)'i' };
        var reader = new KafkaReader(bytes);
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(ApiKey.Metadata, header.ApiKey);
        Assert.Equal(1, header.ApiVersion);
        Assert.Equal(42, header.CorrelationId);
        Assert.Equal("cli", header.ClientId);
        Assert.Equal(1, header.HeaderVersion);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Request_header_v2_keeps_a_classic_client_id_and_skips_tagged_fields()
    {
        // ApiVersions v3 (flexible): client id stays int16-length; then a tagged section with one field.
        byte[] bytes = { 0, 18, 0, 3, 0, 0, 0, 7, 0xFF, 0xFF, 1, 0, 1, 9, 0x55 };
        var reader = new KafkaReader(bytes);
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(ApiKey.ApiVersions, header.ApiKey);
        Assert.Null(header.ClientId);
        Assert.Equal(2, header.HeaderVersion);
        Assert.Equal(0x55, reader.ReadUInt8());
    }

    [Fact]
    public void Controlled_shutdown_v0_uses_request_header_v0()
    {
        Assert.Equal(0, ApiMessageTypes.RequestHeaderVersion(ApiKey.ControlledShutdown, 0));
        byte[] bytes = { 0, 7, 0, 0, 0, 0, 0, 5, 0xAB };
        var reader = new KafkaReader(bytes);
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(5, header.CorrelationId);
        Assert.Null(header.ClientId);
        Assert.Equal(1, reader.Remaining);
    }

    [Theory]
    [InlineData(ApiKey.Metadata, 8, 1)]
    [InlineData(ApiKey.Metadata, 9, 2)]
    [InlineData(ApiKey.Produce, 8, 1)]
    [InlineData(ApiKey.Produce, 9, 2)]
    [InlineData(ApiKey.Fetch, 12, 2)]
    [InlineData(ApiKey.SaslHandshake, 1, 1)]
    [InlineData(ApiKey.ApiVersions, 9, 2)]
    public void Request_header_version_follows_flexible_versions(ApiKey key, short version, short expected) =>
        Assert.Equal(expected, ApiMessageTypes.RequestHeaderVersion(key, version));

    [Theory]
    [InlineData(ApiKey.Metadata, 9, 1)]
    [InlineData(ApiKey.Metadata, 8, 0)]
    [InlineData(ApiKey.ApiVersions, 3, 0)]
    [InlineData(ApiKey.ApiVersions, 0, 0)]
    [InlineData(ApiKey.Fetch, 12, 1)]
    public void Response_header_version_follows_flexible_versions_except_api_versions(ApiKey key, short version, short expected) =>
        Assert.Equal(expected, ApiMessageTypes.ResponseHeaderVersion(key, version));

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)1)]
    [InlineData((short)2)]
    public void Request_header_round_trips_in_every_header_version(short headerVersion)
    {
        var header = new RequestHeader(ApiKey.Fetch, 11, 123456, "client-1");
        var bytes = Write(w => header.Write(w, headerVersion));
        var reader = new KafkaReader(bytes);
        var read = RequestHeader.Read(ref reader, headerVersion);
        Assert.Equal(ApiKey.Fetch, read.ApiKey);
        Assert.Equal(11, read.ApiVersion);
        Assert.Equal(123456, read.CorrelationId);
        Assert.Equal(headerVersion == 0 ? null : "client-1", read.ClientId);
        Assert.Equal(0, reader.Remaining);
        Assert.Equal(bytes, Write(w => read.Write(w, headerVersion)));
    }

    [Fact]
    public void Response_header_v1_adds_an_empty_tagged_section()
    {
        Assert.Equal(new byte[] { 0, 0, 0, 9 }, Write(w => new ResponseHeader(9).Write(w, 0)));
        var v1 = Write(w => new ResponseHeader(9).Write(w, 1));
        Assert.Equal(new byte[] { 0, 0, 0, 9, 0 }, v1);
        var reader = new KafkaReader(v1);
        Assert.Equal(9, ResponseHeader.Read(ref reader, 1).CorrelationId);
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Unknown_api_key_is_read_as_header_v1_so_the_correlation_id_is_known()
    {
        byte[] bytes = { 0x03, 0xE7, 0, 0, 0, 0, 0, 77, 0, 1, (byte)'x' };
        var reader = new KafkaReader(bytes);
        var header = RequestHeader.Read(ref reader);
        Assert.Equal(999, (short)header.ApiKey);
        Assert.Equal(77, header.CorrelationId);
        Assert.False(ApiMessageTypes.IsKnown(header.ApiKey));
    }

    [Fact]
    public void Version_table_knows_ranges_of_the_specs()
    {
        Assert.Equal(0, ApiMessageTypes.LowestVersion(ApiKey.Metadata));
        Assert.Equal(MetadataRequest.HighestSupportedVersion, ApiMessageTypes.HighestVersion(ApiKey.Metadata));
        Assert.True(ApiMessageTypes.IsVersionSupported(ApiKey.Produce, 3));
        Assert.False(ApiMessageTypes.IsVersionSupported(ApiKey.Produce, 99));
        Assert.Equal(Enum.GetValues<ApiKey>().Length, ApiMessageTypes.All.Count);
    }
}
