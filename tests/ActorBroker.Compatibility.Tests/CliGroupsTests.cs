using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>One node whose groups rebalance at once (no initial delay), shared by the tests of a class.</summary>
public sealed class GroupsNodeFixture : IAsyncLifetime
{
    private NodeProcess? _node;

    public NodeProcess Node => _node ?? throw new InvalidOperationException("The node fixture did not start.");

    public async Task InitializeAsync() =>
        _node = await NodeProcess.StartAsync(new NodeOptions { ExtraConfig = "actorbroker.groups.initial-rebalance-delay = 0s" });

    public async Task DisposeAsync()
    {
        if (_node is not null)
            await _node.DisposeAsync();
    }
}

/// <summary>
/// <c>actorbroker groups list|describe|reset-offsets|delete</c> against a running node, with a Confluent.Kafka
/// consumer as the group's member.
/// </summary>
public sealed class CliGroupsTests(GroupsNodeFixture fixture) : IClassFixture<GroupsNodeFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);
    private const string ConsumerClientId = "compat-groups-consumer";

    private static Task<CommandResult> RunCli(IEnumerable<string> args) =>
        ExternalCommand.RunAsync("dotnet", [RepoPaths.NodeDll, .. args], timeout: CommandTimeout,
            environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

    private Task<CommandResult> Cli(params string[] args) => RunCli([.. args, "--bootstrap", fixture.Node.BootstrapServers]);

    private static void AssertExit(int expected, CommandResult result) =>
        Assert.True(result.ExitCode == expected, $"{result.Description} exited {result.ExitCode}, expected {expected}.\n{result}");

    /// <summary>Runs <c>groups describe</c> until its output contains <paramref name="text"/> (state changes are asynchronous).</summary>
    private async Task<CommandResult> DescribeUntil(string group, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await Cli("groups", "describe", group);
            if (result.ExitCode == 0 && result.Stdout.Contains(text, StringComparison.Ordinal))
                return result;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"groups describe {group} did not show '{text}' within {timeout}.\n{result}");
            await Task.Delay(250);
        }
    }

    private static string OffsetLine(string topic, int partition, string committed, string end, string lag) =>
        $"\tTopic: {topic}\tPartition: {partition}\tCommittedOffset: {committed}\tLogEndOffset: {end}\tLag: {lag}\tMemberId: ";

    private static async Task ProduceAsync(string bootstrap, string topic, int partition, int count)
    {
        using var producer = ConfluentClients.Producer(bootstrap);
        var tp = new TopicPartition(topic, new Partition(partition));
        var tasks = Enumerable.Range(0, count)
            .Select(i => producer.ProduceAsync(tp, new Message<byte[], byte[]> { Value = Encoding.UTF8.GetBytes($"p{partition} record {i}") }))
            .ToList();
        await Task.WhenAll(tasks);
        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static IConsumer<byte[], byte[]> GroupConsumer(string bootstrap, string group) =>
        new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            ClientId = ConsumerClientId,
            GroupId = group,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
        }).Build();

    [Fact]
    public async Task A_group_is_listed_described_reset_and_deleted_while_and_after_a_consumer_runs()
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique("cli-grp");
        var group = TestTopics.Unique("cli-group");
        await node.WithLogOnFailureAsync(async () =>
        {
            AssertExit(0, await Cli("topics", "create", topic, "--partitions", "2"));
            await ProduceAsync(node.BootstrapServers, topic, 0, 10);
            await ProduceAsync(node.BootstrapServers, topic, 1, 6);

            var consumer = GroupConsumer(node.BootstrapServers, group);
            try
            {
                consumer.Subscribe(topic);
                var received = 0;
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
                while (received < 16 && DateTime.UtcNow < deadline)
                {
                    if (consumer.Consume(TimeSpan.FromMilliseconds(500)) is { IsPartitionEOF: false })
                        received++;
                }
                Assert.Equal(16, received);
                consumer.Commit([new TopicPartitionOffset(topic, 0, 7), new TopicPartitionOffset(topic, 1, 2)]);

                // While the consumer is a member.
                var listed = await Cli("groups", "list");
                AssertExit(0, listed);
                Assert.Contains($"{group}\tconsumer\tStable", listed.Stdout.Split('\n'));

                var described = await Cli("groups", "describe", group);
                AssertExit(0, described);
                var stdout = described.Stdout;
                Assert.Contains($"Group: {group}\tState: Stable\tProtocolType: consumer\tProtocol: ", stdout);
                Assert.Contains("Members: 1\n", stdout);
                Assert.Contains($"\tClientId: {ConsumerClientId}\tHost: ", stdout);
                Assert.Contains($"\tAssignment: {topic}-0,{topic}-1\n", stdout);
                Assert.Contains(OffsetLine(topic, 0, "7", "10", "3"), stdout);
                Assert.Contains(OffsetLine(topic, 1, "2", "6", "4"), stdout);
                Assert.DoesNotContain("MemberId: -", stdout); // both partitions are owned by the member

                var refused = await Cli("groups", "reset-offsets", group, "--topic", topic, "--to-earliest");
                AssertExit(1, refused);
                Assert.Contains($"group {group} has active members; stop its consumers first", refused.Stderr);

                var notDeleted = await Cli("groups", "delete", group);
                AssertExit(1, notDeleted);
                Assert.Contains("NON_EMPTY_GROUP", notDeleted.Stderr);
                Assert.Contains("Hint:", notDeleted.Stderr);

                consumer.Close();
            }
            finally
            {
                consumer.Dispose();
            }

            // After the consumer left: Empty, offsets kept.
            var empty = await DescribeUntil(group, "\tState: Empty\t", TimeSpan.FromSeconds(30));
            Assert.Contains("Members: 0\n", empty.Stdout);
            Assert.Contains(OffsetLine(topic, 0, "7", "10", "3") + "-\n", empty.Stdout);
            Assert.Contains(OffsetLine(topic, 1, "2", "6", "4") + "-\n", empty.Stdout);

            var listedEmpty = await Cli("groups", "list");
            Assert.Contains($"{group}\tconsumer\tEmpty", listedEmpty.Stdout.Split('\n'));

            var dryRun = await Cli("groups", "reset-offsets", group, "--topic", topic, "--to-latest", "--dry-run");
            AssertExit(0, dryRun);
            Assert.Contains($"Topic: {topic}\tPartition: 0\tOffset: 7 -> 10\n", dryRun.Stdout);
            Assert.Contains($"Topic: {topic}\tPartition: 1\tOffset: 2 -> 6\n", dryRun.Stdout);
            Assert.Contains("Dry run: nothing committed", dryRun.Stdout);
            Assert.Contains(OffsetLine(topic, 0, "7", "10", "3"), (await Cli("groups", "describe", group)).Stdout);

            var toEarliest = await Cli("groups", "reset-offsets", group, "--topic", topic, "--to-earliest");
            AssertExit(0, toEarliest);
            Assert.Contains($"Topic: {topic}\tPartition: 0\tOffset: 7 -> 0\n", toEarliest.Stdout);
            Assert.Contains($"Topic: {topic}\tPartition: 1\tOffset: 2 -> 0\n", toEarliest.Stdout);
            Assert.Contains($"Reset 2 offset(s) of group {group} for topic {topic}", toEarliest.Stdout);
            var afterEarliest = await Cli("groups", "describe", group);
            Assert.Contains(OffsetLine(topic, 0, "0", "10", "10"), afterEarliest.Stdout);
            Assert.Contains(OffsetLine(topic, 1, "0", "6", "6"), afterEarliest.Stdout);

            var toOffset = await Cli("groups", "reset-offsets", group, "--topic", topic, "--to-offset", "5", "--partition", "0");
            AssertExit(0, toOffset);
            Assert.Equal($"Topic: {topic}\tPartition: 0\tOffset: 0 -> 5\nReset 1 offset(s) of group {group} for topic {topic}\n", toOffset.Stdout);
            var afterOffset = await Cli("groups", "describe", group);
            Assert.Contains(OffsetLine(topic, 0, "5", "10", "5"), afterOffset.Stdout);
            Assert.Contains(OffsetLine(topic, 1, "0", "6", "6"), afterOffset.Stdout);

            var clamped = await Cli("groups", "reset-offsets", group, "--topic", topic, "--to-offset", "100", "--partition", "1");
            AssertExit(0, clamped);
            Assert.Contains($"Topic: {topic}\tPartition: 1\tOffset: 0 -> 6\t(--to-offset 100 is past the log end 6)", clamped.Stdout);

            var noSuchPartition = await Cli("groups", "reset-offsets", group, "--topic", topic, "--to-earliest", "--partition", "7");
            AssertExit(1, noSuchPartition);
            Assert.Contains("UNKNOWN_TOPIC_OR_PARTITION", noSuchPartition.Stderr);

            var deleted = await Cli("groups", "delete", group);
            AssertExit(0, deleted);
            Assert.Equal($"Deleted group {group}\n", deleted.Stdout);

            var listedAfter = await Cli("groups", "list");
            AssertExit(0, listedAfter);
            Assert.DoesNotContain(listedAfter.Stdout.Split('\n'), l => l.StartsWith(group + "\t", StringComparison.Ordinal));

            var describedAfter = await Cli("groups", "describe", group);
            AssertExit(1, describedAfter);
            Assert.Contains("GROUP_ID_NOT_FOUND", describedAfter.Stderr);
        });
    }

    [Fact]
    public async Task Deleting_an_unknown_group_fails_with_the_kafka_error()
    {
        await fixture.Node.WithLogOnFailureAsync(async () =>
        {
            var result = await Cli("groups", "delete", TestTopics.Unique("cli-nogroup"));
            AssertExit(1, result);
            Assert.Contains("GROUP_ID_NOT_FOUND", result.Stderr);
        });
    }

    [Fact]
    public async Task An_unreachable_bootstrap_says_so_and_exits_1()
    {
        var port = FreePort.Next(); // nothing listens there
        foreach (string[] args in new[] { ["groups", "list"], new[] { "groups", "describe", "g" }, ["groups", "delete", "g"] })
        {
            var result = await RunCli([.. args, "--bootstrap", $"127.0.0.1:{port}"]);
            AssertExit(1, result);
            Assert.Contains($"cannot reach a broker at 127.0.0.1:{port}", result.Stderr);
        }
    }

    [Fact]
    public async Task Usage_mistakes_exit_with_code_2_and_point_to_help()
    {
        var noTarget = await RunCli(["groups", "reset-offsets", "g", "--topic", "t"]);
        AssertExit(2, noTarget);
        Assert.Contains("exactly one of --to-earliest, --to-latest and --to-offset", noTarget.Stderr);
        Assert.Contains("actorbroker groups reset-offsets --help", noTarget.Stderr);

        var twoTargets = await RunCli(["groups", "reset-offsets", "g", "--topic", "t", "--to-earliest", "--to-offset", "3"]);
        AssertExit(2, twoTargets);

        var noTopic = await RunCli(["groups", "reset-offsets", "g", "--to-earliest"]);
        AssertExit(2, noTopic);
        Assert.Contains("--topic", noTopic.Stderr);

        var unknown = await RunCli(["groups", "rebalance"]);
        AssertExit(2, unknown);
        Assert.Contains("actorbroker groups --help", unknown.Stderr);

        var help = await RunCli(["groups", "reset-offsets", "--help"]);
        AssertExit(0, help);
        Assert.Contains("--to-earliest", help.Stdout);
        Assert.Contains("Examples:", help.Stdout);
    }
}
