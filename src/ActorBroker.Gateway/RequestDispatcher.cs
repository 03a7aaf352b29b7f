using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using Akka.Event;
using ActorBroker.Cluster;
using ActorBroker.Gateway.Handlers;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Headers;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway;

public enum DispatchOutcome
{
    /// <summary>A response frame was written to the output.</summary>
    Responded,
    /// <summary>The request gets no response (Produce with acks=0).</summary>
    NoResponse,
    /// <summary>The request cannot be served on this connection; close it (what Kafka does for these cases).</summary>
    CloseConnection,
}

/// <summary>
/// Decodes a request frame's header, picks the handler for its API and version, runs it and writes the response
/// frame (length, response header, body). Requests Kafka itself would refuse by closing the connection (unknown API
/// key, unsupported version of anything but ApiVersions, an undecodable body) close this connection only.
/// Thread-safe: it holds no per-connection state.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly Dictionary<ApiKey, IRequestHandler> _handlers;
    private readonly BrokerServices _broker;
    private readonly GatewaySettings _settings;
    private readonly ILoggingAdapter _log;
    private readonly TopicMetadataCache _topicCache;

    public RequestDispatcher(IEnumerable<IRequestHandler> handlers, BrokerServices broker, GatewaySettings settings, ILoggingAdapter log)
    {
        _topicCache = new TopicMetadataCache(settings.TopicCacheTimeToLive);
        _handlers = handlers.ToDictionary(h => h.Key);
        _broker = broker;
        _settings = settings;
        _log = log;
    }

    public IEnumerable<IRequestHandler> Handlers => _handlers.Values.OrderBy(h => h.Key);

    /// <summary>Serves one request and writes its response frame, if any, to <paramref name="output"/>.</summary>
    public async Task<DispatchOutcome> DispatchAsync(
        ReadOnlyMemory<byte> frame, EndPoint? remote, IBufferWriter<byte> output, CancellationToken cancellationToken)
    {
        var response = await Start(frame, remote, cancellationToken).Response.ConfigureAwait(false);
        response.WriteTo(output);
        return response.Outcome;
    }

    /// <summary>
    /// Starts serving one request. Its <see cref="StartedRequest.Submitted"/> completes once the request has sent
    /// everything whose order matters on to the broker's actors (a handler says so through
    /// <see cref="RequestContext.MarkSubmitted"/>, else when it is done), so that a connection may start the next
    /// request then and still have the broker see the requests in order of arrival.
    /// </summary>
    public StartedRequest Start(ReadOnlyMemory<byte> frame, EndPoint? remote, CancellationToken cancellationToken)
    {
        var reader = new KafkaReader(frame);
        RequestHeader header;
        try
        {
            header = RequestHeader.Read(ref reader);
        }
        catch (KafkaProtocolException ex)
        {
            _log.Warning("Closing connection from {0}: undecodable request header ({1})", remote, ex.Message);
            return StartedRequest.Done(DispatchedResponse.Close);
        }

        var key = (ApiKey)header.ApiKey;
        if (!_handlers.TryGetValue(key, out var handler))
        {
            _log.Warning("Closing connection from {0} (client {1}): API key {2} is not served by this broker",
                remote, header.ClientId, header.ApiKey);
            return StartedRequest.Done(DispatchedResponse.Close);
        }
        if (header.ApiVersion < handler.MinVersion || header.ApiVersion > handler.MaxVersion)
        {
            if (key == ApiKey.ApiVersions)
            {
                // Kafka answers an ApiVersions it cannot parse in v0 shape, so the client learns the ranges and retries.
                var unsupported = ApiVersionsHandler.UnsupportedVersionResponse(Handlers);
                return StartedRequest.Done(new DispatchedResponse(DispatchOutcome.Responded, header.CorrelationId, 0, writer => unsupported.Write(writer, 0)));
            }
            _log.Warning("Closing connection from {0} (client {1}): {2} v{3} is not supported (supported: v{4}-v{5})",
                remote, header.ClientId, key, header.ApiVersion, handler.MinVersion, handler.MaxVersion);
            return StartedRequest.Done(DispatchedResponse.Close);
        }

        var context = new RequestContext(header, remote, _broker, _settings, _topicCache);
        var response = ServeAsync(handler, context, reader, remote, cancellationToken);
        return new StartedRequest(response, Task.WhenAny(response, context.Submitted));
    }

    private async Task<DispatchedResponse> ServeAsync(
        IRequestHandler handler, RequestContext context, KafkaReader reader, EndPoint? remote, CancellationToken cancellationToken)
    {
        var header = context.Header;
        Action<KafkaWriter>? body;
        try
        {
            body = await handler.HandleAsync(context, reader, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaProtocolException ex)
        {
            _log.Warning("Closing connection from {0} (client {1}): malformed {2} v{3} request ({4})",
                remote, header.ClientId, handler.Key, header.ApiVersion, ex.Message);
            return DispatchedResponse.Close;
        }
        if (body is null)
            return DispatchedResponse.None;
        return new DispatchedResponse(DispatchOutcome.Responded, header.CorrelationId,
            ApiMessageTypes.ResponseHeaderVersion(handler.Key, header.ApiVersion), body);
    }

    /// <summary>Writes [int32 length][response header][body], patching the length once the body is written.</summary>
    internal static void WriteFrame(IBufferWriter<byte> output, int correlationId, short responseHeaderVersion, Action<KafkaWriter> body)
    {
        var counting = new CountingBufferWriter(output);
        var lengthSlot = output.GetMemory(4)[..4];
        output.Advance(4);
        var writer = new KafkaWriter(counting);
        new ResponseHeader(correlationId).Write(writer, responseHeaderVersion);
        body(writer);
        BinaryPrimitives.WriteInt32BigEndian(lengthSlot.Span, (int)counting.Written);
    }

    /// <summary>Counts what is written through it; the memory handed out stays valid until the output is flushed.</summary>
    private sealed class CountingBufferWriter(IBufferWriter<byte> inner) : IBufferWriter<byte>
    {
        public long Written { get; private set; }

        public void Advance(int count)
        {
            inner.Advance(count);
            Written += count;
        }

        public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
    }
}
