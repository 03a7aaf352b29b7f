using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Headers;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Node.Admin;

/// <summary>Reads a response body of the given api version; the generated <c>XxxResponse.Read</c> methods fit it.</summary>
public delegate T ResponseBodyReader<T>(ref KafkaReader reader, short version);

/// <summary>
/// A minimal Kafka protocol client over one TCP connection, for the admin commands. Each request is written as a
/// frame (int32 length, request header, body) and its response read before the next is sent, so correlation ids
/// always match in order; a mismatch means the stream is out of step and fails the command. Versions are fixed
/// (see <see cref="Versions"/>): the ones every ActorBroker node serves. Not thread-safe: one command, one caller.
/// </summary>
public sealed class KafkaAdminConnection : IAsyncDisposable
{
    public const string DefaultBootstrap = "127.0.0.1:9092";
    public const string ClientId = "actorbroker-cli";

    /// <summary>A response larger than this is treated as a broken stream rather than allocated.</summary>
    private const int MaxResponseBytes = 256 * 1024 * 1024;

    /// <summary>The api versions the admin commands speak.</summary>
    public static class Versions
    {
        public const short Metadata = 8;
        public const short CreateTopics = 4;
        public const short DeleteTopics = 3;
        public const short Produce = 8;
        public const short Fetch = 11;
        public const short ListOffsets = 5;
        public const short DescribeConfigs = 2;
        public const short ListGroups = 4;
        public const short DescribeGroups = 4;
        public const short OffsetFetch = 7;
        public const short OffsetCommit = 7;
        public const short DeleteGroups = 2;
        public const short AlterPartitionReassignments = 0;
        public const short ListPartitionReassignments = 0;
    }

    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private int _nextCorrelationId;

    private KafkaAdminConnection(string bootstrap, TcpClient client)
    {
        Bootstrap = bootstrap;
        _client = client;
        _stream = client.GetStream();
    }

    /// <summary>The HOST:PORT this connection talks to.</summary>
    public string Bootstrap { get; }

    /// <summary>
    /// Connects to <paramref name="bootstrap"/> (HOST:PORT). Throws <see cref="CommandFailedException"/> with a
    /// message that says what to check when the broker cannot be reached within <paramref name="timeout"/>.
    /// </summary>
    public static async Task<KafkaAdminConnection> ConnectAsync(string bootstrap, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var (host, port) = ParseHostPort(bootstrap);
        var client = new TcpClient { NoDelay = true };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            return new KafkaAdminConnection(bootstrap, client);
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            client.Dispose();
            string reason = e is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0.#} s" : e.Message;
            throw new CommandFailedException(Unreachable(bootstrap, reason));
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Splits HOST:PORT (the port after the last colon; [v6]:PORT also works); a malformed value is a usage error.</summary>
    public static (string Host, int Port) ParseHostPort(string value)
    {
        int colon = value.LastIndexOf(':');
        if (colon <= 0 || colon == value.Length - 1
            || !int.TryParse(value.AsSpan(colon + 1), out int port) || port is < 1 or > 65535)
            throw new UsageException($"--bootstrap must be HOST:PORT (e.g. {DefaultBootstrap}), but is '{value}'.");
        string host = value[..colon].Trim('[', ']');
        return (host, port);
    }

    /// <summary>
    /// Sends <paramref name="request"/> as api <paramref name="key"/> version <paramref name="version"/> and reads the
    /// response with <paramref name="readBody"/>, checking its correlation id.
    /// </summary>
    public async Task<TResponse> SendAsync<TRequest, TResponse>(
        ApiKey key,
        short version,
        TRequest request,
        Action<TRequest, KafkaWriter, short> writeBody,
        ResponseBodyReader<TResponse> readBody,
        CancellationToken cancellationToken = default)
    {
        int correlationId = ++_nextCorrelationId;
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.GetSpan(4);
        buffer.Advance(4); // the length, patched below
        var writer = new KafkaWriter(buffer);
        new RequestHeader(key, version, correlationId, ClientId).Write(writer);
        writeBody(request, writer, version);
        byte[] frame = buffer.WrittenSpan.ToArray();
        BinaryPrimitives.WriteInt32BigEndian(frame, frame.Length - 4);

        byte[] response;
        try
        {
            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            var lengthBytes = new byte[4];
            await _stream.ReadExactlyAsync(lengthBytes, cancellationToken).ConfigureAwait(false);
            int length = BinaryPrimitives.ReadInt32BigEndian(lengthBytes);
            if (length < 4 || length > MaxResponseBytes)
                throw new CommandFailedException($"The broker at {Bootstrap} sent a {key} response frame of {length} bytes; the connection is out of step.");
            response = new byte[length];
            await _stream.ReadExactlyAsync(response, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or EndOfStreamException or ObjectDisposedException)
        {
            throw new CommandFailedException(
                $"The connection to the broker at {Bootstrap} broke during a {key} v{version} request: {e.Message}. " +
                "Check the broker's log; it closes connections on requests it cannot parse.");
        }

        var reader = new KafkaReader(response);
        try
        {
            var header = ResponseHeader.Read(ref reader, ApiMessageTypes.ResponseHeaderVersion(key, version));
            if (header.CorrelationId != correlationId)
                throw new CommandFailedException(
                    $"The broker at {Bootstrap} answered correlation id {header.CorrelationId} to {key} request {correlationId}; the connection is out of step.");
            return readBody(ref reader, version);
        }
        catch (KafkaProtocolException e)
        {
            throw new CommandFailedException($"The broker at {Bootstrap} sent a {key} v{version} response this tool cannot parse: {e.Message}");
        }
    }

    public Task<MetadataResponse> MetadataAsync(MetadataRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.Metadata, Versions.Metadata, request, static (r, w, v) => r.Write(w, v), MetadataResponse.Read, cancellationToken);

    public Task<CreateTopicsResponse> CreateTopicsAsync(CreateTopicsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.CreateTopics, Versions.CreateTopics, request, static (r, w, v) => r.Write(w, v), CreateTopicsResponse.Read, cancellationToken);

    public Task<DeleteTopicsResponse> DeleteTopicsAsync(DeleteTopicsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.DeleteTopics, Versions.DeleteTopics, request, static (r, w, v) => r.Write(w, v), DeleteTopicsResponse.Read, cancellationToken);

    public Task<DescribeConfigsResponse> DescribeConfigsAsync(DescribeConfigsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.DescribeConfigs, Versions.DescribeConfigs, request, static (r, w, v) => r.Write(w, v), DescribeConfigsResponse.Read, cancellationToken);

    public Task<ListOffsetsResponse> ListOffsetsAsync(ListOffsetsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.ListOffsets, Versions.ListOffsets, request, static (r, w, v) => r.Write(w, v), ListOffsetsResponse.Read, cancellationToken);

    public Task<ProduceResponse> ProduceAsync(ProduceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.Produce, Versions.Produce, request, static (r, w, v) => r.Write(w, v), ProduceResponse.Read, cancellationToken);

    public Task<FetchResponse> FetchAsync(FetchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.Fetch, Versions.Fetch, request, static (r, w, v) => r.Write(w, v), FetchResponse.Read, cancellationToken);

    public Task<ListGroupsResponse> ListGroupsAsync(ListGroupsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.ListGroups, Versions.ListGroups, request, static (r, w, v) => r.Write(w, v), ListGroupsResponse.Read, cancellationToken);

    public Task<DescribeGroupsResponse> DescribeGroupsAsync(DescribeGroupsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.DescribeGroups, Versions.DescribeGroups, request, static (r, w, v) => r.Write(w, v), DescribeGroupsResponse.Read, cancellationToken);

    public Task<OffsetFetchResponse> OffsetFetchAsync(OffsetFetchRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.OffsetFetch, Versions.OffsetFetch, request, static (r, w, v) => r.Write(w, v), OffsetFetchResponse.Read, cancellationToken);

    public Task<OffsetCommitResponse> OffsetCommitAsync(OffsetCommitRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.OffsetCommit, Versions.OffsetCommit, request, static (r, w, v) => r.Write(w, v), OffsetCommitResponse.Read, cancellationToken);

    public Task<DeleteGroupsResponse> DeleteGroupsAsync(DeleteGroupsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.DeleteGroups, Versions.DeleteGroups, request, static (r, w, v) => r.Write(w, v), DeleteGroupsResponse.Read, cancellationToken);

    public Task<AlterPartitionReassignmentsResponse> AlterPartitionReassignmentsAsync(AlterPartitionReassignmentsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.AlterPartitionReassignments, Versions.AlterPartitionReassignments, request, static (r, w, v) => r.Write(w, v), AlterPartitionReassignmentsResponse.Read, cancellationToken);

    public Task<ListPartitionReassignmentsResponse> ListPartitionReassignmentsAsync(ListPartitionReassignmentsRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(ApiKey.ListPartitionReassignments, Versions.ListPartitionReassignments, request, static (r, w, v) => r.Write(w, v), ListPartitionReassignmentsResponse.Read, cancellationToken);

    /// <summary>
    /// The offset ListOffsets gives for one partition at <paramref name="timestamp"/> (-2 earliest, -1 latest);
    /// a Kafka error fails the command.
    /// </summary>
    public async Task<long> ListOffsetAsync(string topic, int partition, long timestamp, CancellationToken cancellationToken = default)
    {
        var response = await ListOffsetsAsync(new ListOffsetsRequest
        {
            ReplicaId = -1,
            Topics =
            [
                new ListOffsetsRequest.ListOffsetsTopic
                {
                    Name = topic,
                    Partitions = [new ListOffsetsRequest.ListOffsetsPartition { PartitionIndex = partition, Timestamp = timestamp }],
                },
            ],
        }, cancellationToken).ConfigureAwait(false);
        var result = response.Topics.SelectMany(t => t.Partitions).FirstOrDefault(p => p.PartitionIndex == partition)
            ?? throw new CommandFailedException($"The broker's ListOffsets response has no entry for {topic}-{partition}.");
        KafkaErrors.ThrowIfError(result.ErrorCode, null, $"listing offsets of {topic}-{partition}");
        return result.Offset;
    }

    public static string Unreachable(string bootstrap, string reason) =>
        $"cannot reach a broker at {bootstrap}: {reason}; is `actorbroker run` running? (use --bootstrap HOST:PORT for another address)";

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}

/// <summary>The special timestamps of ListOffsets.</summary>
public static class ListOffsetsTimestamp
{
    public const long Latest = -1;
    public const long Earliest = -2;
}
