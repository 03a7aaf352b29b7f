using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>DescribeGroups v0–v4: state, protocol and members (metadata and assignment once Stable); an unknown
/// group is reported as "Dead" with no error, as Kafka does in these versions.</summary>
public sealed class DescribeGroupsHandler : RequestHandler<DescribeGroupsRequest, DescribeGroupsResponse>
{
    public override ApiKey Key => ApiKey.DescribeGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override DescribeGroupsRequest Read(ref KafkaReader reader, short version) => DescribeGroupsRequest.Read(ref reader, version);

    protected override void Write(DescribeGroupsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<DescribeGroupsResponse?> HandleAsync(RequestContext context, DescribeGroupsRequest request, CancellationToken cancellationToken)
    {
        var described = await Task.WhenAll(request.Groups.Select(group => group == ""
            ? Task.FromResult(new GroupDescription(ErrorCode.InvalidGroupId, group, "", "", "", []))
            : context.Broker.AskGroupAsync<GroupDescription>(new DescribeGroup(group), cancellationToken))).ConfigureAwait(false);
        return new DescribeGroupsResponse { Groups = described.Select(Describe).ToList() };
    }

    public static DescribeGroupsResponse.DescribedGroup Describe(GroupDescription group) => new()
    {
        ErrorCode = (short)group.Error,
        GroupId = group.GroupId,
        GroupState = group.State,
        ProtocolType = group.ProtocolType,
        ProtocolData = group.Protocol,
        Members = group.Members.Select(m => new DescribeGroupsResponse.DescribedGroupMember
        {
            MemberId = m.MemberId,
            GroupInstanceId = m.GroupInstanceId,
            ClientId = m.ClientId,
            ClientHost = m.ClientHost,
            MemberMetadata = m.Metadata,
            MemberAssignment = m.Assignment,
        }).ToList(),
    };
}
