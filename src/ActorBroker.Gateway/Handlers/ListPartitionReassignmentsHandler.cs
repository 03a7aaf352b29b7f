using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>ListPartitionReassignments v0: the reassignments in progress (of the named partitions, or all when
/// topics is null) with their replicas, adding and removing replicas, as the controller records them.</summary>
public sealed class ListPartitionReassignmentsHandler : RequestHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>
{
    public override ApiKey Key => ApiKey.ListPartitionReassignments;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override ListPartitionReassignmentsRequest Read(ref KafkaReader reader, short version) => ListPartitionReassignmentsRequest.Read(ref reader, version);

    protected override void Write(ListPartitionReassignmentsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<ListPartitionReassignmentsResponse?> HandleAsync(RequestContext context, ListPartitionReassignmentsRequest request, CancellationToken cancellationToken)
    {
        var partitions = request.Topics?
            .SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartition(t.Name, p)))
            .ToList();
        var result = await context.Broker.AskRegistryAsync<ListReassignmentsResult>(new ListReassignments(partitions), cancellationToken).ConfigureAwait(false);
        return new ListPartitionReassignmentsResponse
        {
            ErrorCode = (short)ErrorCode.None,
            ErrorMessage = null,
            Topics = result.Reassignments
                .GroupBy(r => r.Partition.Topic)
                .Select(topic => new ListPartitionReassignmentsResponse.OngoingTopicReassignment
                {
                    Name = topic.Key,
                    Partitions = topic.Select(r => new ListPartitionReassignmentsResponse.OngoingPartitionReassignment
                    {
                        PartitionIndex = r.Partition.Partition,
                        Replicas = [.. r.Replicas],
                        AddingReplicas = [.. r.Adding],
                        RemovingReplicas = [.. r.Removing],
                    }).ToList(),
                })
                .ToList(),
        };
    }
}
