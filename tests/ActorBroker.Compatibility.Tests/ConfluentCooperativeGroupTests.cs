using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Confluent.Kafka (bundled librdkafka) consumers with the cooperative-sticky assignor in one group while a producer
/// produces continuously: members join and leave, every produced record is consumed at least once, OffsetFetch
/// returns what was committed, and a new generation of consumers starts exactly at the committed offsets.
/// </summary>
public sealed class ConfluentCooperativeGroupTests
{
    private const int Partitions = 6;
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Cooperative_sticky_members_join_and_leave_under_load_without_losing_records_and_new_members_resume_at_the_commits()
    {
        await using var node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = GroupTests.NoInitialDelay });
        var topic = TestTopics.Unique("coop");
        var group = TestTopics.Unique("coop-g");
        var members = new List<ConfluentGroupMember>();
        try
        {
            await node.WithLogOnFailureAsync(async () =>
            {
                var bootstrap = node.BootstrapServers;
                await GroupTests.CreateTopicAsync(bootstrap, topic, Partitions);
                string Logs() => string.Join("\n", members.Select(m => m.EventLog));
                ConfluentGroupMember Start(string name)
                {
                    var member = new ConfluentGroupMember(bootstrap, group, topic, name);
                    members.Add(member);
                    return member;
                }

                // A producer that keeps producing, round robin over the partitions, until told to stop.
                using var stopProducing = new CancellationTokenSource();
                var sent = 0;
                async Task KeepProducingAsync(int records)
                {
                    int target = Volatile.Read(ref sent) + records;
                    Assert.True(await GroupTests.WaitUntilAsync(() => Volatile.Read(ref sent) >= target, SettleTimeout),
                        $"The producer did not send {records} more records.");
                }
                var producing = Task.Run(async () =>
                {
                    using var producer = ConfluentClients.Producer(bootstrap);
                    var sends = new List<Task<DeliveryResult<byte[], byte[]>>>();
                    for (var i = 0; !stopProducing.IsCancellationRequested; i++)
                    {
                        sends.Add(producer.ProduceAsync(new TopicPartition(topic, new Partition(i % Partitions)),
                            new Message<byte[], byte[]> { Key = System.Text.Encoding.UTF8.GetBytes($"k{i}"), Value = System.Text.Encoding.UTF8.GetBytes($"load-{i}") }));
                        Interlocked.Increment(ref sent);
                        await Task.Delay(5);
                    }
                    var results = await Task.WhenAll(sends);
                    return results.Select(r => new GroupTests.Produced(r.Partition.Value, r.Offset.Value, System.Text.Encoding.UTF8.GetString(r.Message.Value))).ToList();
                });

                var c1 = Start("c1");
                var c2 = Start("c2");
                var c3 = Start("c3");
                Assert.True(await GroupTests.WaitUntilAsync(() => Balanced([c1, c2, c3], [2, 2, 2]), SettleTimeout),
                    $"Three members did not settle on 2/2/2.\n{Describe(members)}\n{Logs()}");

                await KeepProducingAsync(100);
                var c4 = Start("c4");
                Assert.True(await GroupTests.WaitUntilAsync(() => Balanced([c1, c2, c3, c4], [1, 1, 2, 2]), SettleTimeout),
                    $"After a fourth member joined, the group did not settle on 1/1/2/2.\n{Describe(members)}\n{Logs()}");

                await KeepProducingAsync(100);
                await c2.StopAsync();
                Assert.True(await GroupTests.WaitUntilAsync(() => Balanced([c1, c3, c4], [2, 2, 2]), SettleTimeout),
                    $"After c2 left, the other three did not settle on 2/2/2.\n{Describe(members)}\n{Logs()}");

                await KeepProducingAsync(100);
                stopProducing.Cancel();
                var produced = await producing;
                var end = GroupTests.EndOffsets(produced);
                Assert.Equal(Partitions, end.Count);

                // At least once: every produced record was delivered to some member; and the commits reach the end.
                Assert.True(await GroupTests.WaitUntilAsync(() =>
                    {
                        var seen = members.SelectMany(m => m.Deliveries).Select(d => (d.Partition, d.Offset)).ToHashSet();
                        return produced.All(p => seen.Contains((p.Partition, p.Offset)));
                    }, SettleTimeout),
                    $"Not every produced record was consumed.\n{Describe(members)}\n{Logs()}");
                Assert.True(await GroupTests.WaitUntilAsync(
                        async () => GroupTests.Describe(await GroupTests.CommittedAsync(bootstrap, group, topic, Partitions)) == GroupTests.Describe(end),
                        SettleTimeout),
                    $"The group's committed offsets did not reach the end offsets {GroupTests.Describe(end)}.\n{Logs()}");
                var deliveredValues = members.SelectMany(m => m.Deliveries).ToLookup(d => (d.Partition, d.Offset), d => d.Value);
                Assert.All(produced, p => Assert.All(deliveredValues[(p.Partition, p.Offset)], v => Assert.Equal(p.Value, v)));

                foreach (var member in new[] { c1, c3, c4 })
                    await member.StopAsync();

                // OffsetFetch (consumer.Committed) after everyone left returns what the members' commits reported.
                var reported = new Dictionary<int, long>();
                foreach (var (partition, offset) in members.SelectMany(m => m.ReportedCommits))
                    reported[partition] = Math.Max(reported.GetValueOrDefault(partition, -1), offset);
                using (var probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build())
                {
                    var committed = probe.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, new Partition(p))), TimeSpan.FromSeconds(10))
                        .ToDictionary(t => t.Partition.Value, t => t.Offset.Value);
                    Assert.Equal(GroupTests.Describe(end), GroupTests.Describe(committed));
                    Assert.Equal(GroupTests.Describe(committed), GroupTests.Describe(reported));
                }

                // A new set of members resumes at the committed offsets: nothing below them is delivered again.
                var more = await GroupTests.ProduceSpreadAsync(bootstrap, topic, Partitions, 120, "after");
                var n1 = Start("n1");
                var n2 = Start("n2");
                Assert.True(await GroupTests.WaitUntilAsync(() =>
                    {
                        var seen = n1.Deliveries.Concat(n2.Deliveries).Select(d => (d.Partition, d.Offset)).ToHashSet();
                        return more.All(p => seen.Contains((p.Partition, p.Offset)));
                    }, SettleTimeout),
                    $"The new members did not consume the records produced after the commits.\n{Logs()}");
                var redelivered = n1.Deliveries.Concat(n2.Deliveries).Where(d => d.Offset < end[d.Partition]).ToList();
                Assert.True(redelivered.Count == 0,
                    $"The new members got {redelivered.Count} records below the committed offsets {GroupTests.Describe(end)}, e.g. " +
                    string.Join(", ", redelivered.Take(10).Select(d => $"{d.Partition}@{d.Offset}")));
                foreach (var partition in Enumerable.Range(0, Partitions))
                {
                    var first = n1.Deliveries.Concat(n2.Deliveries).Where(d => d.Partition == partition).Min(d => d.Offset);
                    Assert.Equal(end[partition], first);
                }
            });
        }
        finally
        {
            foreach (var member in members)
                await member.DisposeAsync();
        }
    }

    /// <summary>The members' assignments are disjoint, cover every partition and have the given sizes.</summary>
    private static bool Balanced(IReadOnlyList<ConfluentGroupMember> members, int[] sizes)
    {
        var assignments = members.Select(m => m.Assignment).ToList();
        var all = assignments.SelectMany(a => a).ToList();
        return all.Count == Partitions && all.Distinct().Count() == Partitions
            && assignments.Select(a => a.Count).Order().SequenceEqual(sizes);
    }

    private static string Describe(IEnumerable<ConfluentGroupMember> members) =>
        string.Join("; ", members.Select(m => $"{m.Name}=[{string.Join(",", m.Assignment)}]"));
}
