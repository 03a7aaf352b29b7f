using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// ListOffsets v1–v5: timestamp -2 is the log start offset (earliest), -1 the high watermark (latest), anything
/// else the first offset whose record timestamp is at least that timestamp (-1 when there is none).
/// </summary>
public sealed class ListOffsetsHandler : RequestHandler<ListOffsetsRequest, ListOffsetsResponse>
{
    public const long Latest = -1;
    public const long Earliest = -2;
    private static readonly TimeSpan PartitionTimeout = TimeSpan.FromSeconds(30);

    public override ApiKey Key => ApiKey.ListOffsets;
    public override short MinVersion => 1;
    public override short MaxVersion => 5;

    protected override ListOffsetsRequest Read(ref KafkaReader reader, short version) => ListOffsetsRequest.Read(ref reader, version);

    protected override void Write(ListOffsetsResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<ListOffsetsResponse?> HandleAsync(RequestContext context, ListOffsetsRequest request, CancellationToken cancellationToken)
    {
        var topics = await context.LookUpTopicsAsync(request.Topics.Select(t => t.Name), autoCreate: false, cancellationToken).ConfigureAwait(false);
        var responses = await Task.WhenAll(request.Topics.Select(async topic =>
        {
            var lookup = topics[topic.Name];
            var partitions = await Task.WhenAll(topic.Partitions.Select(p =>
                lookup.Topic is { } t && p.PartitionIndex >= 0 && p.PartitionIndex < t.PartitionCount
                    ? ListAsync(context.Broker, new TopicPartition(topic.Name, p.PartitionIndex), p.Timestamp, cancellationToken)
                    : Task.FromResult(Failed(p.PartitionIndex, lookup.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : lookup.Error))))
                .ConfigureAwait(false);
            return new ListOffsetsResponse.ListOffsetsTopicResponse { Name = topic.Name, Partitions = partitions.ToList() };
        })).ConfigureAwait(false);
        return new ListOffsetsResponse { Topics = responses.ToList() };
    }

    private static async Task<ListOffsetsResponse.ListOffsetsPartitionResponse> ListAsync(
        BrokerServices broker, TopicPartition partition, long timestamp, CancellationToken cancellationToken)
    {
        if (timestamp is Latest or Earliest)
        {
            var state = await broker.AskPartitionAsync<PartitionStateResult>(new GetPartitionState(partition), PartitionTimeout, cancellationToken).ConfigureAwait(false);
            if (state.Error != ErrorCode.None)
                return Failed(partition.Partition, state.Error);
            return new ListOffsetsResponse.ListOffsetsPartitionResponse
            {
                PartitionIndex = partition.Partition,
                Timestamp = -1,
                Offset = timestamp == Latest ? state.HighWatermark : state.LogStartOffset,
                LeaderEpoch = state.LeaderEpoch,
            };
        }
        if (timestamp < 0)
            return Failed(partition.Partition, ErrorCode.InvalidRequest);
        var found = await broker.AskPartitionAsync<FindOffsetForTimestampResult>(new FindOffsetForTimestamp(partition, timestamp), PartitionTimeout, cancellationToken).ConfigureAwait(false);
        return new ListOffsetsResponse.ListOffsetsPartitionResponse
        {
            PartitionIndex = partition.Partition,
            ErrorCode = (short)found.Error,
            Timestamp = found.Timestamp,
            Offset = found.Offset,
            LeaderEpoch = found.LeaderEpoch,
        };
    }

    private static ListOffsetsResponse.ListOffsetsPartitionResponse Failed(int partition, ErrorCode error) => new()
    {
        PartitionIndex = partition,
        ErrorCode = (short)error,
        Timestamp = -1,
        Offset = -1,
        LeaderEpoch = -1,
    };
}
