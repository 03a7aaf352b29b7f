using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>ApiVersions v0–v3: the API keys and version ranges this broker serves.</summary>
public sealed class ApiVersionsHandler(Func<IEnumerable<IRequestHandler>> servedApis)
    : RequestHandler<ApiVersionsRequest, ApiVersionsResponse>
{
    public override ApiKey Key => ApiKey.ApiVersions;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override ApiVersionsRequest Read(ref KafkaReader reader, short version) => ApiVersionsRequest.Read(ref reader, version);

    protected override void Write(ApiVersionsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override Task<ApiVersionsResponse?> HandleAsync(RequestContext context, ApiVersionsRequest request, CancellationToken cancellationToken) =>
        Task.FromResult<ApiVersionsResponse?>(Response(ErrorCode.None, servedApis()));

    /// <summary>The reply to an ApiVersions request in a version this broker does not serve (sent as v0).</summary>
    public static ApiVersionsResponse UnsupportedVersionResponse(IEnumerable<IRequestHandler> served) =>
        Response(ErrorCode.UnsupportedVersion, served);

    private static ApiVersionsResponse Response(ErrorCode error, IEnumerable<IRequestHandler> served) => new()
    {
        ErrorCode = (short)error,
        ApiKeys = served
            .Select(h => new ApiVersionsResponse.ApiVersion { ApiKey = (short)h.Key, MinVersion = h.MinVersion, MaxVersion = h.MaxVersion })
            .ToList(),
    };
}
