using ActorBroker.Cluster;
using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>OffsetFetch v0–v7: committed offsets of the partitions asked for (-1 when none), or of every
/// partition the group has committed when the topic list is null (v2+).</summary>
public sealed class OffsetFetchHandler : RequestHandler<OffsetFetchRequest, OffsetFetchResponse>
{
    public override ApiKey Key => ApiKey.OffsetFetch;
    public override short MinVersion => 0;
    public override short MaxVersion => 7;

    protected override OffsetFetchRequest Read(ref KafkaReader reader, short version) => OffsetFetchRequest.Read(ref reader, version);

    protected override void Write(OffsetFetchResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<OffsetFetchResponse?> HandleAsync(RequestContext context, OffsetFetchRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId == "")
            return new OffsetFetchResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        var partitions = request.Topics?
            .SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartition(t.Name, p)))
            .ToList();
        var result = await context.Broker.AskGroupAsync<FetchOffsetsResult>(new FetchOffsets(request.GroupId, partitions), cancellationToken).ConfigureAwait(false);
        return new OffsetFetchResponse
        {
            ErrorCode = (short)result.Error,
            Topics = result.Offsets
                .GroupBy(o => o.Partition.Topic, (topic, offsets) => new OffsetFetchResponse.OffsetFetchResponseTopic
                {
                    Name = topic,
                    Partitions = offsets.Select(o => new OffsetFetchResponse.OffsetFetchResponsePartition
                    {
                        PartitionIndex = o.Partition.Partition,
                        CommittedOffset = o.Offset?.Offset ?? -1,
                        CommittedLeaderEpoch = o.Offset?.LeaderEpoch ?? -1,
                        Metadata = o.Offset is null ? "" : o.Offset.Metadata,
                        ErrorCode = 0,
                    }).ToList(),
                })
                .ToList(),
        };
    }
}
