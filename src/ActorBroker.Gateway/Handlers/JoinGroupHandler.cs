using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>JoinGroup v0–v5. The request waits at the group's join barrier, up to the rebalance timeout.</summary>
public sealed class JoinGroupHandler : RequestHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override ApiKey Key => ApiKey.JoinGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 5;

    protected override JoinGroupRequest Read(ref KafkaReader reader, short version) => JoinGroupRequest.Read(ref reader, version);

    protected override void Write(JoinGroupResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId == "")
            return Response(JoinGroupResult.Failed(ErrorCode.InvalidGroupId, request.MemberId));
        int rebalanceTimeout = context.ApiVersion == 0 || request.RebalanceTimeoutMs < 0 ? request.SessionTimeoutMs : request.RebalanceTimeoutMs;
        var join = new JoinGroup(
            request.GroupId,
            request.MemberId,
            request.GroupInstanceId,
            context.ClientId,
            context.ClientHost(),
            request.SessionTimeoutMs,
            rebalanceTimeout,
            request.ProtocolType,
            request.Protocols.Select(p => new MemberProtocol(p.Name, p.Metadata)).ToList(),
            RequireKnownMemberId: context.ApiVersion >= 4);
        var wait = TimeSpan.FromMilliseconds(Math.Max(rebalanceTimeout, request.SessionTimeoutMs)) + GroupAsk.DefaultTimeout;
        return Response(await context.Broker.AskGroupAsync<JoinGroupResult>(join, cancellationToken, wait).ConfigureAwait(false));
    }

    private static JoinGroupResponse Response(JoinGroupResult result) => new()
    {
        ErrorCode = (short)result.Error,
        GenerationId = result.GenerationId,
        ProtocolType = result.ProtocolType,
        ProtocolName = result.ProtocolName ?? "",
        Leader = result.LeaderId,
        MemberId = result.MemberId,
        Members = result.Members
            .Select(m => new JoinGroupResponse.JoinGroupResponseMember { MemberId = m.MemberId, GroupInstanceId = m.GroupInstanceId, Metadata = m.Metadata })
            .ToList(),
    };
}
