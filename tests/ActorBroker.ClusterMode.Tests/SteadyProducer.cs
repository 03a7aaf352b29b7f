using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>A record the broker acknowledged: where it says it stored it, and when (ms on the producer's clock) it was sent and acknowledged.</summary>
public sealed record AcknowledgedRecord(int Partition, long Offset, string Value, long SentMs, long AckedMs);

/// <summary>A record whose delivery report was an error.</summary>
public sealed record FailedRecord(int Partition, string Value, ErrorCode Code, string Reason, long SentMs, long FailedMs);

/// <summary>
/// A Confluent.Kafka producer sending one uniquely valued record every few milliseconds, round-robin over a topic's
/// partitions, in the background until stopped, and recording every delivery report: the acknowledged-record
/// accounting of the failure tests (see <see cref="AcknowledgementCheck"/>).
/// </summary>
public sealed class SteadyProducer : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(5);
    private readonly IProducer<string, string> _producer;
    private readonly string _topic;
    private readonly int _partitions;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _sent;

    public SteadyProducer(ProducerConfig config, string topic, int partitions)
    {
        _producer = new ProducerBuilder<string, string>(config).Build();
        _topic = topic;
        _partitions = partitions;
    }

    /// <summary>acks=all, retrying through leader changes until <paramref name="messageTimeoutMs"/>, refreshing metadata every second.</summary>
    public static ProducerConfig AcksAll(string bootstrap, int messageTimeoutMs = 120_000) => new()
    {
        BootstrapServers = bootstrap,
        Acks = Acks.All,
        LingerMs = 5,
        MessageTimeoutMs = messageTimeoutMs,
        MessageSendMaxRetries = int.MaxValue,
        RetryBackoffMs = 200,
        TopicMetadataRefreshIntervalMs = 1_000,
    };

    public ConcurrentQueue<AcknowledgedRecord> Acknowledged { get; } = new();

    public ConcurrentQueue<FailedRecord> Failed { get; } = new();

    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Milliseconds since the producer was created; the clock of <see cref="AcknowledgedRecord"/> and <see cref="FailedRecord"/>.</summary>
    public long NowMs => _clock.ElapsedMilliseconds;

    /// <summary>Starts producing in the background.</summary>
    public void Start() => _loop = Task.Run(async () =>
    {
        while (!_stop.IsCancellationRequested)
        {
            ProduceOne();
            try { await Task.Delay(Interval, _stop.Token); } catch (OperationCanceledException) { }
        }
    });

    /// <summary>Waits until <paramref name="count"/> records were acknowledged (the producer runs meanwhile).</summary>
    public async Task WaitForAcknowledgedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Acknowledged.Count < count)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"only {Acknowledged.Count} of {count} records were acknowledged within {timeout} (failed: {Failed.Count}).");
            await Task.Delay(100);
        }
    }

    /// <summary>Stops producing and waits for every delivery report.</summary>
    public async Task StopAsync(TimeSpan flushTimeout)
    {
        _stop.Cancel();
        await _loop;
        _producer.Flush(flushTimeout);
    }

    /// <summary>The first acknowledgement of a record sent at or after <paramref name="sinceMs"/> on one of
    /// <paramref name="partitions"/>, in ms after it; -1 if none. Records sent earlier do not count: an answer of the
    /// old leader may still be in the socket when it is killed or paused.</summary>
    public long FirstAcknowledgementAfter(long sinceMs, IReadOnlySet<int> partitions) =>
        Acknowledged.Where(a => a.SentMs >= sinceMs && partitions.Contains(a.Partition)).Select(a => a.AckedMs - sinceMs).DefaultIfEmpty(-1).Min();

    /// <summary>The longest time from send to acknowledgement among records sent at or after <paramref name="sinceMs"/>.</summary>
    public long WorstLatencySince(long sinceMs) =>
        Acknowledged.Where(a => a.SentMs >= sinceMs).Select(a => a.AckedMs - a.SentMs).DefaultIfEmpty(0).Max();

    private void ProduceOne()
    {
        int i = Interlocked.Increment(ref _sent) - 1;
        int partition = i % _partitions;
        string value = $"record-{i:D7}";
        long sentMs = NowMs;
        _producer.Produce(new TopicPartition(_topic, new Partition(partition)), new Message<string, string> { Key = $"k{i}", Value = value }, report =>
        {
            if (report.Error.IsError)
                Failed.Enqueue(new FailedRecord(partition, value, report.Error.Code, report.Error.Reason, sentMs, NowMs));
            else
                Acknowledged.Enqueue(new AcknowledgedRecord(report.Partition.Value, report.Offset.Value, value, sentMs, NowMs));
        });
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _producer.Dispose();
        _stop.Dispose();
    }
}
