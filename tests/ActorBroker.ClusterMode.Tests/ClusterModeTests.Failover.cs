using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit.Abstractions;

namespace ActorBroker.ClusterMode.Tests;

public sealed partial class ClusterModeTests
{
    private const string FailoverTopic = "failover";

    /// <summary>
    /// Issue #5's failover test: 6 partitions replicated on 3 nodes, a Confluent.Kafka producer with acks=all at a
    /// steady rate, kill -9 of a node that leads two partitions. The controller moves their leadership to in-sync
    /// replicas, the producer carries on, and a consumer then finds every acknowledged record at its acknowledged
    /// offset (retries may add duplicates; they are counted, losses fail the test).
    /// </summary>
    [Fact]
    public async Task Kill_9_of_a_leader_moves_its_partitions_to_in_sync_replicas_and_no_acknowledged_record_is_lost()
    {
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapList }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = FailoverTopic, NumPartitions = 6, ReplicationFactor = 3,
                Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2" },
            }]);
            var leaders = admin.GetMetadata(FailoverTopic, TimeSpan.FromSeconds(30)).Topics.Single().Partitions.Select(p => p.Leader).ToList();
            Assert.Equal([1, 2, 3], leaders.Distinct().Order());
        }
        const int victim = 2;
        var producerConfig = LoadProducer.Config(cluster.BootstrapList);
        var acknowledged = new ConcurrentBag<(int Partition, long Offset, string Value)>();
        var failed = new ConcurrentBag<string>();
        using var producer = new ProducerBuilder<string, string>(producerConfig).Build();
        var partitionsOfVictim = new HashSet<int>();
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.Bootstrap(1) }).Build())
        {
            foreach (var p in admin.GetMetadata(FailoverTopic, TimeSpan.FromSeconds(30)).Topics.Single().Partitions.Where(p => p.Leader == victim))
                partitionsOfVictim.Add(p.PartitionId);
        }
        var killedAt = new Stopwatch();
        long firstMovedAckMs = -1;
        void Produce(int i)
        {
            string value = $"record-{i:D6}";
            producer.Produce(new TopicPartition(FailoverTopic, new Partition(i % 6)), new Message<string, string> { Key = $"k{i}", Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    failed.Add($"{value}: {report.Error.Reason}");
                    return;
                }
                acknowledged.Add((report.Partition.Value, report.Offset.Value, value));
                if (killedAt.IsRunning && partitionsOfVictim.Contains(report.Partition.Value))
                    Interlocked.CompareExchange(ref firstMovedAckMs, killedAt.ElapsedMilliseconds, -1);
            });
        }

        int sent = 0;
        for (; sent < 600; sent++)
        {
            Produce(sent);
            await Task.Delay(5);
        }
        await cluster.RunAsync(TimeSpan.FromSeconds(30), "kill", victim.ToString());
        killedAt.Start();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(25);
        while (DateTime.UtcNow < until || Interlocked.Read(ref firstMovedAckMs) < 0 && DateTime.UtcNow < until + TimeSpan.FromSeconds(60))
        {
            Produce(sent++);
            await Task.Delay(5);
        }
        producer.Flush(TimeSpan.FromSeconds(120));
        Assert.True(firstMovedAckMs >= 0, $"no record was acknowledged on the victim's partitions after kill -9.\n{cluster.LogTails()}");

        var stored = ReadEverything(cluster.Bootstrap(1), 6);
        var lost = acknowledged.Where(a => !stored.TryGetValue((a.Partition, a.Offset), out var v) || v != a.Value).ToList();
        int duplicates = stored.Values.GroupBy(v => v).Count(g => g.Count() > 1);
        output.WriteLine($"sent {sent}, acknowledged {acknowledged.Count}, failed {failed.Count}, lost {lost.Count}, duplicated {duplicates}; " +
                         $"kill -9 to the first acknowledged record on a moved partition: {firstMovedAckMs} ms");
        foreach (int node in new[] { 1, 3 })
            foreach (string line in cluster.NodeLog(node).Split('\n').Where(l => l.Contains(FailoverTopic + "-") && (l.Contains("leader") || l.Contains(" open:"))))
                output.WriteLine($"node {node}: {line}");
        Assert.Empty(lost);
        Assert.Equal(acknowledged.Count, acknowledged.Select(a => a.Value).Distinct().Count());

        await cluster.RunAsync(TimeSpan.FromMinutes(2), "restart", victim.ToString());
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
    }

    private static Dictionary<(int Partition, long Offset), string> ReadEverything(string bootstrap, int partitions) =>
        TopicContents.ReadAll(bootstrap, FailoverTopic, partitions);
}
