using ActorBroker.TestKit;
using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>Acknowledged records survive a restart on the same data directory, graceful or not.</summary>
public sealed class RestartTests
{
    private const int Count = 3_000;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_acknowledged_record_is_at_the_same_offset_after_restart(bool graceful)
    {
        await using var node = await NodeProcess.StartAsync();
        var topic = TestTopics.Unique(graceful ? "restart-term" : "restart-kill");
        await node.WithLogOnFailureAsync(async () =>
        {
            var sent = TestRecords.Messages(topic, Count);
            var delivered = await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, sent, CompressionType.Lz4);

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

            var consumed = await Task.Run(() => ConfluentClients.ConsumeFromBeginning(node.BootstrapServers, topic, Count, TimeSpan.FromSeconds(60)));
            TestRecords.AssertReadBack(sent, delivered, consumed);

            // The log continues where it ended: no offset is handed out twice.
            var next = await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, TestRecords.Messages(topic + "-after", 1));
            Assert.Equal(delivered[^1].Offset.Value + 1, next[0].Offset.Value);
        });
    }
}
