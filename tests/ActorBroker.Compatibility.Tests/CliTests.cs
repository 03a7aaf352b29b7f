using System.Text;
using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>The admin commands of the <c>actorbroker</c> executable (topics, produce, consume) against a running node.</summary>
public sealed class CliTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(1);

    private static Task<CommandResult> RunCli(IEnumerable<string> args, string? stdin = null) =>
        ExternalCommand.RunAsync("dotnet", [RepoPaths.NodeDll, .. args],
            stdin: stdin is null ? null : Encoding.UTF8.GetBytes(stdin), timeout: CommandTimeout,
            environment: new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" });

    /// <summary>Runs the CLI against the fixture's node.</summary>
    private Task<CommandResult> Cli(params string[] args) => RunCli([.. args, "--bootstrap", fixture.Node.BootstrapServers]);

    private static void AssertExit(int expected, CommandResult result) =>
        Assert.True(result.ExitCode == expected, $"{result.Description} exited {result.ExitCode}, expected {expected}.\n{result}");

    [Fact]
    public async Task A_topic_goes_through_create_list_describe_produce_consume_and_delete()
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique("cli");
        await node.WithLogOnFailureAsync(async () =>
        {
            var created = await Cli("topics", "create", topic, "--partitions", "3");
            AssertExit(0, created);
            Assert.Equal($"Created topic {topic} with 3 partition(s)\n", created.Stdout);

            var listed = await Cli("topics", "list");
            AssertExit(0, listed);
            Assert.Contains(topic, listed.Stdout.Split('\n'));

            var described = await Cli("topics", "describe", topic);
            AssertExit(0, described);
            Assert.Contains($"Topic: {topic}\t", described.Stdout);
            Assert.Contains("PartitionCount: 3\t", described.Stdout);
            for (var p = 0; p < 3; p++)
                Assert.Contains($"\tPartition: {p}\tLeader: ", described.Stdout);
            Assert.Contains("Configs:", described.Stdout);

            var lines = Enumerable.Range(0, 1000).Select(i => $"line {i:D4} é日本語€ {new string('x', i % 50)}").ToList();
            var input = string.Join("\n", lines) + "\n";
            var produced = await RunCli(["produce", topic, "--bootstrap", node.BootstrapServers], input);
            AssertExit(0, produced);
            Assert.Contains($"Produced 1000 records to {topic}", produced.Stderr);

            var consumed = await Cli("consume", topic, "--from-beginning", "--max", "1000");
            AssertExit(0, consumed);
            Assert.Equal(input, consumed.Stdout);

            var afterProduce = await Cli("topics", "describe", topic);
            Assert.Contains("\tPartition: 0\tLeader: 1\tReplicas: 1\tIsr: 1\tLogStartOffset: 0\tLogEndOffset: 1000", afterProduce.Stdout);

            var deleted = await Cli("topics", "delete", topic);
            AssertExit(0, deleted);
            Assert.Equal($"Deleted topic {topic}\n", deleted.Stdout);

            var listedAfter = await Cli("topics", "list");
            AssertExit(0, listedAfter);
            Assert.DoesNotContain(topic, listedAfter.Stdout.Split('\n'));
        });
    }

    [Fact]
    public async Task Keys_and_offsets_print_before_values_and_the_consumer_stops_when_idle()
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique("cli-keys");
        await node.WithLogOnFailureAsync(async () =>
        {
            AssertExit(0, await Cli("topics", "create", topic));
            var produced = await RunCli(["produce", topic, "--key-separator", "::", "--bootstrap", node.BootstrapServers],
                "k1::v1\nk2::v::2\nno key\r\nlast");
            AssertExit(0, produced);

            var consumed = await Cli("consume", topic, "--offset", "1", "--timeout-ms", "1500", "--print-key", "--print-offset");
            AssertExit(0, consumed);
            Assert.Equal("1\tk2\tv::2\n2\t\tno key\n3\t\tlast\n", consumed.Stdout);
            Assert.Contains("Consumed 3 records", consumed.Stderr);
        });
    }

    [Theory]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Consume_decodes_batches_a_client_compressed(CompressionType compression)
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique($"cli-{compression.ToString().ToLowerInvariant()}");
        await node.WithLogOnFailureAsync(async () =>
        {
            var messages = Enumerable.Range(0, 300)
                .Select(i => new Message<byte[], byte[]> { Value = Encoding.UTF8.GetBytes($"{compression} record {i}") })
                .ToList();
            await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, messages, compression);

            // Starting inside a compressed batch must skip the records before the offset asked for.
            var consumed = await Cli("consume", topic, "--offset", "7", "--max", "293");
            AssertExit(0, consumed);
            var expected = string.Concat(Enumerable.Range(7, 293).Select(i => $"{compression} record {i}\n"));
            Assert.Equal(expected, consumed.Stdout);
        });
    }

    [Fact]
    public async Task An_invalid_topic_name_fails_with_the_kafka_error_and_exit_code_1()
    {
        await fixture.Node.WithLogOnFailureAsync(async () =>
        {
            var result = await Cli("topics", "create", "bad name!");
            AssertExit(1, result);
            Assert.Contains("INVALID_TOPIC_EXCEPTION", result.Stderr);
            Assert.Contains("Hint:", result.Stderr);
        });
    }

    [Fact]
    public async Task An_unknown_topic_fails_describe_with_exit_code_1()
    {
        await fixture.Node.WithLogOnFailureAsync(async () =>
        {
            var result = await Cli("topics", "describe", TestTopics.Unique("cli-missing"));
            AssertExit(1, result);
            Assert.Contains("UNKNOWN_TOPIC_OR_PARTITION", result.Stderr);
        });
    }

    [Fact]
    public async Task An_unreachable_bootstrap_says_so_and_exits_non_zero()
    {
        var port = FreePort.Next(); // nothing listens there
        var result = await RunCli(["topics", "list", "--bootstrap", $"127.0.0.1:{port}"]);
        AssertExit(1, result);
        Assert.Contains($"cannot reach a broker at 127.0.0.1:{port}", result.Stderr);
        Assert.Contains("is `actorbroker run` running?", result.Stderr);
    }

    [Fact]
    public async Task Usage_mistakes_exit_with_code_2_and_point_to_help()
    {
        var result = await RunCli(["topics", "create", "x", "--partitons", "3"]);
        AssertExit(2, result);
        Assert.Contains("Unknown option --partitons", result.Stderr);
        Assert.Contains("actorbroker topics create --help", result.Stderr);

        var help = await RunCli(["consume", "--help"]);
        AssertExit(0, help);
        Assert.Contains("--from-beginning", help.Stdout);
    }
}
