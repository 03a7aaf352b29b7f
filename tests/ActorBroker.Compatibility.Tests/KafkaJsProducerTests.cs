using System.Text;
using System.Text.Json;
using ActorBroker.TestKit;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>
/// kafkajs admin (createTopics, fetchTopicMetadata, fetchTopicOffsets) and producer, checked by reading back with
/// Confluent.Kafka. The kafkajs consumer needs the group protocol, which the node does not serve yet.
/// </summary>
public sealed class KafkaJsProducerTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const int Count = 2_000;
    private const int BatchSize = 500;

    private static string JsDir => Path.Combine(RepoPaths.Root, "tests", "ActorBroker.Compatibility.Tests", "js");

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task Records_sent_by_kafkajs_arrive_in_order_at_the_offsets_it_was_told(string compression)
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique($"kafkajs-{compression}");
        await node.WithLogOnFailureAsync(async () =>
        {
            var run = await ExternalCommand.RunAsync("node",
                ["produce.js", node.BootstrapServers, topic, Count.ToString(), compression, BatchSize.ToString()],
                workingDirectory: JsDir, timeout: TimeSpan.FromMinutes(2),
                environment: new Dictionary<string, string> { ["KAFKAJS_NO_PARTITIONER_WARNING"] = "1" });
            run.EnsureSuccess();

            using var report = JsonDocument.Parse(run.Stdout.Trim().Split('\n')[^1]);
            var root = report.RootElement;
            Assert.True(root.GetProperty("created").GetBoolean(), $"createTopics reported the topic as not created.\n{run}");

            var topicMetadata = root.GetProperty("metadata").GetProperty("topics").EnumerateArray().Single();
            Assert.Equal(topic, topicMetadata.GetProperty("name").GetString());
            Assert.Single(topicMetadata.GetProperty("partitions").EnumerateArray());

            foreach (var send in root.GetProperty("sends").EnumerateArray())
            {
                Assert.Equal(0, send.GetProperty("errorCode").GetInt32());
                Assert.Equal(send.GetProperty("first").GetInt32().ToString(), send.GetProperty("baseOffset").GetString());
            }

            var offsets = root.GetProperty("offsets").EnumerateArray().Single();
            Assert.Equal(Count.ToString(), offsets.GetProperty("high").GetString());
            Assert.Equal("0", offsets.GetProperty("low").GetString());

            var consumed = await Task.Run(() => ConfluentClients.ConsumeFromBeginning(node.BootstrapServers, topic, Count, TimeSpan.FromSeconds(60)));
            Assert.True(consumed.Count == Count, $"consumed {consumed.Count} of {Count}");
            for (var i = 0; i < Count; i++)
            {
                var c = consumed[i];
                Assert.Equal(i, c.Offset.Value);
                Assert.Equal($"kafkajs-key-{i:D6}", TestRecords.Text(c.Message.Key));
                var expectedValue = $"v{i}:" + string.Concat(Enumerable.Repeat("kafkajs-payload-", 1 + i % 13)) + "日本語";
                Assert.Equal(expectedValue, Encoding.UTF8.GetString(c.Message.Value));
                Assert.Equal($"index={i},source=kafkajs", TestRecords.HeadersText(c.Message.Headers));
            }
        });
    }
}
