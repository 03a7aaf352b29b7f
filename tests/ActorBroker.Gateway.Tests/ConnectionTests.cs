using System.Buffers.Binary;
using System.Text;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Records;
using ActorBroker.TestKit;

namespace ActorBroker.Gateway.Tests;

/// <summary>Framing and connection handling over real sockets: bad input closes that connection only.</summary>
public sealed class ConnectionTests : IAsyncLifetime
{
    private const int RequestLimit = 64 * 1024;
    private GatewayFixture _gateway = null!;

    public async Task InitializeAsync() =>
        _gateway = await GatewayFixture.StartAsync($"actorbroker.kafka.socket-request-max-bytes = {RequestLimit}");

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    private async Task AssertAnotherConnectionIsServedAsync()
    {
        await using var other = await _gateway.ConnectAsync();
        var response = await other.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);
        Assert.Equal((short)ErrorCode.None, response.ErrorCode);
    }

    private static byte[] LengthPrefix(int length)
    {
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        return prefix;
    }

    [Fact]
    public async Task A_frame_longer_than_the_limit_closes_that_connection_and_others_keep_working()
    {
        await using var client = await _gateway.ConnectAsync();
        await client.SendRawAsync(LengthPrefix(RequestLimit + 1));

        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        await AssertAnotherConnectionIsServedAsync();
    }

    [Fact]
    public async Task Garbage_bytes_close_that_connection_and_others_keep_working()
    {
        await using var client = await _gateway.ConnectAsync();
        await client.SendRawAsync(new byte[] { 0xFF, 0xFE, 0xFD, 0xFC, 1, 2, 3, 4, 5, 6, 7, 8 });

        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        await AssertAnotherConnectionIsServedAsync();
    }

    [Fact]
    public async Task A_frame_whose_header_is_cut_short_closes_that_connection()
    {
        await using var client = await _gateway.ConnectAsync();
        // A 10-byte frame: api key, version, correlation id, then a client id length promising 100 bytes.
        await client.SendRawAsync(new byte[] { 0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 1, 0, 100 });

        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        await AssertAnotherConnectionIsServedAsync();
    }

    [Fact]
    public async Task A_client_that_disconnects_mid_frame_does_not_disturb_the_node()
    {
        await using (var client = await _gateway.ConnectAsync())
            await client.SendRawAsync(new byte[] { 0, 0, 1, 0, 0, 18, 0 });

        await AssertAnotherConnectionIsServedAsync();
    }

    [Fact]
    public async Task An_unknown_api_key_closes_that_connection_as_Kafka_does()
    {
        await using var client = await _gateway.ConnectAsync();
        // api key 999, version 0, correlation id 1, null client id
        await client.SendRawAsync(new byte[] { 0, 0, 0, 10, 0x03, 0xE7, 0, 0, 0, 0, 0, 1, 0xFF, 0xFF });

        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
        await AssertAnotherConnectionIsServedAsync();
    }

    [Fact]
    public async Task An_unsupported_version_of_an_api_other_than_ApiVersions_closes_the_connection()
    {
        await using var client = await _gateway.ConnectAsync();
        await client.SendRawAsync(client.Frame(new MetadataRequest(), 12, out _));

        Assert.True(await client.IsClosedByBrokerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Pipelined_requests_are_answered_in_the_order_they_were_sent()
    {
        await using var client = await _gateway.ConnectAsync();
        var frames = new List<(int CorrelationId, byte[] Frame)>();
        for (int i = 0; i < 20; i++)
        {
            IKafkaMessage request = i % 2 == 0 ? new ApiVersionsRequest() : new MetadataRequest { Topics = null };
            var frame = client.Frame(request, request is ApiVersionsRequest ? (short)2 : (short)1, out int correlationId);
            frames.Add((correlationId, frame));
        }
        await client.SendRawAsync(frames.SelectMany(f => f.Frame).ToArray());

        foreach (var (correlationId, _) in frames)
        {
            var response = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(response);
            Assert.Equal(correlationId, BinaryPrimitives.ReadInt32BigEndian(response));
        }
    }

    /// <summary>A produce frame of about 40 KiB: large enough to be read from the socket directly.</summary>
    private static (byte[] Frame, int CorrelationId, string[] Values) LargeProduceFrame(KafkaWireClient client, string topic)
    {
        var values = Enumerable.Range(0, 10).Select(i => new string((char)('a' + i), 4000)).ToArray();
        var builder = new RecordBatchBuilder();
        foreach (var value in values)
            builder.Add("k", value);
        var frame = client.Frame(Requests.Produce(topic, 0, builder.Build(), acks: 1), 8, out int correlationId);
        Assert.True(frame.Length > 32 * 1024);
        return (frame, correlationId, values);
    }

    [Fact]
    public async Task A_large_frame_arriving_in_pieces_is_read_whole_and_the_request_behind_it_is_answered_next()
    {
        await using var client = await _gateway.ConnectAsync();
        var (produce, produceId, values) = LargeProduceFrame(client, "large-frames");
        var apiVersions = client.Frame(new ApiVersionsRequest(), 2, out int apiVersionsId);

        await client.SendRawAsync(produce.AsMemory(0, 8 * 1024));
        await Task.Delay(300); // the broker reads the first piece alone and must wait for the rest
        await client.SendRawAsync(produce.AsMemory(8 * 1024).ToArray().Concat(apiVersions).ToArray());

        foreach (int expected in new[] { produceId, apiVersionsId })
        {
            var response = await client.ReceiveFrameAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(response);
            Assert.Equal(expected, BinaryPrimitives.ReadInt32BigEndian(response));
        }
        var fetch = await client.SendAsync<FetchResponse>(Requests.Fetch("large-frames", 0, 0), 11);
        var records = Requests.Records(fetch.Responses.Single().Partitions.Single().Records).ToList();
        Assert.Equal(values, records.Select(r => Encoding.UTF8.GetString(r.Value!.Value.Span)));
    }

    [Fact]
    public async Task A_client_that_disconnects_in_the_middle_of_a_large_frame_does_not_disturb_the_node()
    {
        await using (var client = await _gateway.ConnectAsync())
        {
            var (produce, _, _) = LargeProduceFrame(client, "cut-large-frame");
            await client.SendRawAsync(produce.AsMemory(0, 20 * 1024));
            await Task.Delay(300);
        }

        await AssertAnotherConnectionIsServedAsync();
        await using var other = await _gateway.ConnectAsync();
        var fetch = await other.SendAsync<FetchResponse>(Requests.Fetch("cut-large-frame", 0, 0), 11);
        Assert.Empty(Requests.Records(fetch.Responses.Single().Partitions.SingleOrDefault()?.Records));
    }

    [Fact]
    public async Task Many_concurrent_connections_are_served()
    {
        var clients = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => _gateway.ConnectAsync()));
        try
        {
            var responses = await Task.WhenAll(clients.Select(c => c.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 3)));
            Assert.All(responses, r => Assert.Equal((short)ErrorCode.None, r.ErrorCode));
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }
}
