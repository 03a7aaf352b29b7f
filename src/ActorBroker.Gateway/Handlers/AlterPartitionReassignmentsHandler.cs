using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// AlterPartitionReassignments v0: starts, redirects or (null replicas) cancels partition reassignments through the
/// controller, which answers each partition (INVALID_REPLICA_ASSIGNMENT, UNKNOWN_TOPIC_OR_PARTITION,
/// NO_REASSIGNMENT_IN_PROGRESS). The reply comes once the reassignments are recorded; the data copy and the switch
/// follow (ListPartitionReassignments shows them until done).
/// </summary>
public sealed class AlterPartitionReassignmentsHandler : RequestHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>
{
    public override ApiKey Key => ApiKey.AlterPartitionReassignments;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override AlterPartitionReassignmentsRequest Read(ref KafkaReader reader, short version) => AlterPartitionReassignmentsRequest.Read(ref reader, version);

    protected override void Write(AlterPartitionReassignmentsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<AlterPartitionReassignmentsResponse?> HandleAsync(RequestContext context, AlterPartitionReassignmentsRequest request, CancellationToken cancellationToken)
    {
        var partitions = request.Topics
            .SelectMany(t => t.Partitions.Select(p => new ReassignPartition(new TopicPartition(t.Name, p.PartitionIndex), p.Replicas)))
            .ToList();
        var result = await context.Broker.AskRegistryAsync<AlterReassignmentsResult>(new AlterReassignments(partitions), cancellationToken).ConfigureAwait(false);
        foreach (var topic in request.Topics)
            context.TopicCache.Forget(topic.Name);
        return new AlterPartitionReassignmentsResponse
        {
            ErrorCode = (short)ErrorCode.None,
            ErrorMessage = null,
            Responses = result.Partitions
                .GroupBy(o => o.Partition.Topic)
                .Select(topic => new AlterPartitionReassignmentsResponse.ReassignableTopicResponse
                {
                    Name = topic.Key,
                    Partitions = topic.Select(o => new AlterPartitionReassignmentsResponse.ReassignablePartitionResponse
                    {
                        PartitionIndex = o.Partition.Partition,
                        ErrorCode = (short)o.Error,
                        ErrorMessage = o.ErrorMessage,
                    }).ToList(),
                })
                .ToList(),
        };
    }
}
