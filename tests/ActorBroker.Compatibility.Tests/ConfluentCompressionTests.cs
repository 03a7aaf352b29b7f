using Confluent.Kafka;
using Xunit;

namespace ActorBroker.Compatibility.Tests;

/// <summary>Confluent.Kafka with the bundled librdkafka: acks=all, each compression codec, read back by assignment.</summary>
public sealed class ConfluentCompressionTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private const int Count = 2_000;

    [Theory]
    [InlineData(CompressionType.None)]
    [InlineData(CompressionType.Gzip)]
    [InlineData(CompressionType.Snappy)]
    [InlineData(CompressionType.Lz4)]
    [InlineData(CompressionType.Zstd)]
    public async Task Every_record_reads_back_in_order_at_the_offset_the_producer_reported(CompressionType compression)
    {
        var node = fixture.Node;
        var topic = TestTopics.Unique($"confluent-{compression.ToString().ToLowerInvariant()}");
        await node.WithLogOnFailureAsync(async () =>
        {
            var sent = TestRecords.Messages($"confluent-{compression}", Count);
            var delivered = await ConfluentClients.ProduceAllAsync(node.BootstrapServers, topic, sent, compression);
            Assert.Equal(0, delivered[0].Offset.Value);

            var consumed = await Task.Run(() => ConfluentClients.ConsumeFromBeginning(node.BootstrapServers, topic, Count, TimeSpan.FromSeconds(60)));
            TestRecords.AssertReadBack(sent, delivered, consumed);
        });
    }
}
