using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>SyncGroup v0–v3: the leader hands in the assignment; every member waits for its share.</summary>
public sealed class SyncGroupHandler : RequestHandler<SyncGroupRequest, SyncGroupResponse>
{
    private static readonly TimeSpan SyncWait = TimeSpan.FromMinutes(5);

    public override ApiKey Key => ApiKey.SyncGroup;
    public override short MinVersion => 0;
    public override short MaxVersion => 3;

    protected override SyncGroupRequest Read(ref KafkaReader reader, short version) => SyncGroupRequest.Read(ref reader, version);

    protected override void Write(SyncGroupResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<SyncGroupResponse?> HandleAsync(RequestContext context, SyncGroupRequest request, CancellationToken cancellationToken)
    {
        var result = request.GroupId == ""
            ? SyncGroupResult.Failed(ErrorCode.InvalidGroupId)
            : await context.Broker.AskGroupAsync<SyncGroupResult>(
                new SyncGroup(request.GroupId, request.MemberId, request.GroupInstanceId, request.GenerationId, request.ProtocolType, request.ProtocolName,
                    request.Assignments.Select(a => new MemberAssignment(a.MemberId, a.Assignment)).ToList()),
                cancellationToken, SyncWait).ConfigureAwait(false);
        return new SyncGroupResponse
        {
            ErrorCode = (short)result.Error,
            ProtocolType = result.ProtocolType,
            ProtocolName = result.ProtocolName,
            Assignment = result.Assignment,
        };
    }
}
