using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>DeleteGroups v0–v2: deletes empty groups with their offsets (NON_EMPTY_GROUP while members remain).</summary>
public sealed class DeleteGroupsHandler : RequestHandler<DeleteGroupsRequest, DeleteGroupsResponse>
{
    public override ApiKey Key => ApiKey.DeleteGroups;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override DeleteGroupsRequest Read(ref KafkaReader reader, short version) => DeleteGroupsRequest.Read(ref reader, version);

    protected override void Write(DeleteGroupsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<DeleteGroupsResponse?> HandleAsync(RequestContext context, DeleteGroupsRequest request, CancellationToken cancellationToken)
    {
        var results = await Task.WhenAll(request.GroupsNames.Select(async group => new DeleteGroupsResponse.DeletableGroupResult
        {
            GroupId = group,
            ErrorCode = (short)(group == ""
                ? ErrorCode.InvalidGroupId
                : (await context.Broker.AskGroupAsync<DeleteGroupResult>(new DeleteGroup(group), cancellationToken).ConfigureAwait(false)).Error),
        })).ConfigureAwait(false);
        return new DeleteGroupsResponse { Results = results.ToList() };
    }
}
