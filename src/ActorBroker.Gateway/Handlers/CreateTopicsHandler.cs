using System.Collections.Immutable;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// CreateTopics v0–v4 through the topic registry. A manual replica assignment is accepted when it places every
/// partition on this node alone (the only broker); a topic named twice in one request fails as INVALID_REQUEST,
/// as in Kafka.
/// </summary>
public sealed class CreateTopicsHandler : RequestHandler<CreateTopicsRequest, CreateTopicsResponse>
{
    public override ApiKey Key => ApiKey.CreateTopics;
    public override short MinVersion => 0;
    public override short MaxVersion => 4;

    protected override CreateTopicsRequest Read(ref KafkaReader reader, short version) => CreateTopicsRequest.Read(ref reader, version);

    protected override void Write(CreateTopicsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<CreateTopicsResponse?> HandleAsync(RequestContext context, CreateTopicsRequest request, CancellationToken cancellationToken)
    {
        var duplicates = request.Topics.GroupBy(t => t.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet();
        var results = new List<CreateTopicsResponse.CreatableTopicResult>();
        foreach (var topic in request.Topics)
        {
            if (duplicates.Contains(topic.Name))
            {
                results.Add(Result(topic.Name, ErrorCode.InvalidRequest, $"Topic '{topic.Name}' appears more than once in the request."));
                continue;
            }
            if (ValidateAssignments(topic, context.Settings.NodeId) is { } assignmentError)
            {
                results.Add(Result(topic.Name, ErrorCode.InvalidReplicaAssignment, assignmentError));
                continue;
            }
            int partitions = topic.Assignments.Count > 0 ? topic.Assignments.Count : topic.NumPartitions;
            short replicationFactor = topic.Assignments.Count > 0 ? (short)1 : topic.ReplicationFactor;
            var configs = topic.Configs
                .Where(c => c.Value is not null)
                .ToImmutableSortedDictionary(c => c.Name, c => c.Value!);
            var created = await context.Broker.AskRegistryAsync<CreateTopicResult>(
                new CreateTopic(topic.Name, partitions, replicationFactor, configs, request.validateOnly), cancellationToken).ConfigureAwait(false);
            results.Add(Result(topic.Name, created.Error, created.ErrorMessage));
        }
        return new CreateTopicsResponse { Topics = results };
    }

    private static string? ValidateAssignments(CreateTopicsRequest.CreatableTopic topic, int nodeId)
    {
        if (topic.Assignments.Count == 0)
            return null;
        if (topic.NumPartitions != -1 || topic.ReplicationFactor != -1)
            return "With a manual replica assignment, the number of partitions and the replication factor must be -1.";
        var indexes = topic.Assignments.Select(a => a.PartitionIndex).OrderBy(i => i).ToList();
        if (!indexes.SequenceEqual(Enumerable.Range(0, indexes.Count)))
            return "Manual replica assignment must name partitions 0..N-1, each once.";
        if (topic.Assignments.Any(a => a.BrokerIds.Count != 1 || a.BrokerIds[0] != nodeId))
            return $"Every partition must be assigned to broker {nodeId}, the only broker of this single-node cluster.";
        return null;
    }

    private static CreateTopicsResponse.CreatableTopicResult Result(string name, ErrorCode error, string? message) => new()
    {
        Name = name,
        ErrorCode = (short)error,
        ErrorMessage = message,
    };
}
