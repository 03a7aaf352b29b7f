using ActorBroker.Cluster.Membership;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// Metadata v0–v8: every live broker of the cluster (<see cref="ClusterBrokers"/>), the controller (the node hosting
/// the topic registry), and the topics asked for (every topic when the list is null, or empty in v0) with each
/// partition's leader, epoch, replicas and ISR as the controller placed them. Unknown topics are created when the request allows it (always before
/// v4) and <c>actorbroker.auto-create-topics</c> is on.
/// </summary>
public sealed class MetadataHandler : RequestHandler<MetadataRequest, MetadataResponse>
{
    public override ApiKey Key => ApiKey.Metadata;
    public override short MinVersion => 0;
    public override short MaxVersion => 8;

    protected override MetadataRequest Read(ref KafkaReader reader, short version) => MetadataRequest.Read(ref reader, version);

    protected override void Write(MetadataResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<MetadataResponse?> HandleAsync(RequestContext context, MetadataRequest request, CancellationToken cancellationToken)
    {
        bool allTopics = request.Topics is null || (context.ApiVersion == 0 && request.Topics.Count == 0);
        IReadOnlyList<string>? names = allTopics ? null : request.Topics!.Select(t => t.Name ?? "").ToList();
        bool autoCreate = context.ApiVersion < 4 || request.AllowAutoTopicCreation;
        var topics = names is { Count: 0 }
            ? []
            : (await context.DescribeTopicsAsync(names, autoCreate, cancellationToken).ConfigureAwait(false)).Topics;

        var settings = context.Settings;
        return new MetadataResponse
        {
            Brokers = ClusterBrokers.Live(context)
                .Select(b => new MetadataResponse.MetadataResponseBroker { NodeId = b.NodeId, Host = b.Host, Port = b.Port })
                .ToList(),
            ClusterId = settings.ClusterId,
            ControllerId = ClusterBrokers.ControllerId(context),
            Topics = topics.Select(t => TopicMetadata(t, context.Broker.Brokers.Current)).ToList(),
        };
    }

    private static MetadataResponse.MetadataResponseTopic TopicMetadata(TopicLookup lookup, BrokerView brokers) => new()
    {
        ErrorCode = (short)lookup.Error,
        Name = lookup.Name,
        TopicId = lookup.Topic?.TopicId ?? Guid.Empty,
        Partitions = lookup.Topic is null
            ? []
            : lookup.Topic.Assignments.Select((a, p) => new MetadataResponse.MetadataResponsePartition
            {
                ErrorCode = (short)lookup.Topic.Availability(p),
                PartitionIndex = p,
                LeaderId = a.Leader,
                LeaderEpoch = a.LeaderEpoch,
                ReplicaNodes = [.. a.Replicas],
                IsrNodes = [.. a.Isr],
                OfflineReplicas = a.Replicas.Where(r => brokers.ByNodeId(r) is not { IsLive: true }).ToList(),
            }).ToList(),
    };
}
