using System.Collections.Concurrent;
using System.Diagnostics;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit.Abstractions;

namespace ActorBroker.ClusterMode.Tests;

/// <summary>
/// Issue #5's scaling test on a cluster of its own (it grows to four nodes, which the shared three-node cluster of
/// <see cref="ClusterModeTests"/> must not): a 4th node joins and `actorbroker partitions reassign --rebalance`
/// moves replicas and a leadership onto it while a Confluent.Kafka producer with acks=all produces at a steady rate.
/// </summary>
public sealed class ReassignmentClusterTests(LocalCluster cluster, ITestOutputHelper output) : IClassFixture<LocalCluster>
{
    private const string Topic = "scaling";
    private const int Partitions = 6;
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reassign_onto_a_4th_node_under_acks_all_load_copies_the_data_first_with_no_errors_and_no_loss()
    {
        await cluster.WaitForStatusAsync(1, "3 member(s): 3 Up", Settle);
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapList }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification
            {
                Name = Topic, NumPartitions = Partitions, ReplicationFactor = 3,
                Configs = new Dictionary<string, string> { ["min.insync.replicas"] = "2" },
            }]);
        }
        var acknowledged = new ConcurrentBag<(int Partition, long Offset, string Value)>();
        var failed = new ConcurrentBag<string>();
        using var producer = new ProducerBuilder<string, string>(SteadyProducer.AcksAll(cluster.BootstrapList)).Build();
        string padding = new('x', 1000);
        void Produce(int i)
        {
            string value = $"record-{i:D7}-{padding}";
            producer.Produce(new TopicPartition(Topic, new Partition(i % Partitions)), new Message<string, string> { Key = $"k{i}", Value = value }, report =>
            {
                if (report.Error.IsError)
                    failed.Add($"record {i}: {report.Error.Code} {report.Error.Reason}");
                else
                    acknowledged.Add((report.Partition.Value, report.Offset.Value, value));
            });
        }

        // Data for the new replicas to copy: ~24 MB, before the steady load starts.
        const int preloaded = 24_000;
        for (int i = 0; i < preloaded; i++)
        {
            while (true)
            {
                try { Produce(i); break; }
                catch (ProduceException<string, string> e) when (e.Error.Code == ErrorCode.Local_QueueFull) { producer.Poll(TimeSpan.FromMilliseconds(50)); }
            }
        }
        producer.Flush(TimeSpan.FromSeconds(120));
        Assert.Empty(failed);

        int sent = preloaded;
        using var stopLoad = new CancellationTokenSource();
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                Produce(Interlocked.Increment(ref sent) - 1);
                await Task.Delay(5);
            }
        });

        // Partition 0 is placed [1,2,3], so the plan moves its leadership to node 4; node 2's gateway stays throughout.
        var probe = new WireProduceProbe(cluster.Host(2), cluster.KafkaPort, Topic, 0);
        var probing = probe.RunAsync(stopLoad.Token);

        int added = await cluster.AddNodeAsync();
        Assert.Equal(4, added);
        await cluster.WaitForStatusAsync(1, "4 member(s): 4 Up", Settle);
        var before = Placement(cluster.Bootstrap(1));

        var timer = Stopwatch.StartNew();
        var reassign = await ExternalCommand.RunAsync("dotnet",
            [RepoPaths.NodeDll, "partitions", "reassign", "--topic", Topic, "--rebalance", "--execute", "--wait", "--timeout", "300", "--bootstrap", cluster.Bootstrap(1)],
            timeout: TimeSpan.FromMinutes(6));
        timer.Stop();
        output.WriteLine(reassign.Stdout);
        Assert.True(reassign.ExitCode == 0, $"{reassign}\n{cluster.LogTails()}");

        await Task.Delay(TimeSpan.FromSeconds(5)); // the load goes on over the switch and after it
        stopLoad.Cancel();
        await load;
        await probing;
        producer.Flush(TimeSpan.FromSeconds(120));

        var after = Placement(cluster.Bootstrap(2));
        var stored = TopicReader.ReadEverything(cluster.Bootstrap(1), Topic, Partitions);
        var allAcknowledged = acknowledged.Concat(probe.Acknowledged).ToList();
        var lost = allAcknowledged.Where(a => !stored.TryGetValue((a.Partition, a.Offset), out var v) || v != a.Value).ToList();
        int duplicated = stored.Values.GroupBy(v => v).Count(g => g.Count() > 1);
        long copiedBytes = stored.Values.Sum(v => (long)v.Length) * 4 / Partitions; // the 4 moved partitions' share
        output.WriteLine($"wire probe on {Topic}-0 through node 2: {probe.Acknowledged.Count} acknowledged, errors answered: " +
                         $"[{string.Join(", ", probe.Errors.GroupBy(e => e).Select(g => $"{g.Key} x{g.Count()}"))}]");
        output.WriteLine($"sent {sent}, acknowledged {acknowledged.Count}, failed {failed.Count}, lost {lost.Count}, duplicated {duplicated}; " +
                         $"reassignment of 4 partitions (~{copiedBytes / 1_000_000} MB of values) took {timer.Elapsed.TotalSeconds:0.0} s");
        foreach (var (partition, replicas) in after)
            output.WriteLine($"{Topic}-{partition}: [{string.Join(",", before[partition].Replicas)}] leader {before[partition].Leader} -> [{string.Join(",", replicas.Replicas)}] leader {replicas.Leader}");

        Assert.Empty(failed);
        Assert.All(probe.Errors, e => Assert.Equal(Protocol.ErrorCode.NotLeaderOrFollower, e));
        Assert.Empty(lost);
        Assert.Equal(4, after.Values.Count(p => p.Replicas.Contains(4)));
        Assert.Equal(4, after[0].Leader); // the probed partition's leadership moved
        Assert.NotEmpty(probe.Acknowledged);
        Assert.All(after.Values, p => Assert.Equal(3, p.Replicas.Length));
        var perNode = Enumerable.Range(1, 4).Select(n => after.Values.Count(p => p.Replicas.Contains(n))).ToList();
        Assert.True(perNode.Max() - perNode.Min() <= 1, $"replicas per node: {string.Join(",", perNode)}");

        // Removed replicas delete their copy after the switch; the new one holds the log.
        foreach (var (partition, replicas) in after)
        {
            foreach (int node in before[partition].Replicas.Except(replicas.Replicas))
                await WaitUntilAsync(() => !Directory.Exists(LogDirectory(node, partition)), $"node {node} still has {LogDirectory(node, partition)}");
            foreach (int node in replicas.Replicas)
                Assert.True(Directory.Exists(LogDirectory(node, partition)), $"node {node} has no {LogDirectory(node, partition)}");
        }
    }

    private string LogDirectory(int node, int partition) => Path.Combine(cluster.Directory, $"node{node}", "logs", $"{Topic}-{partition}");

    private static Dictionary<int, (int Leader, int[] Replicas)> Placement(string bootstrap)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrap }).Build();
        return admin.GetMetadata(Topic, TimeSpan.FromSeconds(30)).Topics.Single().Partitions
            .ToDictionary(p => p.PartitionId, p => (p.Leader, p.Replicas));
    }

    private async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{what} after 60 s.\n{cluster.LogTails()}");
            await Task.Delay(250);
        }
    }
}
