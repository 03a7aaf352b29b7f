using System.Text;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>kcat (the system librdkafka) produces and consumes through the node.</summary>
public sealed class KcatRoundTripTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const int Count = 10_000;

    [Fact]
    public async Task Ten_thousand_keyed_records_with_headers_come_back_in_order_and_byte_identical()
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique("kcat");
        await node.WithLogOnFailureAsync(async () =>
        {
            var input = new StringBuilder();
            var expected = new StringBuilder();
            for (var i = 0; i < Count; i++)
            {
                var key = Encoding.UTF8.GetString(TestRecords.Key("kcat", i));
                // Values may contain the key delimiter (kcat splits at the first one) but not the line delimiter.
                var value = Encoding.UTF8.GetString(TestRecords.Value(i)).Replace('\n', ' ');
                input.Append(key).Append(':').Append(value).Append('\n');
                expected.Append(i).Append('|').Append(key).Append('|').Append("source=kcat,trace=t-1").Append('|').Append(value).Append('\n');
            }

            var produced = await ExternalCommand.RunAsync("kcat",
                ["-P", "-b", node.BootstrapServers, "-t", topic, "-p", "0", "-K", ":", "-H", "source=kcat", "-H", "trace=t-1",
                 "-X", "acks=all", "-X", "message.timeout.ms=60000"],
                stdin: Encoding.UTF8.GetBytes(input.ToString()), timeout: TimeSpan.FromMinutes(2));
            produced.EnsureSuccess();
            Assert.DoesNotContain("fail", produced.Stderr, StringComparison.OrdinalIgnoreCase);

            var consumed = await ExternalCommand.RunAsync("kcat",
                ["-C", "-b", node.BootstrapServers, "-t", topic, "-p", "0", "-o", "beginning", "-e", "-q",
                 "-f", "%o|%k|%h|%s\n"],
                timeout: TimeSpan.FromMinutes(2));
            consumed.EnsureSuccess();

            var expectedBytes = Encoding.UTF8.GetBytes(expected.ToString());
            if (!expectedBytes.AsSpan().SequenceEqual(consumed.StdoutBytes))
            {
                var expectedLines = expected.ToString().Split('\n');
                var actualLines = consumed.Stdout.Split('\n');
                var firstDiff = Enumerable.Range(0, Math.Min(expectedLines.Length, actualLines.Length))
                    .FirstOrDefault(i => expectedLines[i] != actualLines[i], -1);
                Assert.Fail($"kcat read back {actualLines.Length - 1} lines, expected {Count}. First difference at line {firstDiff}:\n" +
                            $"expected: {(firstDiff >= 0 ? expectedLines[firstDiff] : "-")}\n" +
                            $"actual:   {(firstDiff >= 0 ? actualLines[firstDiff] : "-")}\n{consumed}");
            }
        });
    }
}
