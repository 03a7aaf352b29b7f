using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Bad bytes on one connection close that connection and nothing else. Frames are built by hand (big-endian,
/// request header v1: api_key, api_version, correlation_id, nullable client_id).
/// </summary>
public sealed class MalformedInputTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const short ApiVersionsKey = 18;
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(15);

    public static TheoryData<string> BadInputs => new() { "http-request", "length-200MiB", "negative-length", "unknown-api-key" };

    private static byte[] BadInput(string name) => name switch
    {
        "http-request" => Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), // "GET " as a length is 1.1 GiB
        "length-200MiB" => Frame(200 * 1024 * 1024, new byte[1024]),
        "negative-length" => Frame(-1, new byte[16]),
        "unknown-api-key" => Request(apiKey: 0x7ABC, apiVersion: 0, correlationId: 7, body: []),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Bad_input_closes_only_its_own_connection(string input)
    {
        var node = fixture.Node;
        await node.WithLogOnFailureAsync(async () =>
        {
            using var bystander = await ConnectAsync(node.Port);
            await AssertApiVersionsWorksAsync(bystander, correlationId: 1);

            using (var offender = await ConnectAsync(node.Port))
            {
                var stream = offender.GetStream();
                await stream.WriteAsync(BadInput(input));
                await stream.FlushAsync();
                Assert.True(await IsClosedByPeerAsync(stream, CloseTimeout),
                    $"The node kept the connection open {CloseTimeout} after receiving {input}.");
            }

            await AssertNodeStillServesAsync(node, bystander);
        });
    }

    [Fact]
    public async Task A_truncated_frame_followed_by_close_leaves_the_node_serving()
    {
        var node = fixture.Node;
        await node.WithLogOnFailureAsync(async () =>
        {
            using var bystander = await ConnectAsync(node.Port);
            using (var offender = await ConnectAsync(node.Port))
            {
                var whole = Request(ApiVersionsKey, 0, 3, []);
                var truncated = new byte[4 + 10];
                BinaryPrimitives.WriteInt32BigEndian(truncated, 100);
                whole.AsSpan(4, 10).CopyTo(truncated.AsSpan(4));
                await offender.GetStream().WriteAsync(truncated);
                offender.Client.Shutdown(SocketShutdown.Both);
            }

            await Task.Delay(500);
            await AssertNodeStillServesAsync(node, bystander);
        });
    }

    [Fact]
    public async Task ApiVersions_with_an_unsupported_version_gets_a_v0_shaped_error_listing_the_supported_ranges()
    {
        // librdkafka and kafkajs rely on this (KIP-511): the reply to an unknown ApiVersions version is v0-shaped
        // with UNSUPPORTED_VERSION (35) and the broker's ranges, so the client can retry with a version it supports.
        var node = fixture.Node;
        await node.WithLogOnFailureAsync(async () =>
        {
            using var client = await ConnectAsync(node.Port);
            var stream = client.GetStream();
            // ApiVersions v3+ uses request header v2 (tagged fields after client_id); the body is what librdkafka
            // sends with v3: compact client_software_name and _version, then no tagged fields.
            byte[] body = [11, .. "compat-raw"u8, 4, .. "1.0"u8, 0];
            await stream.WriteAsync(Request(ApiVersionsKey, apiVersion: 99, correlationId: 42, body: body, flexibleHeader: true));
            var response = await ReadFrameAsync(stream, TimeSpan.FromSeconds(10));
            Assert.Equal(42, BinaryPrimitives.ReadInt32BigEndian(response));
            Assert.Equal(35, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
            var ranges = ParseApiVersionsV0Ranges(response);
            Assert.True(ranges.ContainsKey(ApiVersionsKey), "The error reply lists no ApiVersions range.");
        });
    }

    private static async Task AssertNodeStillServesAsync(NodeProcess node, TcpClient bystander)
    {
        Assert.True(node.IsRunning, "The node process died.");
        await AssertApiVersionsWorksAsync(bystander, correlationId: 2);
        using (var fresh = await ConnectAsync(node.Port))
            await AssertApiVersionsWorksAsync(fresh, correlationId: 1);

        var topic = TestTopics.Unique("after-bad-input");
        var sent = TestRecords.Messages(topic, 10);
        var delivered = await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, sent);
        var consumed = await Task.Run(() => ConfluentClients.ConsumeFromBeginning(node.BootstrapServers, topic, sent.Count, TimeSpan.FromSeconds(30)));
        TestRecords.AssertReadBack(sent, delivered, consumed);
    }

    private static async Task AssertApiVersionsWorksAsync(TcpClient client, int correlationId)
    {
        var stream = client.GetStream();
        await stream.WriteAsync(Request(ApiVersionsKey, 0, correlationId, []));
        var response = await ReadFrameAsync(stream, TimeSpan.FromSeconds(10));
        Assert.Equal(correlationId, BinaryPrimitives.ReadInt32BigEndian(response));
        Assert.Equal(0, BinaryPrimitives.ReadInt16BigEndian(response.AsSpan(4)));
        var ranges = ParseApiVersionsV0Ranges(response);
        Assert.True(ranges.TryGetValue(0, out var produce) && produce.Min <= 3 && produce.Max >= 8,
            $"ApiVersions v0 lists Produce as {(ranges.TryGetValue(0, out var p) ? p.ToString() : "absent")}, expected 3–8 covered.");
    }

    /// <summary>ApiVersions response v0 body after the correlation id: error_code int16, [api_key int16, min int16, max int16].</summary>
    private static Dictionary<short, (short Min, short Max)> ParseApiVersionsV0Ranges(byte[] response)
    {
        var span = response.AsSpan(4 + 2);
        var count = BinaryPrimitives.ReadInt32BigEndian(span);
        Assert.InRange(count, 1, 1000);
        var ranges = new Dictionary<short, (short, short)>();
        for (var i = 0; i < count; i++)
        {
            var entry = span.Slice(4 + i * 6, 6);
            ranges[BinaryPrimitives.ReadInt16BigEndian(entry)] =
                (BinaryPrimitives.ReadInt16BigEndian(entry[2..]), BinaryPrimitives.ReadInt16BigEndian(entry[4..]));
        }

        return ranges;
    }

    private static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync("127.0.0.1", port);
        return client;
    }

    /// <summary>A request with header v1 (client_id "compat-raw"), or v2 (v1 plus an empty tagged-field section).</summary>
    private static byte[] Request(short apiKey, short apiVersion, int correlationId, byte[] body, bool flexibleHeader = false)
    {
        var clientId = Encoding.UTF8.GetBytes("compat-raw");
        if (flexibleHeader)
            body = [0, .. body];
        var payload = new byte[2 + 2 + 4 + 2 + clientId.Length + body.Length];
        BinaryPrimitives.WriteInt16BigEndian(payload, apiKey);
        BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(2), apiVersion);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), correlationId);
        BinaryPrimitives.WriteInt16BigEndian(payload.AsSpan(8), (short)clientId.Length);
        clientId.CopyTo(payload.AsSpan(10));
        body.CopyTo(payload.AsSpan(10 + clientId.Length));
        return Frame(payload.Length, payload);
    }

    private static byte[] Frame(int declaredLength, byte[] payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame, declaredLength);
        payload.CopyTo(frame.AsSpan(4));
        return frame;
    }

    /// <summary>Reads one size-prefixed response and returns it without the size.</summary>
    private static async Task<byte[]> ReadFrameAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var size = new byte[4];
        await stream.ReadExactlyAsync(size, cts.Token);
        var length = BinaryPrimitives.ReadInt32BigEndian(size);
        Assert.InRange(length, 4, 1024 * 1024);
        var frame = new byte[length];
        await stream.ReadExactlyAsync(frame, cts.Token);
        return frame;
    }

    /// <summary>True once the peer closes or resets; anything it sends before that is discarded.</summary>
    private static async Task<bool> IsClosedByPeerAsync(NetworkStream stream, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                if (await stream.ReadAsync(buffer, cts.Token) == 0)
                    return true;
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
