using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// FindCoordinator v0–v3 for consumer groups: the coordinator is the node hosting the group's entity, which on a
/// single node is this node. Transaction coordinators (key type 1) are not available: transactions are not served.
/// </summary>
public sealed class FindCoordinatorHandler : RequestHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKeyType = 0;

    public override ApiKey Key => ApiKey.FindCoordinator;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override FindCoordinatorRequest Read(ref KafkaReader reader, short version) => FindCoordinatorRequest.Read(ref reader, version);

    protected override void Write(FindCoordinatorResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override Task<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        var settings = context.Settings;
        var response = request.KeyType != GroupKeyType
            ? new FindCoordinatorResponse
            {
                ErrorCode = (short)ErrorCode.CoordinatorNotAvailable,
                ErrorMessage = "Transactions are not supported by this broker.",
                NodeId = -1,
                Host = "",
                Port = -1,
            }
            : new FindCoordinatorResponse { NodeId = settings.NodeId, Host = settings.AdvertisedHost, Port = settings.AdvertisedPort };
        return Task.FromResult<FindCoordinatorResponse?>(response);
    }
}
