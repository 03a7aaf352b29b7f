namespace ActorBroker.ClusterMode.Tests;

public sealed partial class ClusterModeTests
{
    /// <summary>
    /// Issue #5: a graceful stop (SIGTERM, `cluster.sh stop 2`) of a leader under acks=all produce hands leadership
    /// over before the node exits, so the producer (30 s message timeout) sees no failed delivery and loses nothing.
    /// Metadata through node 1 must show new leaders for every partition node 2 led while node 2 is still running,
    /// and node 2 must exit by itself (its log ends with "ActorBroker stopped", not the script's SIGKILL).
    /// </summary>
    [Fact]
    public async Task SIGTERM_of_a_leader_hands_its_partitions_over_before_it_exits_and_the_producer_sees_no_error_and_no_loss()
    {
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
        try
        {
            string topic = UniqueTopic("handover");
            await CreateReplicatedTopicAsync(topic, 6);
            const int victim = 2;
            var led = LedBy(PartitionStates(topic), victim);

            await using var producer = new SteadyProducer(SteadyProducer.AcksAll(cluster.BootstrapList, messageTimeoutMs: 30_000), topic, 6);
            producer.Start();
            await producer.WaitForAcknowledgedAsync(300, Settle);
            long termAt = producer.NowMs;
            var stop = cluster.RunAsync(TimeSpan.FromMinutes(2), "stop", victim.ToString());
            long handedOverMs = -1;
            while (!stop.IsCompleted)
            {
                var states = PartitionStates(topic);
                if (led.All(p => states[p].Leader is > 0 and not victim) && !stop.IsCompleted)
                {
                    handedOverMs = producer.NowMs - termAt;
                    break;
                }
                await Task.Delay(100);
            }
            await stop;
            long exitedMs = producer.NowMs - termAt;
            await WaitForFirstAcknowledgementAsync(producer, termAt + exitedMs, led, "SIGTERM");
            await producer.StopAsync(TimeSpan.FromSeconds(60));

            var check = AcknowledgementCheck.Read(cluster.Bootstrap(1), topic, 6, producer.Acknowledged);
            output.WriteLine($"sent {producer.Sent}, failed {producer.Failed.Count}, {check}; SIGTERM to new leaders in Metadata: {handedOverMs} ms, " +
                             $"to exit: {exitedMs} ms; worst delivery latency from 1 s before SIGTERM: {producer.WorstLatencySince(termAt - 1_000)} ms");
            Assert.True(handedOverMs >= 0, $"node {victim} exited after {exitedMs} ms before Metadata showed new leaders for [{string.Join(",", led)}].\n{cluster.LogTails()}");
            Assert.Contains("ActorBroker stopped", cluster.NodeLog(victim).Split("=== cluster.sh: starting node")[^1]);
            Assert.Empty(producer.Failed.Select(f => $"{f.Value} p{f.Partition}: {f.Code} {f.Reason}"));
            Assert.Empty(check.Lost);
        }
        finally
        {
            await RestoreAllUpAsync();
        }
    }
}
