using ActorBroker.Cluster;
using ActorBroker.Cluster.Groups;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>OffsetDelete v0: deletes committed offsets of partitions the group no longer subscribes to.</summary>
public sealed class OffsetDeleteHandler : RequestHandler<OffsetDeleteRequest, OffsetDeleteResponse>
{
    public override ApiKey Key => ApiKey.OffsetDelete;
    public override short MinVersion => 0;
    public override short MaxVersion => 0;

    protected override OffsetDeleteRequest Read(ref KafkaReader reader, short version) => OffsetDeleteRequest.Read(ref reader, version);

    protected override void Write(OffsetDeleteResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<OffsetDeleteResponse?> HandleAsync(RequestContext context, OffsetDeleteRequest request, CancellationToken cancellationToken)
    {
        if (request.GroupId == "")
            return new OffsetDeleteResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        var partitions = request.Topics.SelectMany(t => t.Partitions.Select(p => new TopicPartition(t.Name, p.PartitionIndex))).ToList();
        var result = await context.Broker.AskGroupAsync<DeleteOffsetsResult>(new DeleteOffsets(request.GroupId, partitions), cancellationToken).ConfigureAwait(false);
        var errors = result.Partitions.ToDictionary(p => p.Partition, p => p.Error);
        return new OffsetDeleteResponse
        {
            ErrorCode = (short)result.Error,
            Topics = result.Error != ErrorCode.None ? [] : request.Topics.Select(t => new OffsetDeleteResponse.OffsetDeleteResponseTopic
            {
                Name = t.Name,
                Partitions = t.Partitions.Select(p => new OffsetDeleteResponse.OffsetDeleteResponsePartition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)errors.GetValueOrDefault(new TopicPartition(t.Name, p.PartitionIndex)),
                }).ToList(),
            }).ToList(),
        };
    }
}
