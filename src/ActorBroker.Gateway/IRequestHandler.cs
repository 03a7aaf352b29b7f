using ActorBroker.Protocol;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway;

/// <summary>Serves one Kafka API over a version range.</summary>
public interface IRequestHandler
{
    ApiKey Key { get; }
    short MinVersion { get; }
    short MaxVersion { get; }

    /// <summary>
    /// Decodes the request body, serves it, and returns the response body's writer, or null when the request
    /// gets no response (Produce with acks=0).
    /// </summary>
    Task<Action<KafkaWriter>?> HandleAsync(RequestContext context, KafkaReader body, CancellationToken cancellationToken);
}

/// <summary>
/// The usual shape of a handler: decode with the generated <typeparamref name="TRequest"/>, serve, and encode the
/// generated <typeparamref name="TResponse"/> in the request's version.
/// </summary>
public abstract class RequestHandler<TRequest, TResponse> : IRequestHandler
    where TResponse : class
{
    public abstract ApiKey Key { get; }
    public abstract short MinVersion { get; }
    public abstract short MaxVersion { get; }

    protected abstract TRequest Read(ref KafkaReader reader, short version);

    protected abstract void Write(TResponse response, KafkaWriter writer, short version);

    protected abstract Task<TResponse?> HandleAsync(RequestContext context, TRequest request, CancellationToken cancellationToken);

    public async Task<Action<KafkaWriter>?> HandleAsync(RequestContext context, KafkaReader body, CancellationToken cancellationToken)
    {
        short version = context.ApiVersion;
        var request = Read(ref body, version);
        var response = await HandleAsync(context, request, cancellationToken).ConfigureAwait(false);
        return response is null ? null : writer => Write(response, writer, version);
    }
}
