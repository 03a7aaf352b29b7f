using System.Collections.Concurrent;
using Confluent.Kafka;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>A high watermark a consumer was told (QueryWatermarkOffsets, answered by the partition's leader), and when.</summary>
public sealed record WatermarkSample(int Partition, long High, long AtMs);

/// <summary>
/// Asks the leaders of some partitions for their high watermark every 100 ms in the background, as a consumer
/// tracking its lag does, and keeps every answer; failed asks (while a partition has no reachable leader) are skipped.
/// </summary>
public sealed class WatermarkWatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public WatermarkWatcher(string bootstrap, string topic, IReadOnlyCollection<int> partitions, Func<long> clock)
    {
        _loop = Task.Factory.StartNew(() =>
        {
            using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
            {
                BootstrapServers = bootstrap, GroupId = $"watermarks-{Guid.NewGuid():N}", TopicMetadataRefreshIntervalMs = 1_000,
            }).Build();
            while (!_stop.IsCancellationRequested)
            {
                foreach (int p in partitions)
                {
                    try
                    {
                        long high = consumer.QueryWatermarkOffsets(new TopicPartition(topic, new Partition(p)), TimeSpan.FromSeconds(2)).High.Value;
                        Samples.Enqueue(new WatermarkSample(p, high, clock()));
                    }
                    catch (KafkaException)
                    {
                    }
                }
                _stop.Token.WaitHandle.WaitOne(100);
            }
        }, TaskCreationOptions.LongRunning);
    }

    public ConcurrentQueue<WatermarkSample> Samples { get; } = new();

    /// <summary>Per partition, the lowest watermark answered after <paramref name="sinceMs"/> that is below the highest answered before <paramref name="beforeMs"/>.</summary>
    public IReadOnlyList<string> RegressionsAfter(long beforeMs, long sinceMs) =>
        Samples.GroupBy(s => s.Partition).SelectMany(g =>
        {
            long earlier = g.Where(s => s.AtMs <= beforeMs).Select(s => s.High).DefaultIfEmpty(-1).Max();
            var lower = g.Where(s => s.AtMs >= sinceMs && s.High < earlier).ToList();
            return lower.Count == 0 ? [] : new[] { $"p{g.Key}: {earlier} before, {lower.Min(s => s.High)} after ({lower.Count} answers)" };
        }).ToList();

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
        _stop.Dispose();
    }
}
