using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Headers;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.TestKit;

/// <summary>
/// A bare Kafka protocol client for tests: sends generated request messages (or raw bytes) and decodes response
/// frames, so tests can speak to the broker at the wire level, including things no real client would send.
/// </summary>
public sealed class KafkaWireClient : IAsyncDisposable
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly IAsyncDisposable? _owner;
    private int _nextCorrelationId = 1;

    public KafkaWireClient(Stream input, Stream output, IAsyncDisposable? owner = null)
    {
        _input = input;
        _output = output;
        _owner = owner;
    }

    public string ClientId { get; init; } = "wire-test";

    public static async Task<KafkaWireClient> ConnectAsync(string host, int port)
    {
        var client = new TcpClient { NoDelay = true };
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        return new KafkaWireClient(stream, stream, stream);
    }

    /// <summary>The frame (length prefix included) of a request with the next correlation id.</summary>
    public byte[] Frame(IKafkaMessage request, short version, out int correlationId)
    {
        correlationId = _nextCorrelationId++;
        var buffer = new ArrayBufferWriter<byte>();
        buffer.GetSpan(4);
        buffer.Advance(4);
        var writer = new KafkaWriter(buffer);
        new RequestHeader(request.ApiKey, version, correlationId, ClientId).Write(writer);
        request.Write(writer, version);
        var frame = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);
        return frame;
    }

    public async Task SendRawAsync(ReadOnlyMemory<byte> bytes)
    {
        await _output.WriteAsync(bytes);
        await _output.FlushAsync();
    }

    public async Task<TResponse> SendAsync<TResponse>(IKafkaMessage request, short version) where TResponse : IKafkaMessage
    {
        await SendRawAsync(Frame(request, version, out int correlationId));
        return await ReceiveAsync<TResponse>(request.ApiKey, version, correlationId);
    }

    public async Task<TResponse> ReceiveAsync<TResponse>(ApiKey key, short version, int correlationId) where TResponse : IKafkaMessage
    {
        var frame = await ReceiveFrameAsync(TimeSpan.FromSeconds(30))
            ?? throw new IOException($"The broker closed the connection instead of answering {key} v{version}.");
        var reader = new KafkaReader(frame);
        var header = ResponseHeader.Read(ref reader, ApiMessageTypes.ResponseHeaderVersion(key, version));
        if (header.CorrelationId != correlationId)
            throw new InvalidDataException($"Expected correlation id {correlationId}, got {header.CorrelationId}.");
        return (TResponse)ApiMessageTypes.ReadResponse(key, ref reader, version);
    }

    /// <summary>The next response frame without its length prefix, or null when the broker closed the connection.</summary>
    public async Task<byte[]?> ReceiveFrameAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var prefix = new byte[4];
        if (!await ReadExactlyOrEndAsync(prefix, cts.Token))
            return null;
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        if (!await ReadExactlyOrEndAsync(frame, cts.Token))
            throw new IOException("The broker closed the connection in the middle of a response.");
        return frame;
    }

    /// <summary>True when the broker closes the connection (rather than answering) within the timeout.</summary>
    public async Task<bool> IsClosedByBrokerAsync(TimeSpan timeout)
    {
        try
        {
            return await ReceiveFrameAsync(timeout) is null;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<bool> ReadExactlyOrEndAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        int read = 0;
        while (read < buffer.Length)
        {
            int n = await _input.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
                return false;
            read += n;
        }
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (_owner is not null)
            await _owner.DisposeAsync();
    }
}
