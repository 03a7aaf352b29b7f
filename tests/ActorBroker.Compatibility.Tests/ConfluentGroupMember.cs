using System.Collections.Concurrent;
using Confluent.Kafka;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// A Confluent.Kafka group consumer polled on its own thread: it records every delivery as (partition, offset,
/// value), stores each offset after "processing" it (auto-commit of stored offsets), tracks its current assignment
/// and the offsets its commits reported, and on <see cref="StopAsync"/> commits synchronously and closes (LeaveGroup).
/// </summary>
public sealed class ConfluentGroupMember : IAsyncDisposable
{
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly object _gate = new();
    private readonly HashSet<int> _assigned = new();
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<int, long> _reportedCommits = new();
    private readonly ConcurrentQueue<(int Partition, long Offset, string Value)> _deliveries = new();

    public ConfluentGroupMember(string bootstrap, string group, string topic, string name,
        PartitionAssignmentStrategy strategy = PartitionAssignmentStrategy.CooperativeSticky, Action<ConsumerConfig>? configure = null)
    {
        Name = name;
        var config = new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            ClientId = "compat-confluent-" + name,
            PartitionAssignmentStrategy = strategy,
            EnableAutoCommit = true,
            AutoCommitIntervalMs = 200,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            SessionTimeoutMs = 10_000,
            HeartbeatIntervalMs = 1_000,
            EnablePartitionEof = false,
            TopicMetadataRefreshIntervalMs = 2_000,
        };
        configure?.Invoke(config);
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsAssignedHandler((consumer, partitions) =>
            {
                Volatile.Write(ref _memberId, consumer.MemberId ?? "");
                lock (_gate) _assigned.UnionWith(partitions.Select(p => p.Partition.Value));
                Log($"assigned +[{string.Join(",", partitions.Select(p => p.Partition.Value))}]");
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                lock (_gate) _assigned.ExceptWith(partitions.Select(p => p.Partition.Value));
                Log($"revoked -[{string.Join(",", partitions.Select(p => p.Partition.Value))}]");
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                lock (_gate) _assigned.ExceptWith(partitions.Select(p => p.Partition.Value));
                Log($"lost -[{string.Join(",", partitions.Select(p => p.Partition.Value))}]");
            })
            .SetOffsetsCommittedHandler((_, committed) =>
            {
                if (committed.Error.IsError)
                {
                    Log($"commit error {committed.Error}");
                    return;
                }
                foreach (var offset in committed.Offsets.Where(o => !o.Error.IsError && o.Offset.Value >= 0))
                    Report(offset.Partition.Value, offset.Offset.Value);
            })
            .SetErrorHandler((_, error) => Log($"error {error}"))
            .Build();
        _consumer.Subscribe(topic);
        _loop = Task.Factory.StartNew(Run, TaskCreationOptions.LongRunning);
    }

    public string Name { get; }

    /// <summary>The member id the coordinator gave this consumer ("" before its first join).</summary>
    public string MemberId => Volatile.Read(ref _memberId);

    private string _memberId = "";

    public IReadOnlyList<int> Assignment
    {
        get { lock (_gate) return _assigned.Order().ToList(); }
    }

    public IReadOnlyList<(int Partition, long Offset, string Value)> Deliveries => _deliveries.ToList();

    /// <summary>Per partition, the highest offset a successful commit of this consumer reported.</summary>
    public IReadOnlyDictionary<int, long> ReportedCommits => new Dictionary<int, long>(_reportedCommits);

    public string EventLog => $"--- {Name} ({MemberId}) ---\n" + string.Join("\n", _events);

    /// <summary>Commits what it stored, closes (leaving the group) and ends its thread.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _loop;
    }

    private void Run()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(100));
                if (result?.Message is null)
                    continue;
                _deliveries.Enqueue((result.Partition.Value, result.Offset.Value, System.Text.Encoding.UTF8.GetString(result.Message.Value)));
                _consumer.StoreOffset(result);
            }
            catch (KafkaException e) when (!e.Error.IsFatal)
            {
                // e.g. StoreOffset for a partition revoked in the same poll: at-least-once allows the redelivery.
                Log($"{e.GetType().Name} {e.Error}");
            }
        }

        try
        {
            foreach (var offset in _consumer.Commit())
            {
                if (offset.Offset.Value >= 0)
                    Report(offset.Partition.Value, offset.Offset.Value);
            }
        }
        catch (KafkaException e)
        {
            Log($"final commit: {e.Error}"); // _NO_OFFSET when nothing new was stored
        }

        _consumer.Close();
        Log("closed");
    }

    private void Report(int partition, long offset) =>
        _reportedCommits.AddOrUpdate(partition, offset, (_, old) => Math.Max(old, offset));

    private void Log(string text) => _events.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {text}");

    public async ValueTask DisposeAsync()
    {
        if (!_loop.IsCompleted)
        {
            _stop.Cancel();
            try { await _loop.WaitAsync(TimeSpan.FromSeconds(30)); }
            catch (TimeoutException) { }
        }
        if (_loop.IsCompleted)
            _consumer.Dispose();
        _stop.Dispose();
    }
}
