using System.Collections.Concurrent;

namespace ActorBroker.Client.Producing;

/// <summary>
/// Kafka's default partitioning: a keyed record goes to <c>toPositive(murmur2(key)) % partitions</c>, exactly as the
/// Java client's BuiltInPartitioner and librdkafka's <c>murmur2_random</c> compute it, so a key lands on the same
/// partition whichever client produced it.
/// </summary>
public static class KafkaPartitioner
{
    public static int Partition(ReadOnlySpan<byte> key, int partitions) => (Murmur2(key) & 0x7fffffff) % partitions;

    /// <summary>Kafka's <c>Utils.murmur2</c> (seed 0x9747b28c), bit for bit.</summary>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        int length = data.Length;
        uint h = 0x9747b28c ^ (uint)length;
        int length4 = length / 4;
        for (int i = 0; i < length4; i++)
        {
            int i4 = i * 4;
            uint k = data[i4] + ((uint)data[i4 + 1] << 8) + ((uint)data[i4 + 2] << 16) + ((uint)data[i4 + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                goto case 2;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                goto case 1;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }
        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return (int)h;
    }
}

/// <summary>
/// Sticky partitioning of keyless records (KIP-480): all keyless records of a topic go to one partition until a
/// batch for it is sent, then to another partition chosen at random (never the same one twice in a row when there
/// is a choice), so keyless records form full batches instead of one small batch per partition. Thread-safe.
/// </summary>
public sealed class StickyPartitioner
{
    private readonly ConcurrentDictionary<string, int> _current = new(StringComparer.Ordinal);

    public int Partition(string topic, int partitions)
    {
        int current = _current.GetOrAdd(topic, _ => Random.Shared.Next(partitions));
        return current < partitions ? current : Next(topic, current, partitions);
    }

    /// <summary>A batch of <paramref name="partition"/> was sent: keyless records of the topic move on.</summary>
    public void OnBatchSent(string topic, int partition, int partitions)
    {
        if (_current.TryGetValue(topic, out int current) && current == partition)
            Next(topic, current, partitions);
    }

    private int Next(string topic, int previous, int partitions)
    {
        int next = partitions <= 1 ? 0 : (previous + 1 + Random.Shared.Next(partitions - 1)) % partitions;
        _current.TryUpdate(topic, next, previous);
        return _current[topic];
    }
}
