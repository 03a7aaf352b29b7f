using System.Collections.Concurrent;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Topics;
using ActorBroker.Protocol;
using ActorBroker.Protocol.Records;

namespace ActorBroker.Client.Producing;

/// <summary>
/// Produces records straight to the partition actors. Records are partitioned like Kafka's default partitioner
/// (murmur2 of the key; sticky for keyless records), batched per partition (linger, batch-max-bytes) into ordinary
/// RecordBatch v2 batches that Kafka clients read unchanged, and acknowledged per the acks setting. Records of one
/// partition are appended in the order they were handed over. A topic that does not exist is created when the
/// brokers auto-create topics. Failures surface as <see cref="ActorBrokerException"/> (retriable ones are marked;
/// the producer does not resend, so a retry may duplicate a record whose acknowledgement was lost). Thread-safe.
/// </summary>
public sealed class ActorBrokerProducer : IAsyncDisposable
{
    private readonly ActorBrokerClient _client;
    private readonly ProducerOptions _options;
    private readonly StickyPartitioner _sticky = new();
    private readonly ConcurrentDictionary<TopicPartition, PartitionBatcher> _batchers = new();

    internal ActorBrokerProducer(ActorBrokerClient client, ProducerOptions options)
    {
        _client = client;
        _options = options;
    }

    public ProducerOptions Options => _options;

    public Task<ProduceResult> ProduceAsync(
        string topic, ReadOnlyMemory<byte>? key, ReadOnlyMemory<byte>? value, IReadOnlyList<RecordHeader>? headers = null,
        long? timestamp = null, int? partition = null, CancellationToken cancellationToken = default) =>
        ProduceAsync(topic, new ProducerRecord(key, value, headers, timestamp, partition), cancellationToken);

    /// <summary>Produces one record; completes when it is acknowledged (acks 1/all) or sent (acks 0).</summary>
    public async Task<ProduceResult> ProduceAsync(string topic, ProducerRecord record, CancellationToken cancellationToken = default)
    {
        var description = await _client.Topics.GetAsync(topic, autoCreate: true, cancellationToken).ConfigureAwait(false);
        return await Enqueue(description, record).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Produces records in order (each keeps its partition's order) and completes when all are acknowledged.</summary>
    public async Task<IReadOnlyList<ProduceResult>> ProduceBatchAsync(string topic, IEnumerable<ProducerRecord> records, CancellationToken cancellationToken = default)
    {
        var description = await _client.Topics.GetAsync(topic, autoCreate: true, cancellationToken).ConfigureAwait(false);
        var results = records.Select(r => Enqueue(description, r)).ToList();
        return await Task.WhenAll(results).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends every open batch now and waits until all records handed over so far are acknowledged or failed.</summary>
    public Task FlushAsync() => Task.WhenAll(_batchers.Values.Select(b => b.FlushAsync()));

    private Task<ProduceResult> Enqueue(TopicDescription topic, ProducerRecord record)
    {
        int partitions = topic.PartitionCount;
        int partition = record.Partition
            ?? (record.Key is { } key ? KafkaPartitioner.Partition(key.Span, partitions) : _sticky.Partition(topic.Name, partitions));
        if (partition < 0 || partition >= partitions)
            return Task.FromException<ProduceResult>(new ActorBrokerException(
                ErrorCode.UnknownTopicOrPartition, $"Topic '{topic.Name}' has {partitions} partitions; there is no partition {partition}."));
        var batcher = _batchers.GetOrAdd(new TopicPartition(topic.Name, partition),
            tp => new PartitionBatcher(_client, tp, _options, () => _sticky.OnBatchSent(tp.Topic, tp.Partition, partitions)));
        return batcher.Add(record, record.Timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    /// <summary>Sends what is open and waits for it (failures are left to the records' own tasks).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var batcher in _batchers.Values)
        {
            try
            {
                await batcher.DisposeAsync().ConfigureAwait(false);
            }
            catch (ActorBrokerException)
            {
                // reported to the records' own tasks
            }
        }
    }
}
