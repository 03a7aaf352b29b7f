using ActorBroker.Client.Producing;
using ActorBroker.Cluster;
using ActorBroker.Cluster.Partitions;
using ActorBroker.Compatibility.Tests;
using ActorBroker.Protocol;
using ActorBroker.TestKit;
using static ActorBroker.Client.Tests.ClientTestSupport;

namespace ActorBroker.Client.Tests;

/// <summary>A broker that restarts, and a broker that is not there.</summary>
public sealed class ReconnectTests
{
    [Fact]
    public async Task The_client_rejoins_a_restarted_node_and_produces_and_consumes_again()
    {
        await using var node = await ClientNodeFixture.StartNodeAsync();
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var options = ClientNodeFixture.ClientOptions(node) with { Log = lines.Enqueue };
        await using var client = await ActorBrokerClient.ConnectAsync(options);
        string topic = TestTopics.Unique("restart");
        await node.WithLogOnFailureAsync(async () =>
        {
            await client.Admin.CreateTopicAsync(topic, 1);
            var before = await client.ProduceBatchAsync(topic, Enumerable.Range(0, 10).Select(i => new ProducerRecord(null, Utf8($"before-{i}"))));

            var longPoll = client.AskAsync<LogAdvanced>(c => c.Partitions,
                new AwaitLogEnd(new TopicPartition(topic, 0), 1_000, DateTime.UtcNow.AddMinutes(5)), CancellationToken.None, TimeSpan.FromMinutes(5));

            await node.RestartAsync();
            var lostCall = await Assert.ThrowsAsync<ActorBrokerException>(() => longPoll.WaitAsync(TimeSpan.FromSeconds(60)));
            var after = await ProduceRetryingAsync(client, topic, TimeSpan.FromSeconds(90));
            await using var consumer = client.CreateConsumer();
            consumer.Assign([new TopicPartition(topic, 0)]);
            var consumed = await ConsumeAsync(consumer, 20, TimeSpan.FromSeconds(30));

            Assert.Equal(9, before[^1].Offset);
            Assert.Equal(Enumerable.Range(10, 10).Select(i => (long)i), after.Select(r => r.Offset));
            Assert.Equal(Enumerable.Range(0, 10).Select(i => $"before-{i}").Concat(Enumerable.Range(0, 10).Select(i => $"after-{i}")),
                consumed.Select(r => Text(r.Value)));
            Assert.Equal(ErrorCode.NetworkException, lostCall.Code); // a call in flight ends when the membership is lost, not at its timeout
            Assert.True(lostCall.IsRetriable);
            Assert.True(client.Reconnections >= 1);
            Assert.Contains(lines, l => l.Contains("rejoined the cluster", StringComparison.Ordinal));
        });
    }

    /// <summary>Produces after the restart; calls made before the client noticed the restart fail retriably and are retried.</summary>
    private static async Task<IReadOnlyList<ProduceResult>> ProduceRetryingAsync(ActorBrokerClient client, string topic, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await client.ProduceBatchAsync(topic, Enumerable.Range(0, 10).Select(i => new ProducerRecord(null, Utf8($"after-{i}"))));
            }
            catch (ActorBrokerException e) when (e.IsRetriable && DateTime.UtcNow < deadline)
            {
                // the old membership's call timed out, or the client is still rejoining
            }
        }
    }

    [Fact]
    public async Task Connecting_with_no_node_listening_fails_with_broker_not_available_after_the_connect_timeout()
    {
        string seed = $"127.0.0.1:{FreePort.Next()}";
        var options = ActorBrokerClientOptions.Default(seed) with { ConnectTimeout = TimeSpan.FromSeconds(3) };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ActorBrokerException>(() => ActorBrokerClient.ConnectAsync(options));

        Assert.Equal(ErrorCode.BrokerNotAvailable, error.Code);
        Assert.Contains(seed, error.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30));
    }
}
