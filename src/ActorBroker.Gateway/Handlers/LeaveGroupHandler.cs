using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>LeaveGroup v0–v3 (v3 leaves several members at once, each with its own error).</summary>
public sealed class LeaveGroupHandler : RequestHandler<LeaveGroupRequest, LeaveGroupResponse>
{
    public override ApiKey Key => ApiKey.LeaveGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override LeaveGroupRequest Read(ref KafkaReader reader, short version) => LeaveGroupRequest.Read(ref reader, version);

    protected override void Write(LeaveGroupResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<LeaveGroupResponse?> HandleAsync(RequestContext context, LeaveGroupRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId == "")
            return new LeaveGroupResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        var members = context.ApiVersion >= 3
            ? request.Members.Select(m => new LeavingMember(m.MemberId, m.GroupInstanceId)).ToList()
            : [new LeavingMember(request.MemberId, null)];
        var result = await context.Broker.AskGroupAsync<LeaveGroupResult>(new LeaveGroup(request.GroupId, members), cancellationToken).ConfigureAwait(false);
        return new LeaveGroupResponse
        {
            ErrorCode = (short)(context.ApiVersion >= 3 && result.Error != ErrorCode.CoordinatorNotAvailable ? ErrorCode.None : result.Error),
            Members = result.Members
                .Select(m => new LeaveGroupResponse.MemberResponse { MemberId = m.Member.MemberId, GroupInstanceId = m.Member.GroupInstanceId, ErrorCode = (short)m.Error })
                .ToList(),
        };
    }
}
