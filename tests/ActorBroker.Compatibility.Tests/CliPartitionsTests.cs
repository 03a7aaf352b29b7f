using System.Text;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>`actorbroker partitions reassign|reassignments` against a single running node: what it prints, Kafka's
/// errors with hints, and usage mistakes (the moves themselves are proven on four real nodes in ClusterMode.Tests).</summary>
public sealed class CliPartitionsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    private Task<CommandResult> Cli(params string[] args) =>
        ExternalCommand.RunAsync("dotnet", [RepoPaths.NodeDll, .. args, "--bootstrap", fixture.Node.BootstrapServers], timeout: CommandTimeout,
            environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

    private static void AssertExit(int expected, CommandResult result) =>
        Assert.True(result.ExitCode == expected, $"{result.Description} exited {result.ExitCode}, expected {expected}.\n{result}");

    [Fact]
    public async Task Reassign_reports_kafka_errors_with_hints_and_a_move_onto_the_same_replicas_is_done_at_once()
    {
        var topic = TestTopics.Unique("cli-reassign");
        await fixture.Node.WithLogOnFailureAsync(async () =>
        {
            AssertExit(0, await Cli("topics", "create", topic, "--partitions", "2"));

            var unknownBroker = await Cli("partitions", "reassign", "--topic", topic, "--partition", "0", "--replicas", "1,99");
            AssertExit(1, unknownBroker);
            Assert.Contains($"Error reassigning {topic}-0: INVALID_REPLICA_ASSIGNMENT", unknownBroker.Stderr);
            Assert.Contains("Hint:", unknownBroker.Stderr);

            var cancelNothing = await Cli("partitions", "reassign", "--topic", topic, "--partition", "1", "--cancel");
            AssertExit(1, cancelNothing);
            Assert.Contains("NO_REASSIGNMENT_IN_PROGRESS", cancelNothing.Stderr);

            var same = await Cli("partitions", "reassign", "--topic", topic, "--partition", "0", "--replicas", "1", "--wait");
            AssertExit(0, same);
            Assert.Contains($"Reassigning {topic}-0: [1] -> [1]", same.Stdout);
            Assert.Contains($"\t{topic}-0\tLeader: 1\tReplicas: 1", same.Stdout);

            var balanced = await Cli("partitions", "reassign", "--topic", topic, "--rebalance");
            AssertExit(0, balanced);
            Assert.Contains("already spread evenly", balanced.Stdout);

            var listed = await Cli("partitions", "reassignments", "--topic", topic);
            AssertExit(0, listed);
            Assert.Equal("No reassignments in progress.\n", listed.Stdout);
        });
    }

    [Theory]
    [InlineData("Give exactly one of", "partitions", "reassign", "--topic", "t")]
    [InlineData("Give exactly one of", "partitions", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1", "--cancel")]
    [InlineData("--execute starts a --rebalance plan", "partitions", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1", "--execute")]
    [InlineData("--replicas takes broker ids", "partitions", "reassign", "--topic", "t", "--partition", "0", "--replicas", "1,x")]
    [InlineData("Missing --partition", "partitions", "reassign", "--topic", "t", "--replicas", "1")]
    public async Task Usage_mistakes_exit_with_code_2_and_point_to_the_commands_help(string message, params string[] args)
    {
        var result = await Cli(args);
        AssertExit(2, result);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("actorbroker partitions reassign --help", result.Stderr);
    }
}
