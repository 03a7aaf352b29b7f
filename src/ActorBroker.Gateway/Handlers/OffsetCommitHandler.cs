using ActorBroker.Cluster;
using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// OffsetCommit v0–v7. Partitions of unknown topics fail with UNKNOWN_TOPIC_OR_PARTITION; the rest go to the
/// group's coordinator, which checks membership and generation (v0, and generation -1 with no member id, are
/// "simple" commits, accepted while the group has no members).
/// </summary>
public sealed class OffsetCommitHandler : RequestHandler<OffsetCommitRequest, OffsetCommitResponse>
{
    public override ApiKey Key => ApiKey.OffsetCommit;
    public override short MinVersion => 0;
    public override short MaxVersion => 7;

    protected override OffsetCommitRequest Read(ref KafkaReader reader, short version) => OffsetCommitRequest.Read(ref reader, version);

    protected override void Write(OffsetCommitResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<OffsetCommitResponse?> HandleAsync(RequestContext context, OffsetCommitRequest request, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<TopicPartition, ErrorCode>();
        var topics = await context.LookUpTopicsAsync(request.Topics.Select(t => t.Name), autoCreate: false, cancellationToken).ConfigureAwait(false);
        var offsets = new List<OffsetToCommit>();
        foreach (var topic in request.Topics)
        {
            foreach (var partition in topic.Partitions)
            {
                var tp = new TopicPartition(topic.Name, partition.PartitionIndex);
                if (topics[topic.Name].Topic is not { } known || partition.PartitionIndex < 0 || partition.PartitionIndex >= known.PartitionCount)
                    errors[tp] = ErrorCode.UnknownTopicOrPartition;
                else
                    offsets.Add(new OffsetToCommit(tp, partition.CommittedOffset, partition.CommittedLeaderEpoch, partition.CommittedMetadata));
            }
        }
        if (request.GroupId == "")
            offsets.ForEach(o => errors[o.Partition] = ErrorCode.InvalidGroupId);
        else if (offsets.Count > 0)
        {
            bool simple = context.ApiVersion == 0;
            var result = await context.Broker.AskGroupAsync<CommitOffsetsResult>(
                new CommitOffsets(request.GroupId, simple ? "" : request.MemberId, request.GroupInstanceId,
                    simple ? -1 : request.GenerationIdOrMemberEpoch, offsets),
                cancellationToken).ConfigureAwait(false);
            foreach (var (partition, error) in result.Partitions)
                errors[partition] = error;
        }
        return new OffsetCommitResponse
        {
            Topics = request.Topics.Select(t => new OffsetCommitResponse.OffsetCommitResponseTopic
            {
                Name = t.Name,
                Partitions = t.Partitions.Select(p => new OffsetCommitResponse.OffsetCommitResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)errors[new TopicPartition(t.Name, p.PartitionIndex)],
                }).ToList(),
            }).ToList(),
        };
    }
}
