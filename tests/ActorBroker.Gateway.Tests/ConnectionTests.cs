using System.Buffers.Binary;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;

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
