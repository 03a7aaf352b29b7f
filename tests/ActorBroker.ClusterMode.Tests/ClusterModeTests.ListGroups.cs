using Confluent.Kafka;
using ActorBroker.TestKit;

namespace ActorBroker.ClusterMode.Tests;

public sealed partial class ClusterModeTests
{
    /// <summary>
    /// Issue #5: a Kafka broker's ListGroups answers for the groups it coordinates, and admin clients ask every broker
    /// and merge the answers (librdkafka's ListConsumerGroups, kafka-python's list_consumer_groups). With one group
    /// coordinated on each node, both clients list all three; after kill -9 of a node, the groups it coordinated are
    /// listed again by the node that took them over, before anyone asks for the group itself.
    /// </summary>
    [Fact]
    public async Task ListConsumerGroups_of_Confluent_and_kafka_python_lists_the_groups_of_every_node_and_of_a_node_lost_to_kill_9()
    {
        await cluster.WaitForStatusAsync(1, AllUp, Settle);
        try
        {
            string topic = UniqueTopic("listed");
            await CreateReplicatedTopicAsync(topic, 3);
            var groups = new Dictionary<int, string>();
            for (int attempt = 0; groups.Count < LocalCluster.Size && attempt < 60; attempt++)
            {
                string group = $"listed-{Guid.NewGuid():N}"[..20];
                groups.TryAdd((await FindCoordinatorAsync(group)).NodeId, group);
            }
            Assert.Equal([1, 2, 3], groups.Keys.Order());
            foreach (string group in groups.Values)
            {
                using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = cluster.BootstrapList, GroupId = group }).Build();
                consumer.Commit([new TopicPartitionOffset(topic, new Partition(0), new Offset(1))]);
            }
            await WaitForListedGroupsAsync(groups.Values, "with three nodes");

            const int victim = 3;
            await cluster.RunAsync(TimeSpan.FromSeconds(30), "kill", victim.ToString());
            await cluster.WaitForStatusAsync(1, "2 member(s): 2 Up", Settle);
            await WaitForListedGroupsAsync(groups.Values, $"after kill -9 of node {victim}");
        }
        finally
        {
            await RestoreAllUpAsync();
        }
    }

    /// <summary>Polls both clients' group listings until each holds <paramref name="expected"/>.</summary>
    private async Task WaitForListedGroupsAsync(IEnumerable<string> expected, string when)
    {
        const string script = """
            import sys
            from kafka import KafkaAdminClient
            admin = KafkaAdminClient(bootstrap_servers=sys.argv[1], api_version_auto_timeout_ms=30000, request_timeout_ms=30000)
            for group in admin.list_consumer_groups():
                print(group[0])
            admin.close()
            """;
        var deadline = DateTime.UtcNow + Settle;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.Bootstrap(1) }).Build();
            var confluent = (await admin.ListConsumerGroupsAsync(new Confluent.Kafka.Admin.ListConsumerGroupsOptions { RequestTimeout = TimeSpan.FromSeconds(30) }))
                .Valid.Select(g => g.GroupId).ToHashSet();
            var python = await ExternalCommand.RunAsync("/usr/bin/python3", ["-c", script, cluster.Bootstrap(1)], timeout: TimeSpan.FromSeconds(90));
            var listedByPython = python.ExitCode == 0 ? python.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet() : [];
            if (expected.All(confluent.Contains) && expected.All(listedByPython.Contains))
            {
                output.WriteLine($"{when}: both clients list [{string.Join(", ", expected)}]");
                return;
            }
            last = $"Confluent listed [{string.Join(", ", confluent)}], kafka-python [{string.Join(", ", listedByPython)}] {(python.ExitCode == 0 ? "" : python.ToString())}";
            await Task.Delay(1_000);
        }
        throw new TimeoutException($"{when}: not every group of [{string.Join(", ", expected)}] was listed within {Settle}; {last}\n{cluster.LogTails()}");
    }
}
