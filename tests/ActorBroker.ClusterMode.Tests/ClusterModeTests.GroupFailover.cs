namespace ActorBroker.ClusterMode.Tests;

public sealed partial class ClusterModeTests
{
    /// <summary>
    /// Issue #5: two Confluent consumers in one group consume a topic a producer keeps writing (acks=all) while the
    /// node hosting the group's coordinator (FindCoordinator names it; never node 1) is killed with kill -9. The
    /// group finds its new coordinator, rebalances and carries on: records sent after the kill are consumed, every
    /// acknowledged record is consumed at least once, and no record the group had committed is delivered again
    /// (re-deliveries of consumed but uncommitted records are at-least-once duplicates, counted and reported).
    /// </summary>
    [Fact]
    public async Task A_consumer_group_keeps_consuming_through_kill_9_of_its_coordinators_node_from_its_committed_offsets()
    {
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
        try
        {
            string topic = UniqueTopic("grouped");
            await CreateReplicatedTopicAsync(topic, 6);
            var (group, host) = await GroupHostedAwayFromNode1Async();

            await using var producer = new SteadyProducer(SteadyProducer.AcksAll(cluster.BootstrapList), topic, 6);
            using var consumers = new GroupConsumers(cluster.BootstrapList, group, topic, () => producer.NowMs);
            producer.Start();
            consumers.Start(members: 2);
            await WaitUntilAsync(() => consumers.Deliveries.Count >= 300 && consumers.Deliveries.Select(d => d.Consumer).Distinct().Count() == 2,
                "both members consume", Settle);

            await cluster.RunAsync(TimeSpan.FromSeconds(30), "kill", host.ToString());
            long killedAt = producer.NowMs;
            int assignmentsAtKill = consumers.Assignments;
            int sentAtKill = producer.Sent;
            await cluster.WaitForStatusAsync(1, "2 member(s): 2 Up", Settle);
            await WaitUntilAsync(() => consumers.Deliveries.Any(d => RecordIndex(d.Value) > sentAtKill + 500), "records sent after the kill are consumed", Settle);
            await producer.StopAsync(TimeSpan.FromSeconds(120));
            var acknowledged = producer.Acknowledged.Select(a => a.Value).ToHashSet();
            await WaitUntilAsync(() => acknowledged.IsSubsetOf(consumers.Deliveries.Select(d => d.Value)), "every acknowledged record is consumed", Settle);
            await consumers.StopAsync();

            var deliveries = consumers.Deliveries.OrderBy(d => d.AtMs).ToList();
            int duplicates = deliveries.Count - deliveries.Select(d => d.Value).Distinct().Count();
            long longestPause = deliveries.Where(d => d.AtMs >= killedAt).Select(d => d.AtMs)
                .Prepend(killedAt).Zip(deliveries.Where(d => d.AtMs >= killedAt).Select(d => d.AtMs), (a, b) => b - a).DefaultIfEmpty(0).Max();
            output.WriteLine($"coordinator on node {host}; sent {producer.Sent}, acknowledged {acknowledged.Count}, delivered {deliveries.Count}, " +
                             $"duplicated {duplicates}, committed records delivered again {consumers.RedeliveredCommitted.Count}, assignments before the kill {assignmentsAtKill}, after {consumers.Assignments}; " +
                             $"longest pause in consumption after the kill: {longestPause} ms; client errors {consumers.Errors.Count}");
            foreach (string e in consumers.Errors.Take(10))
                output.WriteLine(e);
            Assert.Empty(consumers.RedeliveredCommitted.Take(10));
            Assert.True(deliveries.Any(d => d.AtMs > killedAt && RecordIndex(d.Value) > sentAtKill), "nothing sent after the kill was consumed");
        }
        finally
        {
            await RestoreAllUpAsync();
        }
    }

    private static int RecordIndex(string value) => int.Parse(value["record-".Length..]);
}
