using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>ListGroups v0–v4: every group this node coordinates, with its protocol type and (v4) state, filtered by
/// the states asked for (v4; an empty filter means all).</summary>
public sealed class ListGroupsHandler : RequestHandler<ListGroupsRequest, ListGroupsResponse>
{
    public override ApiKey Key => ApiKey.ListGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override ListGroupsRequest Read(ref KafkaReader reader, short version) => ListGroupsRequest.Read(ref reader, version);

    protected override void Write(ListGroupsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<ListGroupsResponse?> HandleAsync(RequestContext context, ListGroupsRequest request, CancellationToken cancellationToken)
    {
        var ids = await GroupDirectory.RunningGroupIdsAsync(context.Broker.Groups, GroupAsk.DefaultTimeout).ConfigureAwait(false);
        var groups = await Task.WhenAll(ids.Select(id => context.Broker.AskGroupAsync<GroupDescription>(new DescribeGroup(id), cancellationToken))).ConfigureAwait(false);
        return new ListGroupsResponse
        {
            Groups = groups
                .Where(g => g.State != nameof(GroupPhase.Dead))
                .Where(g => request.StatesFilter.Count == 0 || request.StatesFilter.Contains(g.State, StringComparer.OrdinalIgnoreCase))
                .Select(g => new ListGroupsResponse.ListedGroup { GroupId = g.GroupId, ProtocolType = g.ProtocolType, GroupState = g.State })
                .ToList(),
        };
    }
}
