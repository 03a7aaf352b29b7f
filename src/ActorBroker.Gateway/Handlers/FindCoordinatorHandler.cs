using Akka.Actor;
using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// FindCoordinator v0–v3 for consumer groups: the coordinator is the node hosting the group's sharded entity, which
/// answers <see cref="LocateGroup"/> with its actor system's address (the ask starts the entity, as Kafka's
/// coordinator exists for every group id). While the entity cannot be reached (its node was lost and the shard has
/// not moved yet) or runs on a node that is no longer a live broker, the answer is COORDINATOR_NOT_AVAILABLE and
/// clients ask again. Transaction coordinators (key type 1) are not available: transactions are not served.
/// </summary>
public sealed class FindCoordinatorHandler : RequestHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKeyType = 0;

    /// <summary>Short: a client retries COORDINATOR_NOT_AVAILABLE, and a lost node's shard moves only after it is downed.</summary>
    private static readonly TimeSpan LocateTimeout = TimeSpan.FromSeconds(5);

    public override ApiKey Key => ApiKey.FindCoordinator;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override FindCoordinatorRequest Read(ref KafkaReader reader, short version) => FindCoordinatorRequest.Read(ref reader, version);

    protected override void Write(FindCoordinatorResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request, CancellationToken cancellationToken)
    {
        if (request.KeyType != GroupKeyType)
            return NotAvailable("Transactions are not supported by this broker.");
        if (string.IsNullOrEmpty(request.KeyValue))
            return NotAvailable("The group id is empty.");
        GroupLocated located;
        try
        {
            located = await context.Broker.AskGroupAsync<GroupLocated>(new LocateGroup(request.KeyValue), cancellationToken, LocateTimeout).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return NotAvailable($"The coordinator of group '{request.KeyValue}' did not answer within {LocateTimeout.TotalSeconds} s; it may be moving to another node.");
        }
        if (ClusterBrokers.AtAddress(context, Address.Parse(located.Address)) is not { } broker)
            return NotAvailable($"The coordinator of group '{request.KeyValue}' runs on {located.Address}, which is not a live broker.");
        return new FindCoordinatorResponse { NodeId = broker.NodeId, Host = broker.Host, Port = broker.Port };
    }

    private static FindCoordinatorResponse NotAvailable(string message) => new()
    {
        ErrorCode = (short)ErrorCode.CoordinatorNotAvailable,
        ErrorMessage = message,
        NodeId = -1,
        Host = "",
        Port = -1,
    };
}
