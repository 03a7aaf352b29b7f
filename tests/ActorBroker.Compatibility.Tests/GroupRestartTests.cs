using ActorBroker.TestKit;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// Offsets committed with Confluent.Kafka and the group itself survive a restart of the node on the same data
/// directory, after SIGTERM and after SIGKILL: OffsetFetch, ListGroups and DescribeGroups answer as before, and a
/// new member of the group starts at the committed offsets.
/// </summary>
public sealed class GroupRestartTests
{
    private const int Partitions = 3;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Committed_offsets_and_the_group_survive_a_restart_and_a_new_member_resumes_from_them(bool graceful)
    {
        await using var node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = GroupTests.NoInitialDelay });
        var topic = TestTopics.Unique(graceful ? "grp-term" : "grp-kill");
        var group = TestTopics.Unique(graceful ? "grp-term-g" : "grp-kill-g");
        var members = new List<ConfluentGroupMember>();
        try
        {
            await node.WithLogOnFailureAsync(async () =>
            {
                var bootstrap = node.BootstrapServers;
                await GroupTests.CreateTopicAsync(bootstrap, topic, Partitions);
                var before = await GroupTests.ProduceSpreadAsync(bootstrap, topic, Partitions, 60, "before");
                var committedEnd = GroupTests.EndOffsets(before);

                // A member consumes everything and commits (auto-commit of stored offsets plus a commit on close).
                var first = new ConfluentGroupMember(bootstrap, group, topic, "first", PartitionAssignmentStrategy.Range);
                members.Add(first);
                Assert.True(await GroupTests.WaitUntilAsync(() => first.Deliveries.Count >= before.Count, Timeout),
                    $"The first member consumed {first.Deliveries.Count} of {before.Count} records.\n{first.EventLog}");
                using (var admin = GroupTests.Admin(bootstrap))
                {
                    var live = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
                    Assert.Equal(ConsumerGroupState.Stable, live.State);
                    Assert.Equal("range", live.PartitionAssignor);
                    var member = Assert.Single(live.Members);
                    Assert.Equal(first.MemberId, member.ConsumerId);
                    Assert.Equal(Enumerable.Range(0, Partitions), member.Assignment.TopicPartitions.Select(tp => tp.Partition.Value).Order());
                }
                await first.StopAsync();
                Assert.True(await GroupTests.WaitUntilAsync(
                        async () => GroupTests.Describe(await GroupTests.CommittedAsync(bootstrap, group, topic, Partitions)) == GroupTests.Describe(committedEnd),
                        Timeout),
                    $"The commits did not reach {GroupTests.Describe(committedEnd)} before the restart.\n{first.EventLog}");
                Assert.Equal(GroupTests.Describe(committedEnd), GroupTests.Describe(first.ReportedCommits));

                // More records that no member has seen yet, then the restart.
                var after = await GroupTests.ProduceSpreadAsync(bootstrap, topic, Partitions, 30, "after");
                if (graceful)
                {
                    var exitCode = await node.StopAsync(graceful: true);
                    Assert.True(exitCode == 0, $"The node exited with code {exitCode} on SIGTERM.");
                }
                else
                {
                    node.Kill();
                }
                await node.RestartAsync();

                // OffsetFetch, by a consumer of the group and by the admin client.
                using (var probe = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group }).Build())
                {
                    var committed = probe.Committed(Enumerable.Range(0, Partitions).Select(p => new TopicPartition(topic, new Partition(p))), TimeSpan.FromSeconds(20))
                        .ToDictionary(t => t.Partition.Value, t => t.Offset.Value);
                    Assert.Equal(GroupTests.Describe(committedEnd), GroupTests.Describe(committed));
                }
                Assert.Equal(GroupTests.Describe(committedEnd), GroupTests.Describe(await GroupTests.CommittedAsync(bootstrap, group, topic, Partitions)));

                // ListGroups and DescribeGroups still show the (now empty) group.
                using (var admin = GroupTests.Admin(bootstrap))
                {
                    var listed = await admin.ListConsumerGroupsAsync();
                    var listing = listed.Valid.SingleOrDefault(g => g.GroupId == group);
                    Assert.True(listing is not null, $"ListGroups after the restart does not list {group}: [{string.Join(", ", listed.Valid.Select(g => g.GroupId))}]");
                    // ListGroups v0–v3 (the versions served) carry no state; librdkafka reports Unknown. DescribeGroups has it.
                    Assert.False(listing.IsSimpleConsumerGroup);

                    var described = (await admin.DescribeConsumerGroupsAsync([group])).ConsumerGroupDescriptions.Single();
                    Assert.False(described.Error.IsError, $"DescribeGroups {group}: {described.Error}");
                    Assert.Equal(group, described.GroupId);
                    Assert.Equal(ConsumerGroupState.Empty, described.State);
                    Assert.Empty(described.Members);
                }

                // A new member starts at the committed offsets: exactly the records produced after them.
                var next = new ConfluentGroupMember(bootstrap, group, topic, "next", PartitionAssignmentStrategy.Range);
                members.Add(next);
                Assert.True(await GroupTests.WaitUntilAsync(() => next.Deliveries.Count >= after.Count, Timeout),
                    $"The new member consumed {next.Deliveries.Count} of {after.Count} records after the restart.\n{next.EventLog}");
                Assert.Equal(
                    after.Select(p => (p.Partition, p.Offset, p.Value)).Order().ToList(),
                    next.Deliveries.Order().ToList());
                await next.StopAsync();
                Assert.Equal(GroupTests.Describe(GroupTests.EndOffsets(before.Concat(after))),
                    GroupTests.Describe(await GroupTests.CommittedAsync(bootstrap, group, topic, Partitions)));
            });
        }
        finally
        {
            foreach (var member in members)
                await member.DisposeAsync();
        }
    }
}
