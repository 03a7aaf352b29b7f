using System.Collections.Concurrent;
using Confluent.Kafka;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>A record a group member consumed, and when (on the caller's clock).</summary>
public sealed record Delivery(int Consumer, int Partition, long Offset, string Value, long AtMs);

/// <summary>
/// Confluent.Kafka consumers in one group, each on its own thread, subscribed to one topic, committing their
/// positions every 200 ms and when partitions are revoked. Records every delivery, every rebalance, and every
/// committed offset the coordinator accepted; a delivery below an offset already committed for its partition is a
/// committed record delivered again, which a group resuming from its committed offsets never does.
/// </summary>
public sealed class GroupConsumers : IDisposable
{
    private static readonly TimeSpan CommitInterval = TimeSpan.FromMilliseconds(200);
    private readonly ConsumerConfig _config;
    private readonly string _topic;
    private readonly Func<long> _clock;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, long> _committed = new();
    private readonly List<Task> _threads = new();
    private int _assignments;

    public GroupConsumers(string bootstrap, string group, string topic, Func<long> clock)
    {
        _config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
            TopicMetadataRefreshIntervalMs = 1_000,
        };
        _topic = topic;
        _clock = clock;
    }

    public ConcurrentQueue<Delivery> Deliveries { get; } = new();

    /// <summary>Deliveries of offsets below what the group had already committed for the partition.</summary>
    public ConcurrentQueue<string> RedeliveredCommitted { get; } = new();

    public ConcurrentQueue<string> Errors { get; } = new();

    /// <summary>How many times a member was assigned partitions (each rebalance assigns every member).</summary>
    public int Assignments => Volatile.Read(ref _assignments);

    public void Start(int members)
    {
        for (int i = 0; i < members; i++)
        {
            int member = i;
            _threads.Add(Task.Factory.StartNew(() => Consume(member), TaskCreationOptions.LongRunning));
        }
    }

    /// <summary>Stops every member (a final commit, then leave the group).</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await Task.WhenAll(_threads);
    }

    private void Consume(int member)
    {
        using var consumer = new ConsumerBuilder<string, string>(_config)
            .SetPartitionsAssignedHandler((_, _) => Interlocked.Increment(ref _assignments))
            .SetPartitionsRevokedHandler((c, _) => Commit(c))
            .SetErrorHandler((_, e) => Errors.Enqueue($"member {member}: {e.Code} {e.Reason}"))
            .Build();
        consumer.Subscribe(_topic);
        var lastCommit = DateTime.UtcNow;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
                if (result is { IsPartitionEOF: false, Message: not null })
                {
                    int partition = result.Partition.Value;
                    if (_committed.TryGetValue(partition, out long committed) && result.Offset.Value < committed)
                        RedeliveredCommitted.Enqueue($"member {member}: p{partition} offset {result.Offset.Value} below committed {committed}");
                    Deliveries.Enqueue(new Delivery(member, partition, result.Offset.Value, result.Message.Value, _clock()));
                }
            }
            catch (ConsumeException e)
            {
                Errors.Enqueue($"member {member}: consume {e.Error.Code} {e.Error.Reason}");
            }
            if (DateTime.UtcNow - lastCommit >= CommitInterval)
            {
                Commit(consumer);
                lastCommit = DateTime.UtcNow;
            }
        }
        Commit(consumer);
        consumer.Close();
    }

    private void Commit(IConsumer<string, string> consumer)
    {
        try
        {
            foreach (var committed in consumer.Commit())
                if (committed.Offset.Value >= 0)
                    _committed.AddOrUpdate(committed.Partition.Value, committed.Offset.Value, (_, old) => Math.Max(old, committed.Offset.Value));
        }
        catch (KafkaException)
        {
            // nothing consumed since the last commit, or the coordinator is moving: the next commit carries the positions
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        Task.WaitAll(_threads.ToArray(), TimeSpan.FromSeconds(60));
        _stop.Dispose();
    }
}
