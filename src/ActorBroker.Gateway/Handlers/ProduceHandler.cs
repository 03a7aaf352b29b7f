using System.Runtime.InteropServices;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;
using TopicLookup = ActorBroker.Cluster.Topics.TopicLookup;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// Produce v3–v8: each partition's batches go to its partition entity (wherever its leader lives: the shard region
/// forwards), all partitions in parallel. acks=0 gets no response; acks=1 is answered once the batches are in the
/// leader's log, acks=-1 once every in-sync replica has them (NOT_ENOUGH_REPLICAS below min.insync.replicas). The record bytes are the request frame's own, stamped in place by the partition.
/// </summary>
public sealed class ProduceHandler : RequestHandler<ProduceRequest, ProduceResponse>
{
    public override ApiKey Key => ApiKey.Produce;
    public override short MinVersion => 3;
    public override short MaxVersion => 8;

    protected override ProduceRequest Read(ref KafkaReader reader, short version) => ProduceRequest.Read(ref reader, version);

    protected override void Write(ProduceResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<ProduceResponse?> HandleAsync(RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var results = request.Acks is 0 or 1 or -1
            ? await AppendAllAsync(context, request, cancellationToken).ConfigureAwait(false)
            : FailAll(request, ErrorCode.InvalidRequiredAcks, $"acks must be -1, 0 or 1, but is {request.Acks}.");
        if (request.Acks == 0)
            return null;
        return new ProduceResponse
        {
            Responses = results
                .GroupBy(r => r.Topic, (topic, partitions) => new ProduceResponse.TopicProduceResponse
                {
                    Name = topic,
                    PartitionResponses = partitions.Select(r => r.Response).ToList(),
                })
                .ToList(),
        };
    }

    private static async Task<List<(string Topic, ProduceResponse.PartitionProduceResponse Response)>> AppendAllAsync(
        RequestContext context, ProduceRequest request, CancellationToken cancellationToken)
    {
        var topics = await context.LookUpTopicsAsync(request.TopicData.Select(t => t.Name), autoCreate: true, cancellationToken).ConfigureAwait(false);
        var timeout = TimeSpan.FromMilliseconds(Math.Max(request.TimeoutMs, 1000));
        bool waitForFsync = request.Acks == -1 && context.Broker.Settings.AcksAllWaitsForFsync;
        // Each append is sent to its partition before its first await, so once they are all started the connection
        // may start its next request: the partitions still see this connection's batches in order.
        var appends = request.TopicData.SelectMany(topic => topic.PartitionData.Select(async partition =>
            (topic.Name, await AppendAsync(context, topics[topic.Name], partition, request.Acks == -1, waitForFsync, timeout, cancellationToken).ConfigureAwait(false))))
            .ToList();
        context.MarkSubmitted();
        return (await Task.WhenAll(appends).ConfigureAwait(false)).ToList();
    }

    private static async Task<ProduceResponse.PartitionProduceResponse> AppendAsync(
        RequestContext context, TopicLookup topic, ProduceRequest.PartitionProduceData data, bool acksAll, bool waitForFsync, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (topic.Topic is null)
            return Failed(data.Index, topic.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : topic.Error, null);
        if (PartitionRouting.Check(context, topic.Topic, data.Index) is var unavailable and not ErrorCode.None)
        {
            context.TopicCache.Forget(topic.Name);
            return Failed(data.Index, unavailable, null);
        }
        if (data.Records is not { Length: > 0 } records)
            return Failed(data.Index, ErrorCode.CorruptMessage, "The partition's record set is empty.");
        try
        {
            // The frame buffer belongs to this request alone, so the partition may stamp offsets into it.
            var batches = MemoryMarshal.AsMemory(records);
            var partition = new TopicPartition(topic.Name, data.Index);
            var result = await PartitionRouting.AskLeaderAsync<AppendBatchesResult>(context, topic.Topic, partition,
                new AppendBatches(partition, batches, WaitForFsync: waitForFsync, AcksAll: acksAll), timeout, cancellationToken).ConfigureAwait(false);
            if (result is null)
                return Failed(data.Index, ErrorCode.NotLeaderOrFollower, $"{partition} is moving to a new leader; refresh metadata and retry.");
            if (result.Error is ErrorCode.UnknownTopicOrPartition or ErrorCode.NotLeaderOrFollower or ErrorCode.LeaderNotAvailable)
                context.TopicCache.Forget(topic.Name);
            return new ProduceResponse.PartitionProduceResponse
            {
                Index = data.Index,
                ErrorCode = (short)result.Error,
                BaseOffset = result.BaseOffset,
                LogStartOffset = result.LogStartOffset,
                LogAppendTimeMs = result.LogAppendTimeMs,
                ErrorMessage = result.ErrorMessage,
            };
        }
        catch (Exception ex) when (ex is TimeoutException or TaskCanceledException or Akka.Actor.AskTimeoutException)
        {
            // A leader change meanwhile is answered NOT_LEADER_OR_FOLLOWER by PartitionRouting as soon as it shows.
            context.TopicCache.Forget(topic.Name);
            return Failed(data.Index, ErrorCode.RequestTimedOut, $"The partition did not answer within {timeout.TotalMilliseconds} ms.");
        }
    }

    private static List<(string Topic, ProduceResponse.PartitionProduceResponse Response)> FailAll(ProduceRequest request, ErrorCode error, string message) =>
        request.TopicData
            .SelectMany(t => t.PartitionData.Select(p => (t.Name, Failed(p.Index, error, message))))
            .ToList();

    private static ProduceResponse.PartitionProduceResponse Failed(int partition, ErrorCode error, string? message) => new()
    {
        Index = partition,
        ErrorCode = (short)error,
        BaseOffset = -1,
        ErrorMessage = message,
    };
}
