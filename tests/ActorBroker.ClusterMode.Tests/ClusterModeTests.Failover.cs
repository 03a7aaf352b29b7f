namespace ActorBroker.ClusterMode.Tests;

public sealed partial class ClusterModeTests
{
    /// <summary>
    /// Issue #5's failover test: 6 partitions replicated on 3 nodes, a Confluent.Kafka producer with acks=all at a
    /// steady rate, kill -9 of a node that leads two partitions. The controller moves their leadership to in-sync
    /// replicas, the producer carries on, and a consumer then finds every acknowledged record at its acknowledged
    /// offset (retries may add duplicates; they are counted, losses fail the test). A consumer asking the moved
    /// partitions' high watermarks throughout is never told less than it was told a second before the kill: the new
    /// leader starts from the watermark it learned as a follower, as in Kafka, not from its log start.
    /// </summary>
    [Fact]
    public async Task Kill_9_of_a_leader_moves_its_partitions_to_in_sync_replicas_with_no_acknowledged_record_lost_and_no_high_watermark_regression()
    {
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
        try
        {
            string topic = UniqueTopic("failover");
            await CreateReplicatedTopicAsync(topic, 6);
            const int victim = 2;
            var partitionsOfVictim = LedBy(PartitionStates(topic), victim);

            await using var producer = new SteadyProducer(SteadyProducer.AcksAll(cluster.BootstrapList), topic, 6);
            producer.Start();
            await producer.WaitForAcknowledgedAsync(300, Settle);
            var watcher = new WatermarkWatcher(cluster.BootstrapList, topic, partitionsOfVictim, () => producer.NowMs);
            await WaitUntilAsync(() => partitionsOfVictim.All(p => watcher.Samples.Count(s => s.Partition == p) >= 20), "watermarks answered by the old leader", Settle);
            await cluster.RunAsync(TimeSpan.FromSeconds(30), "kill", victim.ToString());
            long killedAt = producer.NowMs;
            await WaitForFirstAcknowledgementAsync(producer, killedAt, partitionsOfVictim, "kill -9");
            await producer.StopAsync(TimeSpan.FromSeconds(120));
            await watcher.DisposeAsync();
            var regressions = watcher.RegressionsAfter(killedAt - 1_000, killedAt);

            var check = AcknowledgementCheck.Read(cluster.Bootstrap(1), topic, 6, producer.Acknowledged);
            output.WriteLine($"sent {producer.Sent}, failed {producer.Failed.Count}, {check}; " +
                             $"kill -9 to the first acknowledged record on a moved partition: {producer.FirstAcknowledgementAfter(killedAt, partitionsOfVictim)} ms");
            foreach (int node in new[] { 1, 3 })
                foreach (string line in cluster.NodeLog(node).Split('\n').Where(l => l.Contains(topic + "-") && (l.Contains("leader") || l.Contains(" open:"))))
                    output.WriteLine($"node {node}: {line}");
            output.WriteLine($"{watcher.Samples.Count} high watermark answers; regressions: {string.Join("; ", regressions)}");
            Assert.Empty(check.Lost);
            Assert.Empty(regressions);
            Assert.Equal(check.Acknowledged, producer.Acknowledged.Select(a => a.Value).Distinct().Count());
        }
        finally
        {
            await RestoreAllUpAsync();
        }
    }

    /// <summary>Keeps producing for at least 25 s after <paramref name="sinceMs"/> and until a record on one of
    /// <paramref name="moved"/> was acknowledged (at most 85 s).</summary>
    private async Task WaitForFirstAcknowledgementAsync(SteadyProducer producer, long sinceMs, IReadOnlySet<int> moved, string after)
    {
        while (producer.NowMs - sinceMs < 25_000 || producer.FirstAcknowledgementAfter(sinceMs, moved) < 0 && producer.NowMs - sinceMs < 85_000)
            await Task.Delay(200);
        Assert.True(producer.FirstAcknowledgementAfter(sinceMs, moved) >= 0,
            $"no record was acknowledged on the partitions [{string.Join(",", moved)}] after {after}.\n{cluster.LogTails()}");
    }
}
