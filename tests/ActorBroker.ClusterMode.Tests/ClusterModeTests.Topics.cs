using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>Topics of the failure tests: uniquely named, replicated on every node, and their partitions' state as Metadata shows it.</summary>
public sealed partial class ClusterModeTests
{
    private sealed record PartitionState(int Partition, int Leader, int[] Isr);

    private static string UniqueTopic(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    /// <summary>Creates <paramref name="topic"/> with replication factor 3 and min.insync.replicas 2, and waits until leaders are spread over all three nodes.</summary>
    private async Task CreateReplicatedTopicAsync(string topic, int partitions)
    {
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapList }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = topic, NumPartitions = partitions, ReplicationFactor = 3,
                Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2" },
            }]);
        }
        var states = await WaitForPartitionsAsync(topic, s => s.All(p => p.Leader > 0 && p.Isr.Length == 3), "every partition led with ISR of 3");
        Assert.Equal([1, 2, 3], states.Select(p => p.Leader).Distinct().Order());
    }

    /// <summary>Every partition's leader and ISR from Metadata through node 1.</summary>
    private List<PartitionState> PartitionStates(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.Bootstrap(1) }).Build();
        var metadata = admin.GetMetadata(topic, TimeSpan.FromSeconds(30)).Topics.Single();
        return metadata.Partitions.Select(p => new PartitionState(p.PartitionId, p.Leader, p.InSyncReplicas.Order().ToArray()))
            .OrderBy(p => p.Partition).ToList();
    }

    /// <summary>Polls Metadata through node 1 until <paramref name="condition"/> holds.</summary>
    private async Task<List<PartitionState>> WaitForPartitionsAsync(string topic, Func<List<PartitionState>, bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Settle);
        List<PartitionState> last = [];
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = PartitionStates(topic);
                if (last.Count > 0 && condition(last))
                    return last;
            }
            catch (KafkaException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"{topic}: not {what} within {timeout ?? Settle}; last: " +
                                   string.Join("; ", last.Select(p => $"p{p.Partition} leader {p.Leader} isr [{string.Join(",", p.Isr)}]")) + $"\n{cluster.LogTails()}");
    }

    private static HashSet<int> LedBy(IEnumerable<PartitionState> states, int node) =>
        states.Where(p => p.Leader == node).Select(p => p.Partition).ToHashSet();

    /// <summary>
    /// After a disturbing test, whether it passed or not: resumes paused nodes and restarts stopped ones, then waits
    /// for "3 Up", so a failure does not cascade into the tests after it.
    /// </summary>
    private async Task RestoreAllUpAsync()
    {
        foreach (int node in Enumerable.Range(2, LocalCluster.Size - 1))
        {
            string pidFile = Path.Combine(cluster.Directory, $"node{node}.pid");
            string stat = File.Exists(pidFile) && File.Exists($"/proc/{File.ReadAllText(pidFile).Trim()}/stat")
                ? File.ReadAllText($"/proc/{File.ReadAllText(pidFile).Trim()}/stat") : "";
            string state = stat.Length > 0 ? stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0] : "gone";
            if (state == "T")
                await cluster.RunAsync(TimeSpan.FromSeconds(30), "resume", node.ToString());
            else if (state is "gone" or "Z")
                await cluster.RunAsync(TimeSpan.FromMinutes(2), "restart", node.ToString());
        }
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds.</summary>
    private async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"not {what} within {timeout}.\n{cluster.LogTails()}");
            await Task.Delay(200);
        }
    }
}
