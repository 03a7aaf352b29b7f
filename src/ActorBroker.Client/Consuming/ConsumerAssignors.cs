using ActorBroker.Cluster;

namespace ActorBroker.Client.Consuming;

/// <summary>
/// The partition assignors a group leader runs, as Kafka's consumers implement them (pure functions).
/// <see cref="Range"/> (RangeAssignor): per topic, the subscribed members in member id order each take a
/// consecutive range, the first <c>partitions % members</c> one more. <see cref="RoundRobin"/>
/// (RoundRobinAssignor): all partitions in topic, partition order dealt to the members in member id order, skipping
/// members not subscribed to the partition's topic.
/// </summary>
public static class ConsumerAssignors
{
    public const string RangeName = "range";
    public const string RoundRobinName = "roundrobin";

    /// <summary>The protocols this client offers, in preference order (Kafka's default order).</summary>
    public static readonly IReadOnlyList<string> Supported = [RangeName, RoundRobinName];

    public static IReadOnlyDictionary<string, List<TopicPartition>> Assign(
        string protocol, IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts) =>
        protocol switch
        {
            RangeName => Range(subscriptions, partitionCounts),
            RoundRobinName => RoundRobin(subscriptions, partitionCounts),
            _ => throw new ArgumentException($"Unknown assignor '{protocol}'; this client supports {string.Join(", ", Supported)}.", nameof(protocol)),
        };

    public static IReadOnlyDictionary<string, List<TopicPartition>> Range(
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = subscriptions.Keys.ToDictionary(m => m, _ => new List<TopicPartition>(), StringComparer.Ordinal);
        foreach (var (topic, count) in partitionCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var members = subscriptions.Where(s => s.Value.Contains(topic)).Select(s => s.Key).Order(StringComparer.Ordinal).ToList();
            if (members.Count == 0)
                continue;
            int each = count / members.Count, extra = count % members.Count;
            for (int i = 0; i < members.Count; i++)
            {
                int start = i * each + Math.Min(i, extra);
                int length = each + (i < extra ? 1 : 0);
                result[members[i]].AddRange(Enumerable.Range(start, length).Select(p => new TopicPartition(topic, p)));
            }
        }
        return result;
    }

    public static IReadOnlyDictionary<string, List<TopicPartition>> RoundRobin(
        IReadOnlyDictionary<string, IReadOnlyList<string>> subscriptions, IReadOnlyDictionary<string, int> partitionCounts)
    {
        var result = subscriptions.Keys.ToDictionary(m => m, _ => new List<TopicPartition>(), StringComparer.Ordinal);
        var members = subscriptions.Keys.Order(StringComparer.Ordinal).ToList();
        if (members.Count == 0)
            return result;
        int next = 0;
        foreach (var (topic, count) in partitionCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (!members.Any(m => subscriptions[m].Contains(topic)))
                continue;
            for (int p = 0; p < count; p++)
            {
                while (!subscriptions[members[next % members.Count]].Contains(topic))
                    next++;
                result[members[next % members.Count]].Add(new TopicPartition(topic, p));
                next++;
            }
        }
        return result;
    }
}
