using Confluent.Kafka;

namespace ActorBroker.ClusterMode.Tests;

public sealed partial class ClusterModeTests
{
    /// <summary>
    /// Issue #5: min.insync.replicas=2, replication factor 3, two of the three nodes down. An acks=all produce fails
    /// with NOT_ENOUGH_REPLICAS (librdkafka retries it, then reports the broker's error), nothing acknowledged before
    /// is lost, and writes succeed again once one node is back in the ISR.
    /// <para>Nodes 3 and then 2 are killed one at a time, each removal complete before the next, and node 1 (lowest
    /// address, host of the singletons) survives. Why one at a time: keep-majority downs the smaller side of a
    /// partition, so a lone survivor of a simultaneous 2-of-3 failure (1 reachable of 3) would down itself. After
    /// node 3 is removed the membership is {1, 2}; when node 2 dies, it is 1 against 1 and keep-majority, for equal
    /// sides, keeps the side holding the member with the lowest address (Akka orders addresses by protocol, system,
    /// host, port): 127.0.0.1 beats 127.0.0.2, so node 1 stays Up and downs node 2. (Had node 1 been the one to die,
    /// node 2 would have downed itself and nothing would serve.)</para>
    /// </summary>
    [Fact]
    public async Task With_two_of_three_nodes_down_acks_all_fails_with_NOT_ENOUGH_REPLICAS_and_writes_resume_when_a_node_returns()
    {
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
        try
        {
            string topic = UniqueTopic("min-isr");
            await CreateReplicatedTopicAsync(topic, 3);
            var acknowledged = new List<AcknowledgedRecord>();

            await using (var producer = new SteadyProducer(SteadyProducer.AcksAll(cluster.BootstrapList), topic, 3))
            {
                producer.Start();
                await producer.WaitForAcknowledgedAsync(100, Settle);
                await cluster.RunAsync(TimeSpan.FromSeconds(30), "kill", "3");
                await cluster.WaitForStatusAsync(1, "2 member(s): 2 Up", Settle);
                await WaitForPartitionsAsync(topic, s => s.All(p => p.Leader is 1 or 2 && p.Isr.SequenceEqual([1, 2])), "led by 1 or 2 with ISR [1,2]");
                int before = producer.Acknowledged.Count;
                await producer.WaitForAcknowledgedAsync(before + 100, Settle); // two in-sync replicas are enough
                await producer.StopAsync(TimeSpan.FromSeconds(120));
                Assert.Empty(producer.Failed);
                acknowledged.AddRange(producer.Acknowledged);
            }

            await cluster.RunAsync(TimeSpan.FromSeconds(30), "kill", "2");
            await cluster.WaitForStatusAsync(1, "1 member(s): 1 Up", Settle);
            await WaitForPartitionsAsync(topic, s => s.All(p => p.Leader == 1 && p.Isr.SequenceEqual([1])), "led by node 1 alone");
            var refused = await ProduceOneToEachAsync(topic, 3, new ProducerConfig
            {
                BootstrapServers = cluster.Bootstrap(1), Acks = Acks.All, MessageSendMaxRetries = 2, RetryBackoffMs = 200, MessageTimeoutMs = 60_000,
            });
            output.WriteLine($"with node 1 alone: {string.Join("; ", refused.Select(r => $"p{r.Partition}: {r.Error.Code}"))}");
            Assert.All(refused, r => Assert.Equal(ErrorCode.NotEnoughReplicas, r.Error.Code));

            await cluster.RunAsync(TimeSpan.FromMinutes(2), "restart", "2");
            await cluster.WaitForStatusAsync(1, "2 member(s): 2 Up", Settle);
            await WaitForPartitionsAsync(topic, s => s.All(p => p.Isr.Length == 2), "back to an ISR of 2");
            var accepted = await ProduceOneToEachAsync(topic, 3, SteadyProducer.AcksAll(cluster.Bootstrap(1), messageTimeoutMs: 60_000));
            Assert.All(accepted, r => Assert.False(r.Error.IsError, r.Error.Reason));
            acknowledged.AddRange(accepted.Select(r => new AcknowledgedRecord(r.Partition.Value, r.Offset.Value, r.Message.Value, 0, 0)));

            var check = AcknowledgementCheck.Read(cluster.Bootstrap(1), topic, 3, acknowledged);
            output.WriteLine(check.ToString());
            Assert.Empty(check.Lost);
        }
        finally
        {
            await RestoreAllUpAsync();
        }
    }

    /// <summary>Produces one record to each partition and returns every delivery report (errors included).</summary>
    private static async Task<List<DeliveryReport<string, string>>> ProduceOneToEachAsync(string topic, int partitions, ProducerConfig config)
    {
        using var producer = new ProducerBuilder<string, string>(config).Build();
        var reports = new List<DeliveryReport<string, string>>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        string run = Guid.NewGuid().ToString("N")[..8];
        for (int p = 0; p < partitions; p++)
            producer.Produce(new TopicPartition(topic, new Partition(p)), new Message<string, string> { Key = $"probe-{p}", Value = $"probe-{run}-{p}" }, report =>
            {
                lock (reports)
                {
                    reports.Add(report);
                    if (reports.Count == partitions)
                        done.TrySetResult();
                }
            });
        await done.Task.WaitAsync(TimeSpan.FromSeconds(120));
        return reports.OrderBy(r => r.Partition.Value).ToList();
    }
}
