using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorBroker.Compatibility.Tests;

/// <summary>Node configuration and client helpers shared by the consumer-group compatibility tests.</summary>
public static class GroupTests
{
    /// <summary>No initial rebalance delay: a group's first member gets its assignment at once.</summary>
    public const string NoInitialDelay = "actorbroker.groups.initial-rebalance-delay = 0s\n";

    /// <summary>One produced record: where it landed and what it says.</summary>
    public readonly record struct Produced(int Partition, long Offset, string Value);

    public static IAdminClient Admin(string bootstrap) =>
        new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap, ClientId = "compat-group-admin" }).Build();

    public static async Task CreateTopicAsync(string bootstrap, string topic, int partitions)
    {
        using var admin = Admin(bootstrap);
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = 1 }]);
    }

    /// <summary>Produces <paramref name="count"/> records, record i to partition i % partitions, value "{tag}-{i}".</summary>
    public static async Task<List<Produced>> ProduceSpreadAsync(string bootstrap, string topic, int partitions, int count, string tag)
    {
        using var producer = ConfluentClients.Producer(bootstrap);
        var tasks = Enumerable.Range(0, count)
            .Select(i => producer.ProduceAsync(new TopicPartition(topic, new Partition(i % partitions)),
                new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"{tag}-key-{i}"), Value = Encoding.UTF8.GetBytes($"{tag}-{i}") }))
            .ToList();
        var results = await Task.WhenAll(tasks);
        return results.Select(r => new Produced(r.Partition.Value, r.Offset.Value, Encoding.UTF8.GetString(r.Message.Value))).ToList();
    }

    /// <summary>Per partition, the offset after the last of <paramref name="produced"/>.</summary>
    public static Dictionary<int, long> EndOffsets(IEnumerable<Produced> produced) =>
        produced.GroupBy(p => p.Partition).ToDictionary(g => g.Key, g => g.Max(p => p.Offset) + 1);

    /// <summary>The group's committed offsets for <paramref name="topic"/> as OffsetFetch (AdminClient) reports them.</summary>
    public static async Task<Dictionary<int, long>> CommittedAsync(string bootstrap, string group, string topic, int partitions)
    {
        using var admin = Admin(bootstrap);
        var request = new ConsumerGroupTopicPartitions(group,
            Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, new Partition(p))).ToList());
        var result = await admin.ListConsumerGroupOffsetsAsync([request]);
        return result.Single().Partitions.ToDictionary(p => p.Partition.Value, p =>
        {
            if (p.Error.IsError)
                throw new InvalidOperationException($"OffsetFetch {group} {p.TopicPartition}: {p.Error}");
            return p.Offset.Value;
        });
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; false when <paramref name="timeout"/> passed first.</summary>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, TimeSpan timeout, int pollMs = 100)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(pollMs);
        }
        return true;
    }

    /// <summary>Polls an async <paramref name="condition"/> until it holds; false when <paramref name="timeout"/> passed first.</summary>
    public static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, int pollMs = 250)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
                return false;
            await Task.Delay(pollMs);
        }
        return true;
    }

    public static string Describe(IReadOnlyDictionary<int, long> offsets) =>
        "{" + string.Join(", ", offsets.OrderBy(o => o.Key).Select(o => $"{o.Key}:{o.Value}")) + "}";
}
