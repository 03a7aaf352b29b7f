using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Messages;
using ActorBroker.Protocol.Primitives;

namespace ActorBroker.Gateway.Handlers;

/// <summary>
/// Fetch v4–v11. Reads whole batches from each partition in request order, within each partition's max bytes and
/// the request's max bytes (the first partition with data returns at least one batch, however large, so a consumer
/// always progresses). When fewer than min_bytes are available it long-polls: it waits until a partition's log
/// grows or max_wait_ms passes, then reads again. Fetch sessions are declined (session id 0: every fetch is full).
/// </summary>
public sealed class FetchHandler : RequestHandler<FetchRequest, FetchResponse>
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    public override ApiKey Key => ApiKey.Fetch;
    public override short MinVersion => 4;
    public override short MaxVersion => 11;

    protected override FetchRequest Read(ref KafkaReader reader, short version) => FetchRequest.Read(ref reader, version);

    protected override void Write(FetchResponse response, KafkaWriter writer, short version) => response.Write(writer, version);

    protected override async Task<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request, CancellationToken cancellationToken)
    {
        var maxWait = TimeSpan.FromMilliseconds(Math.Clamp(request.MaxWaitMs, 0, (int)context.Settings.MaxFetchWait.TotalMilliseconds));
        var deadline = DateTime.UtcNow + maxWait;
        var topics = await context.LookUpTopicsAsync(request.Topics.Select(t => t.Topic), autoCreate: false, cancellationToken).ConfigureAwait(false);
        var wanted = request.Topics
            .SelectMany(t => t.Partitions.Select(p => new Wanted(t.Topic, p, KnownPartition(context, topics, t.Topic, p.Partition))))
            .ToList();

        while (true)
        {
            var read = await ReadAllAsync(context.Broker, request, wanted, cancellationToken).ConfigureAwait(false);
            long bytes = read.Sum(r => (long)(r.Data.Records?.Length ?? 0));
            bool anyError = read.Any(r => r.Data.ErrorCode != 0);
            if (bytes >= request.MinBytes || anyError || DateTime.UtcNow >= deadline)
                return Response(read);
            await AwaitAnyAppendAsync(context.Broker, wanted, deadline, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed record Wanted(string Topic, FetchRequest.FetchPartition Request, ErrorCode LookupError);

    private static ErrorCode KnownPartition(RequestContext context, IReadOnlyDictionary<string, Cluster.Topics.TopicLookup> topics, string topic, int partition)
    {
        var lookup = topics[topic];
        if (lookup.Topic is null)
            return lookup.Error == ErrorCode.None ? ErrorCode.UnknownTopicOrPartition : lookup.Error;
        return PartitionRouting.Check(context, lookup.Topic, partition);
    }

    private static async Task<List<(string Topic, FetchResponse.PartitionData Data)>> ReadAllAsync(
        BrokerServices broker, FetchRequest request, List<Wanted> wanted, CancellationToken cancellationToken)
    {
        var results = new List<(string, FetchResponse.PartitionData)>(wanted.Count);
        long budget = request.MaxBytes;
        foreach (var partition in wanted)
        {
            if (partition.LookupError != ErrorCode.None)
            {
                results.Add((partition.Topic, Failed(partition.Request.Partition, partition.LookupError)));
                continue;
            }
            int maxBytes = (int)Math.Min(partition.Request.PartitionMaxBytes, Math.Max(budget, 0));
            bool first = budget == request.MaxBytes;
            ReadBatchesResult read;
            try
            {
                read = await broker.AskPartitionAsync<ReadBatchesResult>(
                    new ReadBatches(new TopicPartition(partition.Topic, partition.Request.Partition), partition.Request.FetchOffset, maxBytes, MinOneBatch: first),
                    ReadTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Akka.Actor.AskTimeoutException)
            {
                // The partition is moving to another node: the client retries after refreshing its metadata.
                results.Add((partition.Topic, Failed(partition.Request.Partition, ErrorCode.NotLeaderOrFollower)));
                continue;
            }
            budget -= read.Records.Length;
            results.Add((partition.Topic, new FetchResponse.PartitionData
            {
                PartitionIndex = partition.Request.Partition,
                ErrorCode = (short)read.Error,
                HighWatermark = read.HighWatermark,
                LastStableOffset = read.HighWatermark,
                LogStartOffset = read.LogStartOffset,
                AbortedTransactions = read.Error == ErrorCode.None ? [] : null,
                PreferredReadReplica = -1,
                Records = read.Records,
            }));
        }
        return results;
    }

    /// <summary>Waits until any wanted partition's log end passes its fetch offset, or the deadline.</summary>
    private static async Task AwaitAnyAppendAsync(BrokerServices broker, List<Wanted> wanted, DateTime deadline, CancellationToken cancellationToken)
    {
        var remaining = deadline - DateTime.UtcNow;
        if (remaining <= TimeSpan.Zero)
            return;
        using var anyAdvanced = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = wanted
            .Where(w => w.LookupError == ErrorCode.None)
            .Select(w => broker.AskPartitionAsync<LogAdvanced>(
                new AwaitLogEnd(new TopicPartition(w.Topic, w.Request.Partition), w.Request.FetchOffset, deadline),
                remaining + TimeSpan.FromSeconds(5), anyAdvanced.Token))
            .ToList();
        waits.Add(Task.Delay(remaining, anyAdvanced.Token).ContinueWith(_ => new LogAdvanced(default, -1), TaskScheduler.Default));
        await Task.WhenAny(waits).ConfigureAwait(false);
        anyAdvanced.Cancel();
    }

    private static FetchResponse Response(List<(string Topic, FetchResponse.PartitionData Data)> read) => new()
    {
        ErrorCode = 0,
        SessionId = 0,
        Responses = read
            .GroupBy(r => r.Topic, (topic, partitions) => new FetchResponse.FetchableTopicResponse
            {
                Topic = topic,
                Partitions = partitions.Select(p => p.Data).ToList(),
            })
            .ToList(),
    };

    private static FetchResponse.PartitionData Failed(int partition, ErrorCode error) => new()
    {
        PartitionIndex = partition,
        ErrorCode = (short)error,
        HighWatermark = -1,
        LastStableOffset = -1,
        LogStartOffset = -1,
        PreferredReadReplica = -1,
        Records = ReadOnlyMemory<byte>.Empty,
    };
}
