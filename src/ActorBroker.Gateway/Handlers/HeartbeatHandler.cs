using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>Heartbeat v0–v3: keeps a member's session alive and tells it when a rebalance is under way.</summary>
public sealed class HeartbeatHandler : RequestHandler<HeartbeatRequest, HeartbeatResponse>
{
    public override ApiKey Key => ApiKey.Heartbeat;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override HeartbeatRequest Read(ref KafkaReader reader, short version) => HeartbeatRequest.Read(ref reader, version);

    protected override void Write(HeartbeatResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<HeartbeatResponse?> HandleAsync(RequestContext context, HeartbeatRequest request, CancellationToken cancellationToken)
    {
        var result = request.GroupId == ""
            ? new HeartbeatResult(ErrorCode.InvalidGroupId)
            : await context.Broker.AskGroupAsync<HeartbeatResult>(
                new Heartbeat(request.GroupId, request.MemberId, request.GroupInstanceId, request.GenerationId), cancellationToken).ConfigureAwait(false);
        return new HeartbeatResponse { ErrorCode = (short)result.Error };
    }
}
