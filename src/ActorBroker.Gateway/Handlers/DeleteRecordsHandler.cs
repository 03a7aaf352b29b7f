using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// DeleteRecords v0–v2: moves each partition's log start offset (low watermark) up to the given offset (-1: the
/// high watermark). Whole segments below it are deleted; reads below it get OFFSET_OUT_OF_RANGE.
/// </summary>
public sealed class DeleteRecordsHandler : RequestHandler<DeleteRecordsRequest, DeleteRecordsResponse>
{
    public override ApiKey Key => ApiKey.DeleteRecords;
    public override short MinVersion => 0;
    public override short MaxVersion => 2;

    protected override DeleteRecordsRequest Read(ref KafkaReader reader, short version) => DeleteRecordsRequest.Read(ref reader, version);

    protected override void Write(DeleteRecordsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<DeleteRecordsResponse?> HandleAsync(RequestContext context, DeleteRecordsRequest request, CancellationToken cancellationToken)
    {
        var topics = await context.LookUpTopicsAsync(request.Topics.Select(t => t.Name), autoCreate: false, cancellationToken).ConfigureAwait(false);
        var timeout = TimeSpan.FromMilliseconds(Math.Max(request.TimeoutMs, 1000));
        var results = await Task.WhenAll(request.Topics.Select(async topic => new DeleteRecordsResponse.DeleteRecordsTopicResult
        {
            Name = topic.Name,
            Partitions = (await Task.WhenAll(topic.Partitions.Select(async p =>
            {
                var known = topics[topic.Name].Topic;
                var result = known is not null && p.PartitionIndex >= 0 && p.PartitionIndex < known.PartitionCount
                    ? await context.Broker.AskPartitionAsync<DeleteRecordsResult>(
                        new DeleteRecordsBefore(new TopicPartition(topic.Name, p.PartitionIndex), p.Offset), timeout, cancellationToken).ConfigureAwait(false)
                    : new DeleteRecordsResult(ErrorCode.UnknownTopicOrPartition, -1);
                return new DeleteRecordsResponse.DeleteRecordsPartitionResult
                {
                    PartitionIndex = p.PartitionIndex,
                    LowWatermark = result.LowWatermark,
                    ErrorCode = (short)result.Error,
                };
            })).ConfigureAwait(false)).ToList(),
        })).ConfigureAwait(false);
        return new DeleteRecordsResponse { Topics = results.ToList() };
    }
}
